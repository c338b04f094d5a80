"""The duty API per role: a worker reads their campaigns and their own shifts and checks in on
them; another's shift is a 404; the command centre decides swaps; a department sees nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from emergency import services
from emergency.models import Shift, SwapRequest

from .helpers import put


@pytest.fixture
def shifts(checkpoint_a, person, other_person):
    now = timezone.now()
    return {
        "mine_now": put(checkpoint_a, person, now - timedelta(hours=1)),
        "theirs": put(checkpoint_a, other_person, now + timedelta(days=1)),
        "mine_later": put(checkpoint_a, person, now + timedelta(days=2)),
    }


def ids(response):
    return [row["id"] for row in response.json()["results"]]


def test_a_worker_lists_only_their_own_shifts(api, shifts):
    response = api("worker_a").get("/api/v1/duty/shifts/")
    assert response.status_code == 200
    assert ids(response) == [shifts["mine_now"].pk, shifts["mine_later"].pk]
    assert api("worker_a").get(f"/api/v1/duty/shifts/{shifts['theirs'].pk}/").status_code == 404


def test_the_command_centre_lists_every_shift_and_a_department_none(api, shifts):
    assert len(ids(api("dispatcher").get("/api/v1/duty/shifts/"))) == 3
    assert ids(api("department").get("/api/v1/duty/shifts/")) == []
    assert api("department").get("/api/v1/duty/campaigns/").json()["results"] == []


def test_a_worker_sees_the_campaigns_and_checkpoints_they_are_on_duty_in(api, campaign, checkpoint_a, users):
    assert [row["id"] for row in api("worker_a").get("/api/v1/duty/campaigns/").json()["results"]] == [campaign.pk]
    rows = api("worker_a").get(f"/api/v1/duty/checkpoints/?campaign={campaign.pk}").json()["results"]
    assert [row["name"] for row in rows] == ["东口卡点"]


def test_check_in_and_out_by_the_api_and_a_retry_changes_nothing(api, shifts):
    client, shift = api("worker_a"), shifts["mine_now"]
    response = client.post(f"/api/v1/duty/shifts/{shift.pk}/check-in/", {"lat": 34.085, "lng": 119.345, "accuracy": 8}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "late"
    first = response.json()["checked_in_at"]
    again = client.post(f"/api/v1/duty/shifts/{shift.pk}/check-in/", {"lat": 34.085, "lng": 119.345}, format="json")
    assert again.json()["checked_in_at"] == first
    unconfirmed = client.post(f"/api/v1/duty/shifts/{shift.pk}/check-out/", {}, format="json")
    assert unconfirmed.status_code == 409 and "early" in unconfirmed.json()
    out = client.post(f"/api/v1/duty/shifts/{shift.pk}/check-out/", {"early": True}, format="json")
    assert out.status_code == 200 and out.json()["checkout_position_missing"] is True and out.json()["state"] == "left_early"


def test_a_check_in_kept_on_the_phone_is_recorded_at_the_phones_time(api, shifts):
    shift = shifts["mine_now"]
    made = timezone.now() - timedelta(minutes=20)
    response = api("worker_a").post(f"/api/v1/duty/shifts/{shift.pk}/check-in/", {"at": made.isoformat()}, format="json")
    assert response.status_code == 200
    assert Shift.objects.get(pk=shift.pk).checked_in_at == made


def test_a_phone_time_in_the_future_is_a_400(api, shifts):
    later = timezone.now() + timedelta(hours=1)
    response = api("worker_a").post(f"/api/v1/duty/shifts/{shifts['mine_now'].pk}/check-in/", {"at": later.isoformat()}, format="json")
    assert response.status_code == 400 and "at" in response.json()
    assert Shift.objects.get(pk=shifts["mine_now"].pk).checked_in_at is None


@pytest.mark.parametrize("body, field", [({"lat": 95, "lng": 119.3}, "lat"), ({"lat": 34.08}, "lat"), ({"lat": 34.08, "lng": 119.3, "accuracy": -1}, "accuracy")])
def test_a_bad_position_is_a_400_with_the_field(api, shifts, body, field):
    response = api("worker_a").post(f"/api/v1/duty/shifts/{shifts['mine_now'].pk}/check-in/", body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert Shift.objects.get(pk=shifts["mine_now"].pk).checked_in_at is None


def test_a_check_in_too_early_is_refused_with_a_message(api, shifts):
    response = api("worker_a").post(f"/api/v1/duty/shifts/{shifts['mine_later'].pk}/check-in/", {}, format="json")
    assert response.status_code == 400
    assert "opens at" in response.json()["detail"] and "shift" in response.json()


def test_another_persons_shift_is_a_404_to_a_worker(api, shifts):
    assert api("worker_a").post(f"/api/v1/duty/shifts/{shifts['theirs'].pk}/check-in/", {}, format="json").status_code == 404


def test_a_swap_asked_by_a_worker_is_decided_by_the_command_centre(api, shifts, other_person):
    shift = shifts["mine_later"]
    response = api("worker_a").post("/api/v1/duty/swaps/", {"shift": shift.pk, "to_person": other_person.pk, "reason": "家中有事"}, format="json")
    assert response.status_code == 201
    swap_id = response.json()["id"]
    assert api("worker_a").post(f"/api/v1/duty/swaps/{swap_id}/approve/", {}, format="json").status_code == 403
    assert api("dispatcher").post(f"/api/v1/duty/swaps/{swap_id}/approve/", {}, format="json").json()["status"] == "approved"
    again = api("dispatcher").post(f"/api/v1/duty/swaps/{swap_id}/refuse/", {}, format="json")
    assert again.status_code == 409
    assert Shift.objects.get(pk=shift.pk).person == other_person


def test_a_swap_of_an_overlapping_shift_is_a_409_that_says_why(api, shifts, other_person, checkpoint_b):
    shift = shifts["mine_later"]
    swap = services.swap_ask(actor=shift.person.user, shift_id=shift.pk, to_person_id=other_person.pk)
    put(checkpoint_b, other_person, shift.starts_at + timedelta(hours=2))
    response = api("dispatcher").post(f"/api/v1/duty/swaps/{swap.pk}/approve/", {}, format="json")
    assert response.status_code == 409 and "already at 西口卡点" in response.json()["detail"]
    assert SwapRequest.objects.get().status == "pending"


def test_the_duty_api_is_in_the_schema(api, users):
    schema = api("dispatcher").get("/api/v1/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/v1/duty/campaigns/", "/api/v1/duty/shifts/{id}/check-in/", "/api/v1/duty/swaps/{id}/approve/"):
        assert path in schema
