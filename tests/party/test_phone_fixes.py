"""After the phone review: one check-in a day per member (the second refused, naming the first);
a check-in recorded by the grid's own worker is confirmed at once; the phone's form answers the
outbox in JSON with our own messages; a refusal without the script opens at the form."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.errors import Conflict
from party import services
from party.models import MemberCheckIn, PartyEvent

JSON = {"HTTP_ACCEPT": "application/json"}


def record(actor, member, grid, day=None, **values):
    return services.checkin_record(
        actor=actor, member=member, grid=grid, day=day or timezone.localdate(), activity=values.get("activity", "清理楼道杂物"),
        hours=values.get("hours", 2), uuid=values.get("uuid", uuid.uuid4()),
    )


def test_a_check_in_by_the_grids_worker_is_confirmed_at_once_with_both_events(users, party, grid_a):
    checkin, created = record(users["worker_a"], party["in_a"], grid_a)
    assert created and checkin.status == "confirmed" and checkin.decided_by == users["worker_a"]
    assert list(PartyEvent.objects.filter(checkin=checkin).values_list("action", flat=True)) == ["checkin_recorded", "checkin_confirmed"]


def test_a_check_in_by_the_command_centre_waits_for_the_grids_worker(users, party, grid_a):
    checkin, _ = record(users["dispatcher"], party["in_a"], grid_a)
    assert checkin.status == "recorded"


def test_a_second_check_in_of_the_member_that_day_is_refused_naming_the_first(users, party, grid_a):
    record(users["worker_a"], party["in_a"], grid_a, activity="协助巡查")
    with pytest.raises(Conflict) as refused:
        record(users["dispatcher"], party["in_a"], grid_a, activity="另一次")
    assert "李强 already has a check-in on" in refused.value.message and "协助巡查" in refused.value.message
    assert "date" in refused.value.fields and MemberCheckIn.objects.count() == 1


def test_a_refused_check_in_does_not_block_the_day(users, party, grid_a):
    first, _ = record(users["dispatcher"], party["in_a"], grid_a)
    services.checkin_refuse(actor=users["worker_a"], checkin_id=first.pk, reason="不在场")
    second, created = record(users["worker_a"], party["in_a"], grid_a)
    assert created and second.status == "confirmed"


def test_the_same_uuid_again_is_still_the_first_check_in_not_a_conflict(users, party, grid_a):
    key = uuid.uuid4()
    first, _ = record(users["worker_a"], party["in_a"], grid_a, uuid=key)
    again, created = record(users["worker_a"], party["in_a"], grid_a, uuid=key)
    assert again == first and not created


def test_a_list_of_past_check_ins_with_a_member_twice_a_day_is_refused(users, party, grid_a):
    day = timezone.localdate() - timedelta(days=3)
    at = timezone.now() - timedelta(days=1)
    entries = [
        services.PastCheckIn(member=party["in_a"], grid=grid_a, day=day, activity="走访", hours=1, uuid=uuid.uuid4(), actor=users["worker_a"], recorded_at=at, confirmed_at=at)
        for _ in range(2)
    ]
    with pytest.raises(Exception) as refused:
        services.checkins_record_confirmed(entries=entries)
    assert "1.day" in refused.value.fields and not MemberCheckIn.objects.exists()


def form(party, grid, **changes):
    values = {"uuid": str(uuid.uuid4()), "member": party["in_a"].pk, "grid": grid.pk, "date": timezone.localdate().isoformat(), "hours": "1.5", "activity": "协助巡查"}
    return {**values, **changes}


def test_the_phone_form_answers_the_outbox_in_json(browse, party, grid_a):
    client = browse("worker_a")
    response = client.post("/m/party/", form(party, grid_a), **JSON)
    assert response.status_code == 201 and response.json() == {"message": "Check-in of 李强 recorded and confirmed.", "next": "/m/party/"}
    duplicate = client.post("/m/party/", form(party, grid_a), **JSON)
    assert duplicate.status_code == 409 and "already has a check-in" in duplicate.json()["detail"] and "date" in duplicate.json()


@pytest.mark.parametrize("changes, field, message", [
    ({"hours": "1.25"}, "hours", "At most one decimal, such as 1.5."),
    ({"hours": "abc"}, "hours", "Enter the hours as a number, such as 2 or 1.5."),
    ({"hours": ""}, "hours", "Give the hours."),
    ({"member": ""}, "member", "Choose the member."),
    ({"activity": ""}, "activity", "Say what the member did."),
    ({"date": "yesterday"}, "date", "Enter the day as YYYY-MM-DD."),
])
def test_bad_input_on_the_phone_gets_our_own_messages(browse, party, grid_a, changes, field, message):
    response = browse("worker_a").post("/m/party/", form(party, grid_a, **changes), **JSON)
    assert response.status_code == 400 and response.json()[field] == [message]
    assert not MemberCheckIn.objects.exists()


def test_without_the_script_a_refusal_shows_a_banner_and_opens_at_the_form(browse, party, grid_a):
    response = browse("worker_a").post("/m/party/", form(party, grid_a, hours="1.25"))
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="record"' in page and 'action="/m/party/#record"' in page and 'href="#record"' in page
    assert "At most one decimal" in page


def test_a_recorded_check_in_is_not_put_in_the_workers_own_waiting_list(browse, party, grid_a):
    client = browse("worker_a")
    client.post("/m/party/", form(party, grid_a))
    page = client.get("/m/party/").content.decode()
    assert "data-checkin=" not in page and 'class="back"' in page


def test_confirm_and_refuse_answer_in_json(browse, users, party, grid_a):
    waiting, _ = record(users["dispatcher"], party["in_a"], grid_a)
    client = browse("worker_a")
    no_reason = client.post(f"/m/party/checkins/{waiting.pk}/refuse/", {"reason": ""}, **JSON)
    assert no_reason.status_code == 400 and no_reason.json()["reason"] == ["Say why the check-in is refused."]
    done = client.post(f"/m/party/checkins/{waiting.pk}/confirm/", {}, **JSON)
    assert done.status_code == 200 and done.json()["next"] == "/m/party/"
    assert MemberCheckIn.objects.get().status == "confirmed"
