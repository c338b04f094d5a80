from django.urls import path

from . import duty, patrols, views, volunteers

app_name = "console"

urlpatterns = [
    path("duty/", duty.campaigns, name="duty"),
    path("duty/new/", duty.campaign_new, name="duty-new"),
    path("duty/<id:campaign_id>/", duty.campaign, name="duty-campaign"),
    path("duty/<id:campaign_id>/checkpoints/", duty.checkpoint_add, name="duty-checkpoint-add"),
    path("duty/<id:campaign_id>/people/", duty.people_add, name="duty-people-add"),
    path("duty/<id:campaign_id>/people/<id:person_id>/available/", duty.person_available, name="duty-person-available"),
    path("duty/<id:campaign_id>/generate/", duty.roster_generate, name="duty-generate"),
    path("duty/<id:campaign_id>/shortfalls/<id:shortfall_id>/fill/", duty.shortfall_fill, name="duty-shortfall-fill"),
    path("duty/<id:campaign_id>/roster/", duty.roster, name="duty-roster"),
    path("duty/<id:campaign_id>/swaps/", duty.swap_ask, name="duty-swap-ask"),
    path("duty/<id:campaign_id>/swaps/<id:swap_id>/<slug:decision>/", duty.swap_decide, name="duty-swap-decide"),
    path("duty/<id:campaign_id>/print/checkpoints/<id:checkpoint_id>/", duty.print_checkpoint, name="duty-print-checkpoint"),
    path("duty/<id:campaign_id>/print/people/<id:person_id>/", duty.print_person, name="duty-print-person"),
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
