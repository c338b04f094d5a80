"""Check-ins: recorded at a grid, confirmed or refused by its worker, each change an event; bad
input refused with a message per field and nothing stored."""

import uuid
from datetime import date

import pytest

from incidents.errors import Conflict, InvalidInput, NotAllowed
from party import services
from party.models import MemberCheckIn, PartyEvent

from ..conftest import local

NOW = local(2026, 11, 26, 10, 0)


def record(actor, member, *, grid=None, day=date(2026, 11, 25), hours=2, activity="协助巡查", key=None):
    return services.checkin_record(
        actor=actor, member=member, grid=grid or member.grid, day=day, activity=activity, hours=hours, uuid=key or uuid.uuid4(), now=NOW,
    )


def test_the_grids_worker_confirms_a_check_in_the_command_centre_recorded(users, party):
    checkin, created = record(users["dispatcher"], party["in_a"])
    assert created and checkin.status == MemberCheckIn.Status.RECORDED and checkin.recorded_by == users["dispatcher"]
    confirmed = services.checkin_confirm(actor=users["worker_a"], checkin_id=checkin.pk, now=NOW)
    assert confirmed.status == MemberCheckIn.Status.CONFIRMED and confirmed.decided_by == users["worker_a"]
    assert list(PartyEvent.objects.filter(checkin=checkin).values_list("action", flat=True)) == ["checkin_recorded", "checkin_confirmed"]


def test_the_same_uuid_sent_again_is_one_check_in(users, party):
    key = uuid.uuid4()
    first, _ = record(users["worker_a"], party["in_a"], key=key)
    again, created = record(users["worker_a"], party["in_a"], key=key)
    assert again == first and not created
    # Recorded and, by the grid's own worker, confirmed at once: two events, once.
    assert MemberCheckIn.objects.count() == 1 and PartyEvent.objects.count() == 2


def test_a_uuid_of_another_check_in_is_a_conflict(users, party):
    key = uuid.uuid4()
    record(users["worker_a"], party["in_a"], key=key)
    with pytest.raises(Conflict):
        record(users["dispatcher"], party["in_b"], key=key)


def test_a_worker_records_and_confirms_only_at_their_own_grids(users, party, grid_b):
    with pytest.raises(NotAllowed):
        record(users["worker_a"], party["in_b"])
    checkin, _ = record(users["dispatcher"], party["in_b"])
    with pytest.raises(NotAllowed):
        services.checkin_confirm(actor=users["worker_a"], checkin_id=checkin.pk, now=NOW)
    with pytest.raises(NotAllowed):
        record(users["department"], party["in_b"])
    assert MemberCheckIn.objects.get().status == MemberCheckIn.Status.RECORDED


def test_the_command_centre_records_and_confirms_anywhere(users, party):
    checkin, _ = record(users["dispatcher"], party["in_b"])
    assert services.checkin_confirm(actor=users["dispatcher"], checkin_id=checkin.pk, now=NOW).status == "confirmed"


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"day": date(2026, 11, 27)}, "date", "A check-in cannot be in the future."),
        ({"hours": 0}, "hours", "More than 0 and at most 24 hours."),
        ({"hours": -1}, "hours", "More than 0 and at most 24 hours."),
        ({"hours": 24.5}, "hours", "More than 0 and at most 24 hours."),
        ({"hours": "many"}, "hours", "Enter the hours as a number, such as 2 or 1.5."),
        ({"activity": "  "}, "activity", "Say what the member did."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_stored(users, party, change, field, message):
    with pytest.raises(InvalidInput) as refused:
        record(users["worker_a"], party["in_a"], **change)
    assert refused.value.fields[field] == message
    assert not MemberCheckIn.objects.exists() and not PartyEvent.objects.exists()


def test_a_check_in_before_the_member_joined_is_refused(users, party):
    with pytest.raises(InvalidInput) as refused:
        record(users["worker_b"], party["in_b"], day=date(2026, 2, 28))
    assert "joined the party on 2026-03-01" in refused.value.fields["date"]


def test_a_resident_member_does_not_check_in(users, party):
    with pytest.raises(InvalidInput) as refused:
        record(users["worker_a"], party["secretary"])
    assert refused.value.fields["member"] == "Only in-service members check in at a grid."


def test_the_grid_must_be_a_grid(users, party):
    with pytest.raises(InvalidInput) as refused:
        record(users["dispatcher"], party["in_a"], grid="320724100001001")
    assert refused.value.fields == {"grid": "Choose a grid."}


def test_a_check_in_at_24_hours_is_taken(users, party):
    checkin, _ = record(users["worker_a"], party["in_a"], hours="24")
    assert str(checkin.hours) == "24.0"


def test_a_refusal_needs_a_reason_and_a_decided_check_in_stays_decided(users, party):
    checkin, _ = record(users["dispatcher"], party["in_a"])
    with pytest.raises(InvalidInput):
        services.checkin_refuse(actor=users["worker_a"], checkin_id=checkin.pk, reason=" ", now=NOW)
    refused = services.checkin_refuse(actor=users["worker_a"], checkin_id=checkin.pk, reason="未见到本人", now=NOW)
    assert refused.status == "refused" and refused.refusal_reason == "未见到本人"
    with pytest.raises(Conflict):
        services.checkin_confirm(actor=users["worker_a"], checkin_id=checkin.pk, now=NOW)
    # Refused twice (a phone's retry) changes nothing more.
    services.checkin_refuse(actor=users["worker_a"], checkin_id=checkin.pk, reason="未见到本人", now=NOW)
    assert PartyEvent.objects.filter(checkin=checkin).count() == 2


def test_a_check_in_without_a_date_is_dated_by_the_towns_clock(users, party):
    """23:30 in the town on 31 December is still that year, though it is 15:30 UTC."""
    late = local(2026, 12, 31, 23, 30)
    checkin, _ = services.checkin_record(
        actor=users["worker_a"], member=party["in_a"], grid=party["in_a"].grid, day=None, activity="值守", hours=1, uuid=uuid.uuid4(), now=late,
    )
    assert checkin.date == date(2026, 12, 31)


# Many at once: history -------------------------------------------------------------------------


def past(actor, member, day, *, grid=None, hours=2, key=None, recorded=None, confirmed=None):
    recorded = recorded or local(day.year, day.month, day.day, 18, 0)
    return services.PastCheckIn(
        member=member, grid=grid or member.grid, day=day, activity="入户走访", hours=hours, uuid=key or uuid.uuid4(), actor=actor,
        recorded_at=recorded, confirmed_at=confirmed or recorded.replace(hour=20),
    )


def test_a_list_of_past_check_ins_is_recorded_confirmed_with_two_events_each(users, party, django_assert_max_num_queries):
    entries = [past(users["worker_a"], party["in_a"], date(2026, month, 3)) for month in range(1, 11)]
    entries.append(past(users["worker_b"], party["in_b"], date(2026, 5, 4)))
    with django_assert_max_num_queries(12):
        made = services.checkins_record_confirmed(entries=entries, now=NOW)
    assert len(made) == 11 and all(checkin.pk for checkin in made)
    assert MemberCheckIn.objects.filter(status="confirmed", decided_by__isnull=False).count() == 11
    checkin = MemberCheckIn.objects.get(member=party["in_b"])
    assert checkin.recorded_by == checkin.decided_by == users["worker_b"] and checkin.decided_at == local(2026, 5, 4, 20, 0)
    assert list(PartyEvent.objects.filter(checkin=checkin).values_list("action", flat=True)) == ["checkin_recorded", "checkin_confirmed"]
    assert PartyEvent.objects.count() == 22


def test_one_bad_entry_refuses_the_whole_list_naming_it(users, party):
    used = record(users["dispatcher"], party["in_a"])[0].uuid
    entries = [
        past(users["worker_a"], party["in_a"], date(2026, 3, 1)),
        past(users["worker_a"], party["in_b"], date(2026, 3, 2), grid=party["in_b"].grid),  # not worker A's grid
        past(users["worker_a"], party["in_a"], date(2026, 12, 1), hours=30),  # after `now`, too long
        past(users["worker_a"], party["in_a"], date(2026, 3, 4), key=used),
        past(users["worker_a"], party["in_a"], date(2026, 3, 5), confirmed=local(2026, 3, 5, 9, 0)),  # confirmed before recorded
        past(users["worker_a"], party["secretary"], date(2026, 3, 6)),  # a resident member
    ]
    with pytest.raises(InvalidInput) as refused:
        services.checkins_record_confirmed(entries=entries, now=NOW)
    assert refused.value.fields == {
        "1.grid": "You may record check-ins only at your own grids.",
        "2.date": "A check-in cannot be in the future.",
        "2.hours": "More than 0 and at most 24 hours.",
        "2.recorded_at": "Recorded on or after the check-in's day, confirmed after that and not in the future.",
        "3.uuid": "Already used.",
        "4.recorded_at": "Recorded on or after the check-in's day, confirmed after that and not in the future.",
        "5.member": "Only in-service members check in at a grid.",
    }
    assert refused.value.message == "5 of the 6 check-ins have errors: nothing was recorded."
    assert MemberCheckIn.objects.count() == 1 and PartyEvent.objects.count() == 1


def test_a_uuid_twice_in_the_list_is_refused(users, party):
    key = uuid.uuid4()
    entries = [past(users["worker_a"], party["in_a"], date(2026, 3, day), key=key) for day in (1, 2)]
    with pytest.raises(InvalidInput) as refused:
        services.checkins_record_confirmed(entries=entries, now=NOW)
    assert refused.value.fields == {"1.uuid": "Already used."}
    assert not MemberCheckIn.objects.exists()
