from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import PersonalDataView
from screening.models import Arrival

from .helpers import register, valid_id, wrong_check

pytestmark = pytest.mark.django_db
ARRIVALS = "/api/v1/screening/arrivals/"


@pytest.fixture
def entries(users, grid_a, grid_b):
    return {"a": register(users["worker_a"], grid_a, id_number=valid_id(sequence=11)),
            "b": register(users["worker_b"], grid_b, name="李四", phone="13900002222", id_number=valid_id(sequence=12))}


def body(**extra):
    values = {"grid": "320724100001001", "name": "王五", "phone": "13700001111", "id_number": valid_id(sequence=21),
              "origin": "南京市鼓楼区", "arrived_on": (timezone.localdate() - timedelta(days=1)).isoformat()}
    values.update(extra)
    return values


def test_a_worker_lists_their_grids_entries_in_full_and_the_sight_is_recorded(api, users, entries):
    answer = api("worker_a").get(ARRIVALS).json()
    assert [row["id"] for row in answer["results"]] == [entries["a"].pk]
    row = answer["results"][0]
    assert (row["phone"], row["id_number"], row["masked"]) == ("13812345678", entries["a"].id_number, False)
    assert len(row["follow_ups"]) == 4
    view = PersonalDataView.objects.get()
    assert (view.viewer, view.record_id, view.fields, view.where) == (users["worker_a"], entries["a"].pk, ["phone", "id_number"], ARRIVALS)


def test_the_command_centre_sees_the_town_in_full(api, users, entries):
    rows = api("dispatcher").get(ARRIVALS).json()["results"]
    assert {row["id"] for row in rows} == {entries["a"].pk, entries["b"].pk} and not any(row["masked"] for row in rows)
    assert PersonalDataView.objects.filter(viewer=users["dispatcher"]).count() == 2


@pytest.mark.parametrize("role", ["official", "inspector"])
def test_officials_and_inspectors_see_the_town_masked_and_nothing_is_recorded(api, entries, role):
    rows = {row["id"]: row for row in api(role).get(ARRIVALS).json()["results"]}
    assert len(rows) == 2
    row = rows[entries["a"].pk]
    assert row["masked"] and row["phone"] == "138****5678" and row["id_number"] == entries["a"].id_number[:6] + "********" + entries["a"].id_number[-4:]
    assert not PersonalDataView.objects.exists()


def test_a_department_member_sees_no_entry(api, entries):
    assert api("department").get(ARRIVALS).json()["results"] == []
    assert api("department").get(f"{ARRIVALS}{entries['a'].pk}/").status_code == 404


def test_another_grids_entry_is_a_404(api, entries):
    assert api("worker_b").get(f"{ARRIVALS}{entries['a'].pk}/").status_code == 404
    assert api("worker_a").get(f"{ARRIVALS}{entries['a'].pk}/").json()["masked"] is False


def test_the_list_filters(api, entries):
    assert [row["id"] for row in api("dispatcher").get(ARRIVALS, {"grid": "320724100001002"}).json()["results"]] == [entries["b"].pk]
    assert [row["id"] for row in api("dispatcher").get(ARRIVALS, {"q": "李"}).json()["results"]] == [entries["b"].pk]
    assert api("dispatcher").get(ARRIVALS, {"follow_up": "overdue"}).json()["count"] == 2  # day 1 of an arrival two days ago
    assert api("dispatcher").get(ARRIVALS, {"status": "nonsense"}).status_code == 400


def test_a_worker_registers_an_arrival(api, users):
    response = api("worker_a").post(ARRIVALS, body(), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["masked"] is False and len(response.json()["follow_ups"]) == 4
    assert Arrival.objects.get().recorded_by == users["worker_a"]


def test_a_wrong_check_digit_is_a_400_naming_the_expected_character(api, users):
    bad, expected = wrong_check(valid_id(sequence=31))
    response = api("worker_a").post(ARRIVALS, body(id_number=bad), format="json")
    assert response.status_code == 400 and f"should be {expected}" in response.json()["id_number"][0]
    assert not Arrival.objects.exists()


def test_a_future_arrival_date_is_a_400(api, users):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = api("worker_a").post(ARRIVALS, body(arrived_on=tomorrow), format="json")
    assert response.status_code == 400 and "in the future" in response.json()["arrived_on"][0]


def test_a_duplicate_is_a_409_naming_the_entry(api, users, entries):
    response = api("worker_a").post(ARRIVALS, body(id_number=entries["a"].id_number, arrived_on=entries["a"].arrived_on.isoformat()), format="json")
    assert response.status_code == 409 and f"entry {entries['a'].pk}" in response.json()["id_number"][0]


def test_registering_in_another_grid_or_as_a_reader_is_refused(api, users):
    assert api("worker_b").post(ARRIVALS, body(), format="json").status_code == 403
    assert api("official").post(ARRIVALS, body(), format="json").status_code == 403
    assert api("department").post(ARRIVALS, body(), format="json").status_code == 403
    response = api("worker_a").post(ARRIVALS, body(grid="999999999999999"), format="json")
    assert response.status_code == 400 and response.json()["grid"]


def test_a_follow_up_is_marked_done(api, users, entries):
    follow_up = entries["a"].follow_ups.first()
    url = f"/api/v1/screening/follow-ups/{follow_up.pk}/done/"
    assert api("worker_b").post(url, {"health_status": "healthy"}, format="json").status_code == 404
    assert api("official").post(url, {"health_status": "healthy"}, format="json").status_code == 403
    assert api("worker_a").post(url, {"health_status": "bad"}, format="json").status_code == 400
    answer = api("worker_a").post(url, {"health_status": "symptoms", "note": "发热"}, format="json")
    assert answer.status_code == 200 and answer.json()["done_by"] == "worker_a" and answer.json()["health_status"] == "symptoms"
    entries["a"].refresh_from_db()
    assert entries["a"].health_status == "symptoms"


def test_the_schema_documents_the_register(client):
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert {"get", "post"} <= set(paths[ARRIVALS]) and "get" in paths["/api/v1/screening/arrivals/{id}/"]
    assert "409" in paths[ARRIVALS]["post"]["responses"]
    assert "post" in paths["/api/v1/screening/follow-ups/{id}/done/"]
