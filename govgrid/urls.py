from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import include, path, register_converter
from django.utils.translation import gettext_lazy as _

from accounts.forms import AdminLoginForm, LoginForm
from govgrid.ids import IdConverter
from govgrid.views import favicon, home
from incidents.views import incident_photo

register_converter(IdConverter, "id")
admin.site.login_form = AdminLoginForm
admin.site.site_header = admin.site.site_title = _("govgrid administration")

urlpatterns = [
    path("", home, name="home"),
    path("favicon.ico", favicon),
    path("console/", include("console.urls")),
    path("m/", include("mobile.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("admin/", admin.site.urls),
    path("accounts/login/", LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("incidents/photos/<id:photo_id>/", incident_photo, name="incident-photo"),
    path("incidents/photos/<id:photo_id>/thumbnail/", incident_photo, {"thumbnail": True}, name="incident-photo-thumbnail"),
    path("api/v1/", include("govgrid.api_urls")),
]
