"""The party API: scoped by role and grid, phones masked for whoever does not call them, each
number shown in full recorded, department members answered 404."""

import uuid
from datetime import date

import pytest

from accounts.models import PersonalDataView
from party.models import MemberCheckIn

from .helpers import checkin


def names(response):
    return sorted(row["name"] for row in response.json()["results"])


def test_a_worker_sees_their_grids_members_with_phones_and_each_sight_is_recorded(api, users, party):
    response = api("worker_a").get("/api/v1/party/members/")
    assert response.status_code == 200
    assert names(response) == ["李强", "王芳"]
    assert {row["phone"] for row in response.json()["results"]} == {"13811112222", "13922223333"}
    assert PersonalDataView.objects.filter(viewer=users["worker_a"]).count() == 2


def test_an_official_reads_every_member_with_phones_masked(api, users, party):
    response = api("official").get("/api/v1/party/members/")
    assert names(response) == ["张伟", "李强", "王芳"]
    assert "138****2222" in {row["phone"] for row in response.json()["results"]}
    assert not PersonalDataView.objects.exists()


def test_the_command_centre_sees_phones_and_is_recorded(api, users, party):
    response = api("dispatcher").get(f"/api/v1/party/members/{party['in_b'].pk}/")
    assert response.json()["phone"] == "13733334444"
    assert PersonalDataView.objects.get().record_id == party["in_b"].pk


@pytest.mark.parametrize("path", ["/api/v1/party/members/", "/api/v1/party/branches/", "/api/v1/party/checkins/", "/api/v1/party/compliance/", "/api/v1/party/meetings/"])
def test_department_members_get_404(api, party, path):
    assert api("department").get(path).status_code == 404


def test_a_member_of_another_grid_is_404_for_a_worker(api, party):
    assert api("worker_a").get(f"/api/v1/party/members/{party['in_b'].pk}/").status_code == 404


def test_record_confirm_and_refuse_through_the_api(api, users, party, grid_a):
    body = {"uuid": str(uuid.uuid4()), "member": party["in_a"].pk, "grid": grid_a.code, "activity": "入户走访", "hours": "2"}
    created = api("dispatcher").post("/api/v1/party/checkins/", body, format="json")
    assert created.status_code == 201 and created.json()["status"] == "recorded"
    assert api("dispatcher").post("/api/v1/party/checkins/", body, format="json").status_code == 200
    # Another check-in of the member that day is refused, naming the first.
    second = api("dispatcher").post("/api/v1/party/checkins/", {**body, "uuid": str(uuid.uuid4())}, format="json")
    assert second.status_code == 409 and "already has a check-in" in second.json()["detail"]
    pk = created.json()["id"]
    assert api("worker_b").post(f"/api/v1/party/checkins/{pk}/confirm/").status_code == 404
    confirmed = api("worker_a").post(f"/api/v1/party/checkins/{pk}/confirm/")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    refused = api("worker_a").post(f"/api/v1/party/checkins/{pk}/refuse/", {"reason": "弄错了"}, format="json")
    assert refused.status_code == 409
    assert MemberCheckIn.objects.get().status == "confirmed"


def test_a_check_in_in_the_future_is_a_400_with_the_field(api, party, grid_a):
    body = {"uuid": str(uuid.uuid4()), "member": party["in_a"].pk, "grid": grid_a.code, "activity": "走访", "hours": "2", "date": "2099-01-01"}
    response = api("worker_a").post("/api/v1/party/checkins/", body, format="json")
    assert response.status_code == 400
    assert response.json()["date"] == ["A check-in cannot be in the future."]
    assert not MemberCheckIn.objects.exists()


def test_an_unknown_grid_is_a_400(api, party):
    body = {"uuid": str(uuid.uuid4()), "member": party["in_a"].pk, "grid": "999", "activity": "走访", "hours": "2"}
    response = api("dispatcher").post("/api/v1/party/checkins/", body, format="json")
    assert response.status_code == 400 and response.json()["grid"] == ["No such grid."]


def test_compliance_lists_members_below_the_rule(api, users, party):
    checkin(users["worker_a"], party["in_a"], date(2025, 5, 1))
    checkin(users["worker_a"], party["in_a"], date(2025, 9, 1))
    answer = api("inspector").get("/api/v1/party/compliance/?year=2025").json()
    assert answer["members"] == 1 and answer["behind"] == [] and answer["on_track"] == 1
    assert api("inspector").get("/api/v1/party/compliance/?year=1999").status_code == 400
