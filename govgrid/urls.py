from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from incidents.views import incident_photo

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("incidents/photos/<int:photo_id>/", incident_photo, name="incident-photo"),
    path("api/v1/", include("govgrid.api_urls")),
]
