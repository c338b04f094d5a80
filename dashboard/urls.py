from django.urls import path

from . import exports, report, views

app_name = "dashboard"

urlpatterns = [
    path("", views.index, name="index"),
    path("data/", views.data, name="data"),
    path("cases/", views.cases, name="cases"),
    path("rankings/", report.rankings, name="rankings"),
    path("export/<slug:what>.<slug:kind>", exports.export, name="export"),
    path("report/", report.monthly, name="report"),
    path("wall/", report.wall, name="wall"),
    path("wall/data/", report.wall_data, name="wall-data"),
]
