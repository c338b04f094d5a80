"""Who sees which patrols, the worker's patrol of today, and each grid's coverage per day."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grids.models import Compound
from patrols import services
from patrols.selectors import (
    checkin_compounds,
    coverage_by_grid_and_day,
    patrol_today,
    patrols_visible_to,
    workers_without_patrol,
)

from ..conftest import local
from .helpers import A_HEIGHT_M, A_WIDTH_M, MIDDLE_OF_A, across_a, patrol_with, start, walk

NINE = local(2026, 11, 26, 9, 0)
DAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("role", "sees"),
    [("worker_a", {"worker_a"}), ("worker_b", {"worker_b"}), ("dispatcher", {"worker_a", "worker_b"}),
     ("inspector", {"worker_a", "worker_b"}), ("official", {"worker_a", "worker_b"}), ("admin", {"worker_a", "worker_b"}),
     ("department", set())],
)
def test_each_role_sees_its_patrols(users, role, sees):
    start(users["worker_a"], NINE)
    start(users["worker_b"], NINE)
    assert {patrol.worker.username for patrol in patrols_visible_to(users[role])} == sees


def test_today_is_the_running_patrol_else_the_latest_of_today(users):
    worker = users["worker_a"]
    assert patrol_today(worker, now=NINE) is None
    first = start(worker, NINE)
    assert patrol_today(worker, now=NINE) == first
    services.patrol_stop(worker=worker, uuid=first.uuid, now=NINE + timedelta(hours=1))
    assert patrol_today(worker, now=NINE + timedelta(hours=2)) == first
    assert patrol_today(worker, now=NINE + timedelta(days=1)) is None
    second = start(worker, NINE + timedelta(hours=3))
    services.patrol_stop(worker=worker, uuid=second.uuid, now=NINE + timedelta(hours=4))
    assert patrol_today(worker, now=NINE + timedelta(hours=5)) == second


def test_a_worker_checks_in_at_the_compounds_of_their_grids(users, grid_a, grid_b):
    mine = Compound.objects.create(grid=grid_a, name="光明小区", latitude=34.085, longitude=119.345)
    Compound.objects.create(grid=grid_b, name="东园新村", latitude=34.085, longitude=119.355)
    assert list(checkin_compounds(users["worker_a"])) == [mine]
    assert not checkin_compounds(users["dispatcher"]).exists()


def test_workers_without_patrol_on_a_day_and_in_given_grids(users, grid_a, grid_b):
    start(users["worker_a"], NINE)
    assert [w.user.username for w in workers_without_patrol(DAY)] == ["worker_b"]
    assert [w.user.username for w in workers_without_patrol(DAY, grids=[grid_a])] == []
    assert [w.user.username for w in workers_without_patrol(DAY - timedelta(days=1))] == ["worker_a", "worker_b"]
    (worker,) = workers_without_patrol(DAY)
    assert list(worker.grids.all()) == [grid_b]


def test_a_grids_coverage_is_the_union_of_the_days_tracks_whoever_walked_them(users, grid_a, grid_b):
    across = across_a(NINE)
    patrol_with(users["worker_a"], across, at=NINE)
    # worker_b walks the same street into grid A: the union is still one band.
    patrol_with(users["worker_b"], walk(NINE, (MIDDLE_OF_A, 119.345), (MIDDLE_OF_A, 119.355), steps=30), at=NINE)
    days = {(row.grid.code, row.day): row for row in coverage_by_grid_and_day(DAY - timedelta(days=1), DAY)}
    a_today = days[grid_a.code, DAY]
    assert a_today.coverage == pytest.approx(60 / A_HEIGHT_M, rel=1e-3)
    assert a_today.patrols == 2 and a_today.workers == ["worker_a", "worker_b"]
    assert a_today.distance_m == pytest.approx(A_WIDTH_M * 1.5, rel=1e-3)
    b_today = days[grid_b.code, DAY]
    assert b_today.patrols == 1 and b_today.workers == ["worker_b"]
    # A band 60 m tall over half the grid's width, and the round end of the track: half a circle
    # of 30 m (drawn with 32 sides all round).
    half_circle = 3.12144 * 30**2 / 2
    assert b_today.coverage == pytest.approx((60 * A_WIDTH_M / 2 + half_circle) / (A_WIDTH_M * A_HEIGHT_M), rel=1e-4)
    assert days[grid_a.code, DAY - timedelta(days=1)].coverage == 0 and days[grid_a.code, DAY - timedelta(days=1)].patrols == 0


def test_a_patrol_without_positions_counts_in_its_own_grid(users, grid_a):
    start(users["worker_a"], NINE)
    (row,) = coverage_by_grid_and_day(DAY, DAY, grids=[grid_a])
    assert (row.patrols, row.workers, row.coverage) == (1, ["worker_a"], 0.0)


def test_a_past_day_is_read_from_the_cache_until_one_of_its_patrols_changes(users, grid_a):
    patrol = patrol_with(users["worker_a"], across_a(NINE), at=NINE, stop=False)
    coverage_by_grid_and_day(DAY - timedelta(days=6), DAY)
    with CaptureQueriesContext(connection) as cached:
        (row,) = [r for r in coverage_by_grid_and_day(DAY - timedelta(days=6), DAY, grids=[grid_a]) if r.day == DAY]
    assert not any("patrols_patrolpoint" in query["sql"] for query in cached.captured_queries)
    assert row.coverage == pytest.approx(60 / A_HEIGHT_M, rel=1e-3)
    # A late batch along the northern edge: the day is worked out again.
    services.patrol_add_points(
        worker=users["worker_a"], uuid=patrol.uuid, now=NINE + timedelta(hours=1),
        points=walk(NINE + timedelta(minutes=20), (34.09, 119.34), (34.09, 119.35), steps=50),
    )
    patrol.refresh_from_db()
    (row,) = [r for r in coverage_by_grid_and_day(DAY - timedelta(days=6), DAY, grids=[grid_a]) if r.day == DAY]
    assert row.coverage > 90 / A_HEIGHT_M and row.coverage == pytest.approx(patrol.coverage, rel=1e-3)
