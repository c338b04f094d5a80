from django.urls import path

from . import activities, views

app_name = "mobile"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.MobileLoginView.as_view(), name="login"),
    path("report/", views.report, name="report"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<id:incident_id>/", views.task, name="task"),
    path("tasks/<id:incident_id>/<slug:action>/", views.task_action, name="task-action"),
    path("patrol/", views.patrol, name="patrol"),
    path("activities/", activities.activities, name="activities"),
    path("notifications/", views.notifications, name="notifications"),
    path("outbox/", views.outbox, name="outbox"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service-worker"),
]
