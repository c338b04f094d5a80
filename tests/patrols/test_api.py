"""The patrol API per role: a worker acts on their own patrols only; another's patrol is a 404 to
them; the command centre reads every patrol and changes none; a department sees none."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from grids.models import Compound
from patrols.models import Patrol, PatrolCheckin, PatrolPoint

from .helpers import A_HEIGHT_M, across_a, fix, ms

PATROL_KEYS = {
    "uuid", "id", "worker", "worker_name", "grid", "started_at", "ended_at", "running", "duration_s",
    "distance_m", "coverage", "point_count", "checkins",
}


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def compound(grid_a):
    return Compound.objects.create(grid=grid_a, name="光明小区", latitude=34.085, longitude=119.345)


def start(client, **body):
    body.setdefault("uuid", str(uuid.uuid4()))
    return client.post("/api/v1/patrols/", body, format="json")


@pytest.fixture
def running(api, now):
    """worker_a's patrol, started ten minutes ago."""
    response = start(api("worker_a"), started_at=(now - timedelta(minutes=13)).isoformat())
    assert response.status_code == 201, response.content
    return response.json()


def points_of(client, patrol, points):
    return client.post(f"/api/v1/patrols/{patrol['uuid']}/points/", {"points": points}, format="json")


def test_a_worker_starts_a_patrol_and_reads_it_as_the_contract_says(api, grid_a, now):
    made = str(uuid.uuid4())
    response = start(api("worker_a"), uuid=made)
    assert response.status_code == 201
    patrol = response.json()
    assert set(patrol) == PATROL_KEYS
    assert patrol["uuid"] == made and patrol["worker"] == "worker_a" and patrol["grid"] == {"code": grid_a.code, "name": grid_a.name}
    assert patrol["running"] is True and patrol["ended_at"] is None and patrol["coverage"] is None
    assert (patrol["distance_m"], patrol["point_count"], patrol["checkins"]) == (0, 0, [])
    again = start(api("worker_a"), uuid=made)
    assert again.status_code == 200 and again.json()["id"] == patrol["id"]
    assert Patrol.objects.count() == 1


def test_the_start_from_the_phone_is_taken_in_iso_8601(api, now):
    started = now - timedelta(hours=3)
    response = start(api("worker_a"), started_at=timezone.localtime(started).isoformat())
    assert response.status_code == 201
    assert response.json()["duration_s"] == pytest.approx(3 * 3600, abs=5)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"started_at": "yesterday"}, "started_at"),
        ({"uuid": "not-a-uuid"}, "uuid"),
        ({"grid": "999999999999999"}, "grid"),
        ({"grid": "320724100001002"}, "grid"),  # grid B: not worker_a's
        ({"started_at": "2020-01-01T08:00:00+08:00"}, "started_at"),
    ],
)
def test_a_bad_start_is_a_400_naming_the_field(api, grid_b, body, field):
    response = start(api("worker_a"), **body)
    assert response.status_code == 400 and field in response.json(), response.content
    assert not Patrol.objects.exists()


@pytest.mark.parametrize("role", ["dispatcher", "inspector", "official", "department", "admin"])
def test_only_grid_workers_start_patrols(api, role):
    response = start(api(role))
    assert response.status_code == 403 and response.json()["detail"]


def test_a_second_running_patrol_is_a_409_saying_since_when(api, running):
    response = start(api("worker_a"))
    assert response.status_code == 409
    assert timezone.localtime(Patrol.objects.get().started_at).strftime("%H:%M") in response.json()["detail"]


def test_positions_are_taken_thinned_and_counted(api, running, now):
    track = across_a(now - timedelta(minutes=13))
    track.insert(5, fix(now - timedelta(minutes=12, seconds=50), 34.085, 119.341, accuracy=120))
    response = points_of(api("worker_a"), running, track)
    assert response.status_code == 200, response.content
    answer = response.json()
    assert (answer["accepted"], answer["dropped"]) == (51, 1)
    assert answer["patrol"]["distance_m"] == 921 and answer["patrol"]["point_count"] == 51
    assert answer["patrol"]["coverage"] == pytest.approx(60 / A_HEIGHT_M, rel=1e-6)
    again = points_of(api("worker_a"), running, track)
    assert again.json()["accepted"] == 51 and PatrolPoint.objects.count() == 51


@pytest.mark.parametrize(
    ("change", "index_says"),
    [
        ({"lat": "north"}, "lat: "),
        ({"t": None}, "t: "),
        ("no t", "t: This field is required."),
        ("far future", "t: "),
    ],
)
def test_bad_positions_are_a_400_naming_each_by_index_and_store_nothing(api, running, now, change, index_says):
    track = across_a(now - timedelta(minutes=13), steps=6)
    if change == "no t":
        del track[4]["t"]
    elif change == "far future":
        track[4]["t"] = ms(now + timedelta(days=400))
    else:
        track[4].update(change)
    response = points_of(api("worker_a"), running, track)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] and list(body["points"]) == ["4"]
    assert body["points"]["4"][0].startswith(index_says)
    assert not PatrolPoint.objects.exists()


@pytest.mark.parametrize("body", [{}, {"points": "many"}, {"points": {"t": 1}}, []])
def test_a_body_without_a_list_of_positions_is_a_400(api, running, body):
    response = api("worker_a").post(f"/api/v1/patrols/{running['uuid']}/points/", body, format="json")
    assert response.status_code == 400


def test_nan_is_not_a_number(api, running):
    response = api("worker_a").post(
        f"/api/v1/patrols/{running['uuid']}/points/",
        '{"points": [{"t": 1, "lat": NaN, "lng": 119.3, "accuracy": 5}]}',
        content_type="application/json",
    )
    assert response.status_code == 400


def test_stop_answers_the_stopped_patrol_and_again_the_same(api, running, now):
    client = api("worker_a")
    ended = (now - timedelta(minutes=1)).isoformat()
    response = client.post(f"/api/v1/patrols/{running['uuid']}/stop/", {"ended_at": ended}, format="json")
    assert response.status_code == 200 and response.json()["running"] is False
    assert response.json()["duration_s"] == 12 * 60
    again = client.post(f"/api/v1/patrols/{running['uuid']}/stop/", {}, format="json")
    assert again.status_code == 200 and again.json()["ended_at"] == response.json()["ended_at"]


def test_a_checkin_answers_the_compound_and_its_distance(api, running, compound):
    body = {"uuid": str(uuid.uuid4()), "compound": compound.pk, "lat": 34.0859, "lng": 119.345}
    response = api("worker_a").post(f"/api/v1/patrols/{running['uuid']}/checkins/", body, format="json")
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["uuid"] == body["uuid"] and answer["compound"] == {"id": compound.pk, "name": "光明小区"}
    assert answer["distance_m"] == 100 and answer["at"]
    again = api("worker_a").post(f"/api/v1/patrols/{running['uuid']}/checkins/", body, format="json")
    assert again.status_code == 200 and PatrolCheckin.objects.count() == 1
    patrol = api("worker_a").get(f"/api/v1/patrols/{running['uuid']}/").json()
    assert [(c["compound_name"], c["at"]) for c in patrol["checkins"]] == [("光明小区", answer["at"])]


def test_a_checkin_too_far_or_at_another_grids_compound_is_a_400(api, running, compound, grid_b):
    far = {"uuid": str(uuid.uuid4()), "compound": compound.pk, "lat": 34.08878, "lng": 119.345}
    response = api("worker_a").post(f"/api/v1/patrols/{running['uuid']}/checkins/", far, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "You are 420 m from 光明小区; check in within 150 m."
    theirs = Compound.objects.create(grid=grid_b, name="东园新村", latitude=34.085, longitude=119.355)
    other = {"uuid": str(uuid.uuid4()), "compound": theirs.pk, "lat": 34.085, "lng": 119.355}
    response = api("worker_a").post(f"/api/v1/patrols/{running['uuid']}/checkins/", other, format="json")
    assert response.status_code == 400 and "compound" in response.json()
    bad = {"uuid": str(uuid.uuid4()), "compound": compound.pk, "lat": "here", "lng": 119.345}
    assert api("worker_a").post(f"/api/v1/patrols/{running['uuid']}/checkins/", bad, format="json").status_code == 400
    assert not PatrolCheckin.objects.exists()


def test_the_detail_carries_the_track_as_a_geojson_linestring(api, running, now):
    points_of(api("worker_a"), running, across_a(now - timedelta(minutes=13), steps=4))
    patrol = api("worker_a").get(f"/api/v1/patrols/{running['uuid']}/").json()
    assert patrol["track"]["type"] == "LineString"
    assert patrol["track"]["coordinates"][0] == [119.34, 34.085]
    assert len(patrol["track"]["coordinates"]) == 5


def test_another_workers_patrol_is_a_404_for_every_action(api, running, compound):
    other = api("worker_b")
    base = f"/api/v1/patrols/{running['uuid']}/"
    assert other.get(base).status_code == 404
    assert other.post(base + "points/", {"points": []}, format="json").status_code == 404
    assert other.post(base + "stop/", {}, format="json").status_code == 404
    checkin = {"uuid": str(uuid.uuid4()), "compound": compound.pk, "lat": 34.085, "lng": 119.345}
    assert other.post(base + "checkins/", checkin, format="json").status_code == 404
    assert Patrol.objects.get().running


@pytest.mark.parametrize("role", ["dispatcher", "inspector", "official", "admin"])
def test_the_command_centre_reads_every_patrol_and_changes_none(api, running, role):
    client = api(role)
    base = f"/api/v1/patrols/{running['uuid']}/"
    assert client.get(base).status_code == 200
    assert [p["uuid"] for p in client.get("/api/v1/patrols/").json()["results"]] == [running["uuid"]]
    assert client.post(base + "stop/", {}, format="json").status_code == 403
    assert client.post(base + "points/", {"points": []}, format="json").status_code == 403
    assert Patrol.objects.get().running


def test_a_department_member_sees_no_patrol(api, running):
    client = api("department")
    assert client.get("/api/v1/patrols/").json()["results"] == []
    assert client.get(f"/api/v1/patrols/{running['uuid']}/").status_code == 404
    assert client.post(f"/api/v1/patrols/{running['uuid']}/stop/", {}, format="json").status_code == 404


def test_an_unknown_or_malformed_uuid_is_a_json_404(api, running):
    client = api("worker_a")
    assert client.get(f"/api/v1/patrols/{uuid.uuid4()}/").status_code == 404
    response = client.post("/api/v1/patrols/zzz/stop/", {}, format="json")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"


def test_the_list_is_scoped_and_filtered_by_day_worker_and_grid(api, users, grid_a, grid_b, now):
    start(api("worker_a"))
    start(api("worker_b"))
    yesterday = timezone.localdate(now) - timedelta(days=1)
    Patrol.objects.filter(worker=users["worker_b"]).update(started_at=now - timedelta(days=1))
    assert [p["worker"] for p in api("worker_a").get("/api/v1/patrols/").json()["results"]] == ["worker_a"]
    dispatcher = api("dispatcher")
    assert [p["worker"] for p in dispatcher.get("/api/v1/patrols/").json()["results"]] == ["worker_a", "worker_b"]
    assert [p["worker"] for p in dispatcher.get("/api/v1/patrols/", {"date": yesterday.isoformat()}).json()["results"]] == ["worker_b"]
    assert [p["worker"] for p in dispatcher.get("/api/v1/patrols/", {"worker": "worker_a"}).json()["results"]] == ["worker_a"]
    assert [p["worker"] for p in dispatcher.get("/api/v1/patrols/", {"grid": grid_b.code}).json()["results"]] == ["worker_b"]
    assert dispatcher.get("/api/v1/patrols/", {"date": "26/11/2026"}).status_code == 400


def test_the_list_costs_the_same_queries_for_2_patrols_as_for_12(api, users, grid_a, compound, now):
    def queries() -> int:
        client = api("dispatcher")
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/patrols/").status_code == 200
        return len(captured)

    def patrol_with_checkin(days_ago: int):
        patrol = Patrol.objects.create(uuid=uuid.uuid4(), worker=users["worker_a"], grid=grid_a, started_at=now - timedelta(days=days_ago), ended_at=now - timedelta(days=days_ago) + timedelta(hours=1))
        PatrolCheckin.objects.create(uuid=uuid.uuid4(), patrol=patrol, compound=compound, at=patrol.started_at, latitude=34.085, longitude=119.345, distance_m=3)

    for days_ago in range(1, 3):
        patrol_with_checkin(days_ago)
    few = queries()
    for days_ago in range(3, 13):
        patrol_with_checkin(days_ago)
    assert queries() == few


def test_a_token_works_and_a_session_needs_its_csrf_token(users):
    token = Token.objects.create(user=users["worker_a"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert start(client).status_code == 201
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(users["worker_b"])
    assert start(browser).status_code == 403
    assert Patrol.objects.count() == 1


def test_a_stranger_is_refused(db):
    assert APIClient().get("/api/v1/patrols/").status_code == 401


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_day_out_of_any_record_is_a_400_not_a_server_error(api, day):
    response = api("dispatcher").get("/api/v1/patrols/", {"date": day})
    assert response.status_code == 400 and "date" in response.json()


def test_times_and_numbers_at_the_ends_of_their_ranges_are_400s(api, running):
    client = api("worker_a")
    assert start(client, started_at="9999-12-31T23:59:59Z").status_code == 400
    stop = client.post(f"/api/v1/patrols/{running['uuid']}/stop/", {"ended_at": "9999-12-31T23:59:59Z"}, format="json")
    assert stop.status_code == 400 and "ended_at" in stop.json()
    last_minute = 253402300740000  # 9999-12-31 23:59 UTC, past the town's last day
    huge = '{"points": [{"t": %d, "lat": 34.085, "lng": 119.345, "accuracy": 5}, {"t": 1, "lat": 1%s, "lng": 119.3, "accuracy": 5}]}' % (
        last_minute, "0" * 400
    )
    response = client.post(f"/api/v1/patrols/{running['uuid']}/points/", huge, content_type="application/json")
    assert response.status_code == 400 and set(response.json()["points"]) == {"0", "1"}
