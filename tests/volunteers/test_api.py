"""The volunteer API per role: teams and volunteers read with phones masked but for the command
centre; activities listed by scope, recorded with a message per bad field; the coverage of a
period; a department sees nothing."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import PersonalDataView
from volunteers.models import Activity, Event

from .helpers import jpeg, record


def body(team, in_grid, people, **change):
    return {
        "kind": Activity.Kind.POLICY_OUTREACH, "title": "惠民政策进小区", "team": team.pk, "date": timezone.localdate().isoformat(),
        "grid": in_grid.code, "audience": 45, "compounds": [], "volunteers": [{"volunteer": people[0].pk, "hours": "2.5"}], **change,
    }


def test_teams_and_volunteers_with_hours_and_phones_as_each_role_may_see_them(api, users, team, people, grid_a):
    record(users["dispatcher"], team=team, grid=grid_a, volunteers=people[:1], hours="3")
    teams = api("worker_b").get("/api/v1/volunteers/teams/").json()["results"]
    assert [(shown["name"], shown["members"], shown["hours"]) for shown in teams] == [("新安镇宣讲团", 3, "3.0")]

    masked = api("worker_b").get("/api/v1/volunteers/people/").json()["results"]
    assert {shown["name"]: shown["phone"] for shown in masked} == {"王芳": "138****0001", "李强": "138****0002", "张敏": ""}
    assert {shown["name"]: shown["hours"] for shown in masked}["王芳"] == "3.0"
    assert not PersonalDataView.objects.exists()

    full = api("dispatcher").get("/api/v1/volunteers/people/", {"profession": "teacher"}).json()["results"]
    assert [shown["phone"] for shown in full] == ["13812340001"]
    assert list(PersonalDataView.objects.values_list("record_id", "where")) == [(people[0].pk, "/api/v1/volunteers/people/")]
    one = api("dispatcher").get(f"/api/v1/volunteers/people/{people[1].pk}/").json()
    assert one["phone"] == "13812340002" and PersonalDataView.objects.count() == 2

    assert api("department").get("/api/v1/volunteers/people/").json()["results"] == []
    assert api("department").get(f"/api/v1/volunteers/people/{people[0].pk}/").status_code == 404
    assert api("department").get("/api/v1/volunteers/teams/").json()["results"] == []


def test_a_grid_worker_records_in_their_grid_and_reads_their_grids_activities(api, users, team, people, grid_a, grid_b, compounds):
    made = api("worker_a").post("/api/v1/volunteers/activities/", body(team, grid_a, people, compounds=[compounds["old_a"].pk]), format="json")
    assert made.status_code == 201, made.content
    activity = made.json()
    assert activity["is_outreach"] and activity["hours"] == "2.5" and activity["compounds"][0]["is_old"] is True
    assert activity["volunteers"] == [{"volunteer": people[0].pk, "name": "王芳", "hours": "2.5"}]
    elsewhere = api("worker_a").post("/api/v1/volunteers/activities/", body(team, grid_b, people), format="json")
    assert elsewhere.status_code == 403 and elsewhere.json()["grid"] == ["Choose one of your grids."]
    record(users["dispatcher"], team=team, grid=grid_b, volunteers=people[:1])
    assert [shown["grid"] for shown in api("worker_a").get("/api/v1/volunteers/activities/").json()["results"]] == [grid_a.code]
    assert len(api("inspector").get("/api/v1/volunteers/activities/").json()["results"]) == 2
    assert api("worker_b").get(f"/api/v1/volunteers/activities/{activity['id']}/").status_code == 404
    assert api("department").get("/api/v1/volunteers/activities/").json()["results"] == []
    assert api("department").post("/api/v1/volunteers/activities/", body(team, grid_a, people), format="json").status_code == 404
    assert api("inspector").post("/api/v1/volunteers/activities/", body(team, grid_a, people), format="json").status_code == 403


@pytest.mark.parametrize("change, field, message", [
    ({"date": (timezone.localdate() + timedelta(days=1)).isoformat()}, "date", "An activity cannot be recorded before the day it is held."),
    ({"volunteers": []}, "volunteers", "Name at least one volunteer who served at it."),
    ({"compounds": [987654]}, "compounds", "No such compound: choose compounds from the list."),
    ({"grid": "320724100009009"}, "grid", "No such grid."),
    ({"audience": -5}, "audience", "The audience cannot be below zero."),
    ({"audience": "many"}, "audience", "The audience is a whole number of people."),
])
def test_bad_input_gets_a_message_for_its_field_and_records_nothing(api, team, people, grid_a, change, field, message):
    answer = api("dispatcher").post("/api/v1/volunteers/activities/", body(team, grid_a, people, **change), format="json")
    assert answer.status_code == 400 and answer.json()[field] == [message]
    assert not Activity.objects.exists()


def test_a_compound_of_another_grid_is_refused_with_its_name(api, team, people, grid_a, compounds):
    answer = api("worker_a").post("/api/v1/volunteers/activities/", body(team, grid_a, people, compounds=[compounds["old_b"].pk]), format="json")
    assert answer.status_code == 400
    assert answer.json()["compounds"] == [f"供销社家属院: not in {grid_a.name}. Choose only compounds of the grid the activity was held in."]
    assert not Activity.objects.exists()


def test_hours_out_of_range_and_a_volunteer_twice_are_refused(api, team, people, grid_a):
    twice = [{"volunteer": people[0].pk, "hours": 2}, {"volunteer": people[0].pk, "hours": 1}]
    answer = api("dispatcher").post("/api/v1/volunteers/activities/", body(team, grid_a, people, volunteers=twice), format="json")
    assert answer.json() == {"detail": "The activity was not recorded: see the fields.", "volunteers": ["Each volunteer is named once."]}
    too_long = [{"volunteer": people[0].pk, "hours": 25}]
    answer = api("dispatcher").post("/api/v1/volunteers/activities/", body(team, grid_a, people, volunteers=too_long), format="json")
    assert answer.status_code == 400 and "volunteers" in answer.json()
    assert not Activity.objects.exists()


def test_photos_are_added_to_an_activity_by_upload(api, users, team, people, grid_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    activity = record(users["dispatcher"], team=team, grid=grid_a, volunteers=people[:1])
    answer = api("worker_a").post(f"/api/v1/volunteers/activities/{activity.pk}/photos/", {"photos": [jpeg(), jpeg("b.jpg")]}, format="multipart")
    assert answer.status_code == 201 and len(answer.json()["photos"]) == 2
    refused = api("worker_a").post(f"/api/v1/volunteers/activities/{activity.pk}/photos/", {"photos": []}, format="multipart")
    assert refused.status_code == 400 and refused.json()["photos"] == ["Choose at least one photo."]
    assert Event.objects.filter(activity=activity, action=Event.Action.PHOTO_ADD).count() == 1


def test_the_coverage_of_a_period_and_a_team(api, users, team, people, grid_a, grid_b, compounds):
    record(users["dispatcher"], team=team, grid=grid_a, volunteers=people[:1], compounds=[compounds["old_a"]], day=date(2026, 2, 3))
    answer = api("official").get("/api/v1/volunteers/coverage/", {"period": "quarter", "year": 2026, "quarter": 1, "team": team.pk})
    assert answer.status_code == 200, answer.content
    figures = answer.json()
    assert (figures["start"], figures["end"], figures["team"]) == ("2026-01-01", "2026-03-31", team.pk)
    assert figures["total"] == {"sessions": 1, "activities": 1, "grids_reached": 1, "old_compounds_reached": 1, "audience": 40, "hours": "2.0"}
    assert (figures["grid_count"], figures["old_compound_count"]) == (2, 2)
    assert [grid["code"] for grid in figures["grids_missing"]] == [grid_b.code]
    assert [compound["name"] for compound in figures["old_compounds_missing"]] == ["供销社家属院"]
    assert [month["month"] for month in figures["by_month"]] == ["2026-01", "2026-02", "2026-03"]
    wrong = api("official").get("/api/v1/volunteers/coverage/", {"period": "custom", "start": "2026-05-01", "end": "2026-04-01"})
    assert wrong.status_code == 400 and wrong.json()["end"] == ["The period ends before it starts."]
    assert api("official").get("/api/v1/volunteers/coverage/", {"month": 13}).status_code == 400
    assert api("worker_a").get("/api/v1/volunteers/coverage/").status_code == 404
    assert api("department").get("/api/v1/volunteers/coverage/").status_code == 404
