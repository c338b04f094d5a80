"""The console's volunteer pages per role: the command centre records and sees phones (each full
sight recorded), inspectors and officials read with phones masked, department members find no
such pages; lists cost the same queries for few rows as for many; the form shows each refusal."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import PersonalDataView
from volunteers import services
from volunteers.models import Activity, ActivityPhoto, Volunteer

from .helpers import jpeg, record

PAGES = ["/console/volunteers/", "/console/volunteers/teams/", "/console/volunteers/people/", "/console/volunteers/activities/"]


@pytest.mark.parametrize("path", PAGES)
def test_the_pages_are_for_the_town_wide_readers(browse, people, path):
    for reader in ("dispatcher", "inspector", "official", "admin"):
        assert browse(reader).get(path).status_code == 200, reader
    assert browse("department").get(path).status_code == 404
    assert browse("worker_a").get(path).status_code == 403  # the console is not a grid worker's
    assert browse(None).get(path).status_code == 302


def test_the_command_centre_sees_phones_in_full_and_each_sight_is_recorded(browse, users, people):
    page = browse("dispatcher").get("/console/volunteers/people/")
    assert "13812340001" in page.content.decode()
    views = PersonalDataView.objects.filter(viewer=users["dispatcher"])
    assert sorted(views.values_list("record_id", flat=True)) == sorted(volunteer.pk for volunteer in people if volunteer.phone)
    assert all(view.fields == ["phone"] and view.where == "/console/volunteers/people/" for view in views)


def test_inspectors_see_phones_masked_and_nothing_is_recorded(browse, people):
    html = browse("inspector").get("/console/volunteers/people/").content.decode()
    assert "13812340001" not in html and "138****0001" in html
    assert not PersonalDataView.objects.exists()


def test_the_volunteer_list_filters_by_team_profession_and_name(browse, people):
    page = browse("official").get("/console/volunteers/people/", {"profession": Volunteer.Profession.LAWYER})
    assert [volunteer.name for volunteer, _phone in page.context["rows"]] == ["张敏"]
    page = browse("official").get("/console/volunteers/people/", {"q": "政策"})
    assert [volunteer.name for volunteer, _phone in page.context["rows"]] == ["王芳"]


def test_the_coverage_page_lists_what_is_not_yet_reached(browse, users, team, people, grid_a, grid_b, compounds):
    record(users["dispatcher"], team=team, grid=grid_a, volunteers=people[:1], compounds=[compounds["old_a"]])
    page = browse("official").get("/console/volunteers/")
    html = page.content.decode()
    assert page.context["figures"].grids_missing == [grid_b] and "供销社家属院" in html and "<b>1</b> of 2 grids reached" in html
    last_year = browse("official").get("/console/volunteers/", {"period": "year", "year": timezone.localdate().year - 1})
    assert last_year.context["figures"].total.activities == 0
    wrong = browse("official").get("/console/volunteers/", {"period": "custom", "start": "2026-05-01", "end": "2026-04-01"})
    assert wrong.context["form"].errors == {"end": ["The period ends before it starts."]}


def test_the_lists_cost_the_same_queries_for_few_rows_as_for_many(browse, users, team, people, grid_a, compounds):
    client = browse("dispatcher")

    def cost(path):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    record(users["dispatcher"], team=team, grid=grid_a, volunteers=people[:1], compounds=[compounds["old_a"]])
    few = {path: cost(path) for path in PAGES}
    for _n in range(15):
        record(users["dispatcher"], team=team, grid=grid_a, volunteers=people, compounds=[compounds["old_a"], compounds["new_a"]])
    services.volunteers_register(actor=users["dispatcher"], team=team, people=[
        {"name": f"志愿者{n}", "profession": Volunteer.Profession.RESIDENT, "phone": f"1390000{n:04d}"} for n in range(15)
    ])
    assert {path: cost(path) for path in PAGES} == few


def test_the_command_centre_records_an_activity_from_the_form(browse, users, team, people, grid_a, compounds, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = browse("dispatcher")
    assert client.get("/console/volunteers/activities/new/").status_code == 200
    answer = client.post("/console/volunteers/activities/new/", {
        "kind": Activity.Kind.HISTORY_OUTREACH, "title": "红色故事会", "team": team.pk, "date": timezone.localdate().isoformat(),
        "grid": grid_a.pk, "audience": 60, "compounds": [compounds["old_a"].pk], "notes": "",
        "volunteer": [people[0].pk, people[1].pk], f"hours-{people[0].pk}": "2", f"hours-{people[1].pk}": "1.5",
        "photos": [jpeg()],
    })
    activity = Activity.objects.get()
    assert answer.status_code == 302 and answer.url == f"/console/volunteers/activities/{activity.pk}/"
    assert activity.participations.count() == 2 and ActivityPhoto.objects.filter(activity=activity).count() == 1
    detail = client.get(answer.url)
    assert "红色故事会" in detail.content.decode() and "粮食局宿舍" in detail.content.decode()
    photo = ActivityPhoto.objects.get()
    assert client.get(f"/console/volunteers/photos/{photo.pk}/")["Content-Type"] == "image/jpeg"
    assert browse("worker_a").get(f"/console/volunteers/photos/{photo.pk}/").status_code == 200  # held in worker_a's grid
    assert browse("worker_b").get(f"/console/volunteers/photos/{photo.pk}/").status_code == 404
    assert browse("department").get(f"/console/volunteers/activities/{activity.pk}/").status_code == 404


def test_the_form_shows_each_refusal_beside_its_field_and_records_nothing(browse, team, people, grid_a):
    answer = browse("dispatcher").post("/console/volunteers/activities/new/", {
        "kind": Activity.Kind.POLICY_OUTREACH, "title": "医保政策宣讲", "team": team.pk,
        "date": (timezone.localdate() + timedelta(days=2)).isoformat(), "grid": grid_a.pk, "audience": 10,
    })
    assert answer.status_code == 200 and not Activity.objects.exists()
    assert answer.context["form"].errors == {"date": ["An activity cannot be recorded before the day it is held."]}
    assert answer.context["extra_errors"] == {"volunteers": "Name at least one volunteer who served at it."}
    answer = browse("dispatcher").post("/console/volunteers/activities/new/", {
        "kind": Activity.Kind.POLICY_OUTREACH, "title": "医保政策宣讲", "team": team.pk, "date": timezone.localdate().isoformat(),
        "grid": grid_a.pk, "audience": -3, "volunteer": [people[0].pk], f"hours-{people[0].pk}": "30",
    })
    assert answer.context["form"].errors == {"audience": ["The audience cannot be below zero."]}
    html = answer.content.decode()
    assert 'value="30"' in html and f'value="{people[0].pk}" id="volunteer-{people[0].pk}" checked' in html  # kept as typed
    assert not Activity.objects.exists()


def test_readers_may_not_record(browse):
    assert browse("inspector").get("/console/volunteers/activities/new/").status_code == 403
    assert browse("department").get("/console/volunteers/activities/new/").status_code == 404


def test_the_teams_page_counts_the_period_chosen_this_year_by_default(browse, users, team, people, grid_a, compounds):
    """As the coverage page: this year's activities and hours unless another period is chosen,
    and it says which period it shows."""
    today = timezone.localdate()
    record(users["dispatcher"], team=team, grid=grid_a, volunteers=people[:2], compounds=[compounds["old_a"]])
    record(users["dispatcher"], team=team, grid=grid_a, volunteers=people[:1], day=today.replace(year=today.year - 1, month=6, day=1))
    page = browse("official").get("/console/volunteers/teams/")
    (shown,) = page.context["teams"]
    assert (shown.activity_count, shown.hours, shown.members) == (1, 4, 3)
    html = page.content.decode()
    assert f"from {today.year}-01-01 to {today.year}-12-31" in html and "Hours served in the period" in html
    coverage = browse("official").get("/console/volunteers/").context["figures"]
    ((_team, figures),) = coverage.by_team
    assert (figures.activities, figures.hours) == (shown.activity_count, shown.hours)
    last_year = browse("official").get("/console/volunteers/teams/", {"period": "year", "year": today.year - 1})
    (shown,) = last_year.context["teams"]
    assert (shown.activity_count, shown.hours) == (1, 2)
    assert f"period=year&amp;year={today.year - 1}&amp;team={team.pk}" in last_year.content.decode()


def test_the_activity_form_s_team_hint_is_marked_for_the_script_to_hide(browse, people):
    html = browse("dispatcher").get("/console/volunteers/activities/new/").content.decode()
    assert "data-team-hint" in html and "console/volunteers.js" in html
