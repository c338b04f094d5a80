"""The command centre's patrol page: who may open it, what a day shows, and what it costs."""

import uuid
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from grids.models import Compound, GridWorker
from patrols import services

from ..conftest import make_user
from ..patrols.helpers import across_a, patrol_with, walk

PAGE = reverse("console:patrols")


@pytest.fixture
def nine():
    """Nine this morning, or yesterday's if it is not yet nine: a day that has begun."""
    now = timezone.localtime()
    nine = now.replace(hour=9, minute=0, second=0, microsecond=0)
    return nine if nine < now - timedelta(minutes=20) else nine - timedelta(days=1)


def page(browse, who="dispatcher", **query):
    response = browse(who).get(PAGE, query)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("role", ["dispatcher", "inspector", "official", "admin"])
def test_the_command_centre_inspectors_and_officials_open_it(browse, role):
    response = browse(role).get(PAGE)
    assert response.status_code == 200
    assert f'href="{PAGE}"' in response.content.decode()  # in the console's sections


@pytest.mark.parametrize("role", ["worker_a", "department"])
def test_grid_workers_and_departments_are_refused(browse, role):
    assert browse(role).get(PAGE).status_code == 403


def test_departments_are_not_offered_the_page(browse):
    assert f'href="{PAGE}"' not in browse("department").get(reverse("console:cases")).content.decode()


def test_strangers_are_sent_to_log_in(browse):
    response = browse(None).get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_day_lists_its_patrols_with_their_figures_and_who_did_not_patrol(browse, users, grid_a, grid_b, nine):
    compound = Compound.objects.create(grid=grid_a, name="光明小区", latitude=34.085, longitude=119.345)
    patrol = patrol_with(users["worker_a"], across_a(nine), at=nine, stop=False)
    services.patrol_checkin(
        worker=users["worker_a"], uuid=patrol.uuid, checkin_uuid=uuid.uuid4(), compound_id=compound.pk,
        latitude=34.085, longitude=119.345, at=nine + timedelta(minutes=5), now=nine + timedelta(minutes=6),
    )
    response = page(browse, date=timezone.localdate(nine).isoformat())
    (row,) = response.context["rows"]
    assert row["patrol"] == patrol and row["has_track"]
    html = response.content.decode()
    assert "光明小区" in html and "921 m" in html and "5 %" in html
    assert [worker.user.username for worker in response.context["missing"]] == ["worker_b"]
    (track,) = response.context["map_tracks"]["features"]
    assert track["id"] == patrol.pk and track["geometry"]["coordinates"][0] == [119.34, 34.085]
    # A straight walk is drawn with its two ends.
    assert len(track["geometry"]["coordinates"]) == 2


def test_the_coverage_table_covers_seven_days_ending_with_the_day(browse, users, grid_a, grid_b, nine):
    two_days_ago = nine - timedelta(days=2)
    patrol_with(users["worker_a"], walk(two_days_ago, (34.085, 119.342), (34.085, 119.348), steps=20), at=two_days_ago)
    response = page(browse, date=timezone.localdate(nine).isoformat())
    days = [shown["date"] for shown in response.context["days"]]
    assert days[-1] == timezone.localdate(nine) and len(days) == 7
    rows = {entry["grid"].code: entry for entry in response.context["coverage_rows"]}
    walked = [cell["shade"] != "cov-none" for cell in rows[grid_a.code]["days"]]
    assert walked == [False, False, False, False, True, False, False]
    assert all(cell["shade"] == "cov-none" for cell in rows[grid_b.code]["days"])
    shades = {feature["properties"]["code"]: feature["properties"]["shade"] for feature in response.context["map_grids"]["features"]}
    assert shades == {grid_a.code: "cov-none", grid_b.code: "cov-none"}


def test_the_map_shades_each_grid_by_the_days_coverage(browse, users, grid_a, grid_b, nine):
    patrol_with(users["worker_a"], across_a(nine), at=nine)
    response = page(browse, date=timezone.localdate(nine).isoformat())
    properties = {f["properties"]["code"]: f["properties"] for f in response.context["map_grids"]["features"]}
    assert properties[grid_a.code]["coverage"] == pytest.approx(0.054, abs=0.001) and properties[grid_a.code]["shade"] == "cov-1"
    assert properties[grid_b.code]["coverage"] is not None  # the track's end reaches 30 m into B
    assert properties[grid_b.code]["coverage"] < 0.01


def test_it_filters_by_grid_and_by_community(browse, users, grid_a, grid_b, community, nine):
    patrol_with(users["worker_a"], across_a(nine), at=nine)
    patrol_with(users["worker_b"], walk(nine, (34.085, 119.352), (34.085, 119.358), steps=10), at=nine)
    day = timezone.localdate(nine).isoformat()
    only_b = page(browse, date=day, grid=grid_b.code)
    assert [row["patrol"].worker.username for row in only_b.context["rows"]] == ["worker_b"]
    assert [entry["grid"].code for entry in only_b.context["coverage_rows"]] == [grid_b.code]
    everyone = page(browse, date=day, community=community.code)
    assert len(everyone.context["rows"]) == 2
    assert f"grid={grid_b.code}" in only_b.context["previous_url"]  # the place stays as the day changes


def test_the_days_around_are_linked_and_tomorrow_is_not(browse, users):
    today = timezone.localdate()
    response = page(browse)
    assert response.context["day"] == today
    assert response.context["next_url"] == "" and (today - timedelta(days=1)).isoformat() in response.context["previous_url"]
    past = page(browse, date=(today - timedelta(days=3)).isoformat())
    assert (today - timedelta(days=2)).isoformat() in past.context["next_url"]


def test_bad_filters_are_said_and_list_nothing(browse, users, grid_b, nine):
    patrol_with(users["worker_a"], across_a(nine), at=nine)
    for query in ({"date": "27/11/2026"}, {"grid": "nope"}, {"community": "320724100009", "grid": grid_b.code}):
        response = page(browse, **query)
        assert response.context["form"].errors and response.context["rows"] == [], query
        assert response.context["coverage_rows"] == [] and response.context["missing"] == []


def queries_for_page(browse, day) -> int:
    cache.clear()  # the day's coverage is worked out afresh each time
    client = browse("dispatcher")
    with CaptureQueriesContext(connection) as captured:
        assert client.get(PAGE, {"date": day.isoformat()}).status_code == 200
    return len(captured)


def test_the_page_costs_the_same_queries_for_2_patrols_as_for_12(browse, users, grid_a, grid_b, nine):
    compound = Compound.objects.create(grid=grid_a, name="光明小区", latitude=34.085, longitude=119.345)
    day = timezone.localdate(nine)

    def patrols_by_new_workers(count: int, offset: int):
        for n in range(count):
            worker = make_user(f"extra{offset + n}", Role.WORKER)
            GridWorker.objects.create(user=worker).grids.add(grid_a if n % 2 else grid_b)
            patrol = patrol_with(worker, walk(nine, (34.0851 + n * 0.0001, 119.3405), (34.0851 + n * 0.0001, 119.3595), steps=20), at=nine)
            if n % 2:
                services.patrol_checkin(
                    worker=worker, uuid=patrol.uuid, checkin_uuid=uuid.uuid4(), compound_id=compound.pk,
                    latitude=34.085, longitude=119.345, at=nine + timedelta(minutes=1), now=nine + timedelta(minutes=6),
                )

    patrols_by_new_workers(2, 0)
    few = queries_for_page(browse, day)
    patrols_by_new_workers(10, 2)
    assert queries_for_page(browse, day) == few


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_day_out_of_any_record_is_said_not_a_server_error(browse, users, day):
    response = page(browse, date=day)
    assert "date" in response.context["form"].errors
