from django.urls import path

from . import patrols, views, volunteers

app_name = "console"

urlpatterns = [
    path("", views.cases, name="cases"),
    path("live/", views.live, name="live"),
    path("bulk/", views.bulk, name="bulk"),
    path("map/", views.case_map, name="map"),
    path("map/cases/", views.map_data, name="map-data"),
    path("hotline/", views.hotline, name="hotline"),
    path("patrols/", patrols.patrols, name="patrols"),
    path("volunteers/", volunteers.coverage_page, name="volunteers"),
    path("volunteers/teams/", volunteers.teams, name="volunteer-teams"),
    path("volunteers/people/", volunteers.volunteers, name="volunteer-list"),
    path("volunteers/activities/", volunteers.activities, name="volunteer-activities"),
    path("volunteers/activities/new/", volunteers.activity_new, name="volunteer-activity-new"),
    path("volunteers/activities/<id:activity_id>/", volunteers.activity, name="volunteer-activity"),
    path("volunteers/photos/<id:photo_id>/", volunteers.activity_photo, name="volunteer-photo"),
    path("cases/<id:incident_id>/", views.case, name="case"),
    path("cases/<id:incident_id>/<slug:action>/", views.case_action, name="case-action"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
]
