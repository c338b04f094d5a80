"""Starting, tracking, checking in and stopping a patrol through the services: every call may come
twice or late from a phone that lost its signal, and changes nothing the second time."""

import uuid
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from accounts.models import Role
from grids.models import Compound, GridWorker
from incidents.errors import Conflict, InvalidInput, Missing, NotAllowed
from patrols import services
from patrols.models import Patrol, PatrolCheckin, PatrolEvent, PatrolPoint

from ..conftest import local, make_user
from .helpers import A_HEIGHT_M, A_WIDTH_M, MIDDLE_OF_A, across_a, fix, ms, patrol_with, start, walk

NINE = local(2026, 11, 26, 9, 0)  # a Thursday


@pytest.fixture
def worker(users):
    return users["worker_a"]


@pytest.fixture
def compound(grid_a):
    return Compound.objects.create(grid=grid_a, name="光明小区", latitude=34.085, longitude=119.345)


def test_a_worker_starts_a_patrol_in_their_grid_and_it_is_recorded(worker, grid_a):
    patrol, created = services.patrol_start(worker=worker, uuid=uuid.uuid4(), started_at=NINE, now=NINE)
    assert created and patrol.running and patrol.grid == grid_a and patrol.started_at == NINE
    assert patrol.coverage is None and patrol.point_count == 0
    event = patrol.events.get()
    assert (event.action, event.actor, event.data["grid"]) == (PatrolEvent.Action.START, worker, grid_a.code)


def test_the_same_uuid_again_is_the_same_patrol(worker):
    same = uuid.uuid4()
    first, _ = services.patrol_start(worker=worker, uuid=same, now=NINE)
    again, created = services.patrol_start(worker=worker, uuid=str(same), now=NINE + timedelta(seconds=30))
    assert again == first and not created
    assert Patrol.objects.count() == 1 and PatrolEvent.objects.count() == 1


def test_another_workers_uuid_is_a_conflict(users):
    same = uuid.uuid4()
    services.patrol_start(worker=users["worker_a"], uuid=same, now=NINE)
    with pytest.raises(Conflict):
        services.patrol_start(worker=users["worker_b"], uuid=same, now=NINE)


def test_a_second_running_patrol_is_refused_saying_when_the_first_started(worker):
    start(worker, NINE)
    with pytest.raises(Conflict) as refused:
        services.patrol_start(worker=worker, uuid=uuid.uuid4(), now=NINE + timedelta(hours=1))
    assert "2026-11-26 09:00" in refused.value.message
    assert Patrol.objects.count() == 1


def test_once_stopped_another_patrol_may_start(worker):
    first = start(worker, NINE)
    services.patrol_stop(worker=worker, uuid=first.uuid, now=NINE + timedelta(hours=1))
    second = start(worker, NINE + timedelta(hours=2))
    assert second.running and Patrol.objects.filter(worker=worker).count() == 2


def test_the_database_holds_one_running_patrol_per_worker(worker, grid_a):
    Patrol.objects.create(uuid=uuid.uuid4(), worker=worker, grid=grid_a, started_at=NINE)
    with pytest.raises(IntegrityError), transaction.atomic():
        Patrol.objects.create(uuid=uuid.uuid4(), worker=worker, grid=grid_a, started_at=NINE)


def test_a_patrol_left_running_yesterday_is_closed_at_its_last_position_when_today_starts(worker):
    yesterday = NINE - timedelta(days=1)
    forgotten = patrol_with(worker, across_a(yesterday), at=yesterday, stop=False)
    today = start(worker, NINE)
    forgotten.refresh_from_db()
    assert today.running and forgotten.ended_at == forgotten.last_point_at == yesterday + timedelta(seconds=50 * 15)
    assert forgotten.events.filter(action=PatrolEvent.Action.CLOSED_BY_WATCH, actor=None).exists()


def test_only_grid_workers_with_a_grid_patrol(users, db):
    for who in ("dispatcher", "official", "department", "admin"):
        with pytest.raises(NotAllowed):
            services.patrol_start(worker=users[who], uuid=uuid.uuid4(), now=NINE)
    gridless = make_user("gridless", Role.WORKER)
    GridWorker.objects.create(user=gridless)
    with pytest.raises(NotAllowed):
        services.patrol_start(worker=gridless, uuid=uuid.uuid4(), now=NINE)
    assert not Patrol.objects.exists()


@pytest.mark.parametrize(
    ("started", "taken"),
    [
        (NINE - timedelta(hours=23, minutes=59), True),
        (NINE - timedelta(hours=24, minutes=1), False),
        (NINE + timedelta(minutes=4), True),  # the phone's clock a little ahead
        (NINE + timedelta(minutes=6), False),
    ],
)
def test_the_start_is_taken_from_the_phone_within_24_hours_and_not_in_the_future(worker, started, taken):
    if taken:
        patrol, _ = services.patrol_start(worker=worker, uuid=uuid.uuid4(), started_at=started, now=NINE)
        assert patrol.started_at == started
    else:
        with pytest.raises(InvalidInput) as refused:
            services.patrol_start(worker=worker, uuid=uuid.uuid4(), started_at=started, now=NINE)
        assert "started_at" in refused.value.fields
        assert not Patrol.objects.exists()


def test_a_grid_the_worker_does_not_serve_is_refused(worker, grid_b):
    with pytest.raises(InvalidInput) as refused:
        services.patrol_start(worker=worker, uuid=uuid.uuid4(), grid=grid_b, now=NINE)
    assert "grid" in refused.value.fields


def test_a_worker_of_two_grids_patrols_the_grid_of_the_first_position_unless_they_chose(worker, grid_a, grid_b):
    worker.grid_worker.grids.add(grid_b)
    in_b = walk(NINE, (34.085, 119.352), (34.085, 119.358), steps=10)
    moved = start(worker, NINE)
    assert moved.grid == grid_a  # the first by code, until a position arrives
    services.patrol_add_points(worker=worker, uuid=moved.uuid, points=in_b, now=NINE + timedelta(minutes=5))
    moved.refresh_from_db()
    assert moved.grid == grid_b and moved.events.filter(action=PatrolEvent.Action.GRID).exists()
    services.patrol_stop(worker=worker, uuid=moved.uuid, now=NINE + timedelta(minutes=5))

    chosen = start(worker, NINE + timedelta(minutes=10), grid=grid_a)
    services.patrol_add_points(worker=worker, uuid=chosen.uuid, points=walk(NINE + timedelta(minutes=10), (34.085, 119.352), (34.085, 119.358), steps=10), now=NINE + timedelta(minutes=15))
    chosen.refresh_from_db()
    assert chosen.grid == grid_a and chosen.coverage == 0


def test_distance_and_coverage_of_a_track_across_the_middle_of_the_grid(worker):
    """Edge to edge along the middle of a square grid: 30 m either side of the track is a band
    60 m tall and as wide as the grid, so the share is 60 m over the grid's height."""
    patrol = patrol_with(worker, across_a(NINE), at=NINE)
    assert patrol.point_count == 51
    assert patrol.distance_m == pytest.approx(A_WIDTH_M, rel=1e-4)  # 921 m
    assert patrol.coverage == pytest.approx(60 / A_HEIGHT_M, rel=1e-6)  # 0.054
    assert patrol.duration_seconds(NINE + timedelta(days=1)) == 50 * 15


def test_the_coverage_of_a_track_along_an_edge_counts_only_the_inside(worker):
    """Along the southern edge, only the 30 m inside the grid count: half the band."""
    points = walk(NINE, (34.08, 119.34), (34.08, 119.35), steps=50)
    patrol = patrol_with(worker, points, at=NINE)
    assert patrol.coverage == pytest.approx(30 / A_HEIGHT_M, rel=1e-6)


def test_a_batch_sent_again_adds_nothing_and_gets_the_same_answer(worker):
    patrol = start(worker, NINE)
    batch = across_a(NINE)
    first = services.patrol_add_points(worker=worker, uuid=patrol.uuid, points=batch, now=NINE + timedelta(minutes=13))
    again = services.patrol_add_points(worker=worker, uuid=patrol.uuid, points=batch, now=NINE + timedelta(minutes=14))
    assert (first["accepted"], first["dropped"]) == (again["accepted"], again["dropped"]) == (51, 0)
    assert PatrolPoint.objects.filter(patrol=patrol).count() == 51
    assert again["patrol"].distance_m == pytest.approx(A_WIDTH_M, rel=1e-4)


def test_positions_nearer_than_5_m_to_the_previous_kept_are_thinned(worker):
    patrol = start(worker, NINE)
    # Every 1.1 m (0.00001° of latitude) for 10 fixes: one kept per 5 m, from the first.
    standing = walk(NINE, (34.085, 119.345), (34.0851, 119.345), steps=10, seconds_apart=3)
    answer = services.patrol_add_points(worker=worker, uuid=patrol.uuid, points=standing, now=NINE + timedelta(minutes=1))
    kept = list(patrol.points.values_list("latitude", flat=True))
    assert answer["accepted"] == len(kept) == 3  # 0 m, 5.6 m, 11.1 m
    assert answer["dropped"] == 8
    # The next batch starts from the last position stored: 2 m further on is nothing new.
    later = [fix(NINE + timedelta(seconds=60), 34.08512, 119.345), fix(NINE + timedelta(seconds=70), 34.0852, 119.345)]
    answer = services.patrol_add_points(worker=worker, uuid=patrol.uuid, points=later, now=NINE + timedelta(minutes=2))
    assert (answer["accepted"], answer["dropped"]) == (1, 1)
    assert patrol.points.count() == 4


def test_inaccurate_positions_are_dropped(worker, settings):
    patrol = start(worker, NINE)
    points = across_a(NINE, steps=10)
    points[3]["accuracy"] = 50.0
    points[4]["accuracy"] = 51.0
    points[5]["accuracy"] = 300.0
    answer = services.patrol_add_points(worker=worker, uuid=patrol.uuid, points=points, now=NINE + timedelta(minutes=5))
    assert (answer["accepted"], answer["dropped"]) == (9, 2)
    assert not patrol.points.filter(accuracy_m__gt=settings.PATROL_MAX_ACCURACY_M).exists()


@pytest.mark.parametrize(
    ("bad", "key", "says"),
    [
        ({"lat": "34.085"}, "lat", "number"),
        ({"lat": 95}, "lat", "between"),
        ({"lng": None}, "lng", "number"),
        ({"accuracy": True}, "accuracy", "number"),
        ({"accuracy": -1}, "accuracy", "negative"),
        ({"t": None}, "t", "number"),
        ({"t": 10**30}, "t", "time"),
        ({"t": ms(NINE + timedelta(hours=2))}, "t", "future"),
        ({"t": ms(NINE - timedelta(minutes=2))}, "t", "before the patrol started"),
    ],
)
def test_a_bad_position_refuses_the_batch_naming_it_by_index(worker, bad, key, says):
    patrol = start(worker, NINE)
    points = across_a(NINE, steps=5)
    points[2].update(bad)
    with pytest.raises(InvalidInput) as refused:
        services.patrol_add_points(worker=worker, uuid=patrol.uuid, points=points, now=NINE + timedelta(minutes=2))
    (message,) = refused.value.fields["points"]["2"]
    assert message.startswith(f"{key}:") and says in message
    assert list(refused.value.fields["points"]) == ["2"]
    assert not patrol.points.exists()


def test_a_position_without_its_time_or_not_an_object_is_named(worker):
    patrol = start(worker, NINE)
    points = across_a(NINE, steps=3)
    del points[1]["t"]
    points[2] = [34.085, 119.345]
    with pytest.raises(InvalidInput) as refused:
        services.patrol_add_points(worker=worker, uuid=patrol.uuid, points=points, now=NINE + timedelta(minutes=2))
    assert refused.value.fields["points"]["1"] == ["t: This field is required."]
    assert "object" in refused.value.fields["points"]["2"][0]


def test_a_late_batch_keeps_the_positions_up_to_the_end(worker):
    patrol = start(worker, NINE)
    end = NINE + timedelta(seconds=25 * 15)
    services.patrol_stop(worker=worker, uuid=patrol.uuid, ended_at=end, now=end + timedelta(minutes=1))
    # Kept offline, sent an hour later: half of it before the end.
    answer = services.patrol_add_points(worker=worker, uuid=patrol.uuid, points=across_a(NINE), now=NINE + timedelta(hours=1))
    assert (answer["accepted"], answer["dropped"]) == (26, 25)
    assert patrol.points.filter(recorded_at__gt=end).count() == 0
    with pytest.raises(Conflict) as refused:
        after = walk(end + timedelta(minutes=1), (34.085, 119.345), (34.086, 119.345), steps=3)
        services.patrol_add_points(worker=worker, uuid=patrol.uuid, points=after, now=NINE + timedelta(hours=1))
    assert "stopped" in refused.value.message


def test_someone_elses_patrol_is_missing(users, compound):
    theirs = start(users["worker_b"], NINE)
    mine = users["worker_a"]
    with pytest.raises(Missing):
        services.patrol_add_points(worker=mine, uuid=theirs.uuid, points=across_a(NINE), now=NINE)
    with pytest.raises(Missing):
        services.patrol_stop(worker=mine, uuid=theirs.uuid, now=NINE)
    with pytest.raises(Missing):
        services.patrol_checkin(
            worker=mine, uuid=theirs.uuid, checkin_uuid=uuid.uuid4(), compound_id=compound.pk, latitude=34.085, longitude=119.345, now=NINE
        )
    theirs.refresh_from_db()
    assert theirs.running and not theirs.points.exists()


def test_stop_is_idempotent_and_recorded_once(worker):
    patrol = start(worker, NINE)
    first = services.patrol_stop(worker=worker, uuid=patrol.uuid, now=NINE + timedelta(hours=1))
    again = services.patrol_stop(worker=worker, uuid=patrol.uuid, now=NINE + timedelta(hours=2))
    assert first.ended_at == again.ended_at == NINE + timedelta(hours=1)
    assert patrol.events.filter(action=PatrolEvent.Action.STOP).count() == 1
    assert again.duration_seconds(NINE + timedelta(days=3)) == 3600


def test_stop_refuses_an_end_before_the_start_and_never_ends_before_the_last_position(worker):
    patrol = patrol_with(worker, across_a(NINE), at=NINE, stop=False)
    with pytest.raises(InvalidInput) as refused:
        services.patrol_stop(worker=worker, uuid=patrol.uuid, ended_at=NINE - timedelta(minutes=1), now=NINE + timedelta(hours=1))
    assert "ended_at" in refused.value.fields
    stopped = services.patrol_stop(worker=worker, uuid=patrol.uuid, ended_at=NINE + timedelta(minutes=1), now=NINE + timedelta(hours=1))
    assert stopped.ended_at == patrol.last_point_at


def test_the_duration_runs_to_now_today_and_to_the_last_position_once_the_day_is_over(worker):
    patrol = patrol_with(worker, across_a(NINE), at=NINE, stop=False)
    assert patrol.duration_seconds(NINE + timedelta(hours=2)) == 7200
    assert patrol.duration_seconds(NINE + timedelta(days=1)) == 50 * 15


def test_a_checkin_within_reach_of_a_compound_of_the_workers_grid(worker, compound):
    patrol = start(worker, NINE)
    checkin, created = services.patrol_checkin(
        worker=worker, uuid=patrol.uuid, checkin_uuid=uuid.uuid4(), compound_id=compound.pk,
        latitude=34.0859, longitude=119.345, now=NINE + timedelta(minutes=10),
    )
    assert created and checkin.compound == compound and checkin.distance_m == pytest.approx(100, abs=1)
    assert checkin.at == NINE + timedelta(minutes=10)
    assert patrol.events.filter(action=PatrolEvent.Action.CHECKIN, data__compound=compound.pk).exists()


def test_the_same_checkin_sent_again_is_one_checkin(worker, compound):
    patrol = start(worker, NINE)
    same = uuid.uuid4()
    values = {"worker": worker, "uuid": patrol.uuid, "checkin_uuid": same, "compound_id": compound.pk, "latitude": 34.085, "longitude": 119.345}
    first, _ = services.patrol_checkin(**values, now=NINE + timedelta(minutes=1))
    again, created = services.patrol_checkin(**values, now=NINE + timedelta(minutes=9))
    assert again == first and not created
    assert PatrolCheckin.objects.count() == 1 and patrol.events.filter(action=PatrolEvent.Action.CHECKIN).count() == 1


def test_a_checkin_too_far_away_says_how_far_and_how_near_it_must_be(worker, compound):
    patrol = start(worker, NINE)
    with pytest.raises(InvalidInput) as refused:
        services.patrol_checkin(
            worker=worker, uuid=patrol.uuid, checkin_uuid=uuid.uuid4(), compound_id=compound.pk,
            latitude=34.08878, longitude=119.345, now=NINE + timedelta(minutes=10),
        )
    assert refused.value.message == "You are 420 m from 光明小区; check in within 150 m."
    assert not PatrolCheckin.objects.exists()


def test_a_checkin_at_another_grids_compound_is_refused(worker, grid_b):
    theirs = Compound.objects.create(grid=grid_b, name="东园新村", latitude=34.085, longitude=119.355)
    patrol = start(worker, NINE)
    with pytest.raises(InvalidInput) as refused:
        services.patrol_checkin(
            worker=worker, uuid=patrol.uuid, checkin_uuid=uuid.uuid4(), compound_id=theirs.pk, latitude=34.085, longitude=119.355, now=NINE
        )
    assert "compound" in refused.value.fields


def test_a_checkin_after_the_patrol_stopped_is_a_conflict(worker, compound):
    patrol = start(worker, NINE)
    services.patrol_stop(worker=worker, uuid=patrol.uuid, now=NINE + timedelta(minutes=30))
    with pytest.raises(Conflict):
        services.patrol_checkin(
            worker=worker, uuid=patrol.uuid, checkin_uuid=uuid.uuid4(), compound_id=compound.pk,
            latitude=34.085, longitude=119.345, now=NINE + timedelta(minutes=40),
        )
    # Made on the way and sent late, it is taken.
    checkin, created = services.patrol_checkin(
        worker=worker, uuid=patrol.uuid, checkin_uuid=uuid.uuid4(), compound_id=compound.pk,
        latitude=34.085, longitude=119.345, at=NINE + timedelta(minutes=20), now=NINE + timedelta(minutes=40),
    )
    assert created and checkin.at == NINE + timedelta(minutes=20)


def test_the_figures_take_a_late_batch_falling_between_stored_positions(worker):
    patrol = start(worker, NINE)
    points = across_a(NINE)
    services.patrol_add_points(worker=worker, uuid=patrol.uuid, points=points[:10] + points[40:], now=NINE + timedelta(minutes=13))
    services.patrol_add_points(worker=worker, uuid=patrol.uuid, points=points[10:40], now=NINE + timedelta(minutes=14))
    patrol.refresh_from_db()
    assert patrol.point_count == 51
    assert patrol.distance_m == pytest.approx(A_WIDTH_M, rel=1e-4)
    assert patrol.coverage == pytest.approx(60 / A_HEIGHT_M, rel=1e-6)
    assert patrol.last_point_at == NINE + timedelta(seconds=50 * 15)


def test_the_coverage_plane_is_accurate_at_grid_scale():
    from patrols.coverage import grid_coverage

    square = {"type": "Polygon", "coordinates": [[[119.34, 34.08], [119.35, 34.08], [119.35, 34.09], [119.34, 34.09], [119.34, 34.08]]]}
    # A meandering walk covering the whole grid: the share cannot pass 1.
    rows = [[(34.08 + 0.0005 * n, 119.34), (34.08 + 0.0005 * n, 119.35)] for n in range(21)]
    track = [position for n, row in enumerate(rows) for position in (row if n % 2 == 0 else row[::-1])]
    assert grid_coverage(square, [track]) == pytest.approx(1.0)
    assert grid_coverage(square, []) == 0.0
    assert grid_coverage(square, [[(MIDDLE_OF_A, 119.345)]]) == pytest.approx(3.1214 * 900 / (A_WIDTH_M * A_HEIGHT_M), rel=1e-3)
