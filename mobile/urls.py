from django.urls import path

from . import activities, duty, party, screening, views

app_name = "mobile"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.MobileLoginView.as_view(), name="login"),
    path("report/", views.report, name="report"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<id:incident_id>/", views.task, name="task"),
    path("tasks/<id:incident_id>/<slug:action>/", views.task_action, name="task-action"),
    path("patrol/", views.patrol, name="patrol"),
    path("party/", party.party, name="party"),
    path("party/checkins/<id:checkin_id>/<slug:decision>/", party.decide, name="party-decide"),
    path("screening/", screening.screening, name="screening"),
    path("screening/new/", screening.screening_new, name="screening-new"),
    path("screening/<id:arrival_id>/", screening.screening_entry, name="screening-entry"),
    path("screening/follow-ups/<id:follow_up_id>/done/", screening.screening_follow_up_done, name="screening-follow-up-done"),
    path("duty/", duty.duty, name="duty"),
    path("duty/shifts/<id:shift_id>/check-<slug:direction>/", duty.check, name="duty-check"),
    path("duty/shifts/<id:shift_id>/swap/", duty.swap, name="duty-swap"),
    path("duty/shifts/<id:shift_id>/exchange/<id:person_id>/", duty.exchange, name="duty-exchange"),
    path("activities/", activities.activities, name="activities"),
    path("notifications/", views.notifications, name="notifications"),
    path("outbox/", views.outbox, name="outbox"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service-worker"),
]
