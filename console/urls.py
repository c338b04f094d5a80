from django.urls import path

from . import patrols, views

app_name = "console"

urlpatterns = [
    path("", views.cases, name="cases"),
    path("live/", views.live, name="live"),
    path("bulk/", views.bulk, name="bulk"),
    path("map/", views.case_map, name="map"),
    path("map/cases/", views.map_data, name="map-data"),
    path("hotline/", views.hotline, name="hotline"),
    path("patrols/", patrols.patrols, name="patrols"),
    path("cases/<id:incident_id>/", views.case, name="case"),
    path("cases/<id:incident_id>/<slug:action>/", views.case_action, name="case-action"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
]
