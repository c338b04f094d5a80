"""Emergency duty's writes: a campaign stood up with its pool, checkpoints on the map, rosters that
say where they fall short, shifts added by hand, check-in and check-out, swaps. Each refusal
changes nothing and says why."""

from datetime import timedelta

import pytest

from accounts.models import Notification
from emergency import services
from emergency.models import Campaign, Checkpoint, DutyEvent, DutyPerson, Shift, Shortfall, SwapRequest
from incidents.errors import Conflict, InvalidInput, Missing, NotAllowed
from tests.conftest import IN_GRID_A, OUTSIDE

from .helpers import put, slot_start


def test_a_campaign_is_stood_up_with_every_active_grid_worker_and_named_others(users, today):
    users["worker_b"].is_active = False
    users["worker_b"].save()
    campaign = services.campaign_create(
        actor=users["dispatcher"], name="疫情防控", kind="epidemic", started=today, others=[("志愿者甲", "13700000001"), ("志愿者乙", "")],
    )
    assert sorted(campaign.people.values_list("name", flat=True)) == sorted(["worker_a", "志愿者甲", "志愿者乙"])
    assert DutyEvent.objects.filter(campaign=campaign, action="campaign_created").count() == 1


@pytest.mark.parametrize("change, field", [
    ({"shift_hours": 5}, "shift_hours"),
    ({"rest_hours": 80}, "rest_hours"),
    ({"max_hours_per_day": 4}, "max_hours_per_day"),
    ({"name": "  "}, "name"),
    ({"kind": "war"}, "kind"),
    ({"others": [("老王", "not a phone")]}, "others"),
])
def test_a_campaign_with_bad_rules_is_refused_and_nothing_is_made(users, today, change, field):
    values = {"name": "汛情", "kind": "flood", "started": today, "shift_hours": 8, "rest_hours": 8, **change}
    with pytest.raises(InvalidInput) as refused:
        services.campaign_create(actor=users["dispatcher"], **values)
    assert field in refused.value.fields
    assert not Campaign.objects.exists() and not DutyPerson.objects.exists()


@pytest.mark.parametrize("name", ["inspector", "official", "worker_a", "department"])
def test_only_the_command_centre_stands_up_a_campaign(users, today, name):
    with pytest.raises(NotAllowed):
        services.campaign_create(actor=users[name], name="x", kind="flood", started=today)


def test_a_checkpoint_takes_the_grid_of_its_position(campaign, users):
    checkpoint = services.checkpoint_add(actor=users["dispatcher"], campaign_id=campaign.pk, name="东口", **IN_GRID_A)
    assert checkpoint.grid.code == "320724100001001"
    assert DutyEvent.objects.filter(campaign=campaign, action="checkpoint_added").count() == 1


def test_a_checkpoint_outside_every_grid_needs_its_grid_chosen(campaign, users, grid_b):
    with pytest.raises(InvalidInput) as refused:
        services.checkpoint_add(actor=users["dispatcher"], campaign_id=campaign.pk, name="路口", **OUTSIDE)
    assert "grid" in refused.value.fields
    checkpoint = services.checkpoint_add(actor=users["dispatcher"], campaign_id=campaign.pk, name="路口", grid=grid_b, **OUTSIDE)
    assert checkpoint.grid == grid_b


@pytest.mark.parametrize("position, field", [
    ({"latitude": 31.23, "longitude": 121.47}, "latitude"),  # Shanghai: far from the town
    ({"latitude": 95, "longitude": 119.3}, "latitude"),
    ({"latitude": "x", "longitude": 119.3}, "latitude"),
])
def test_a_checkpoint_far_from_the_town_or_off_the_globe_is_refused(campaign, users, position, field):
    with pytest.raises(InvalidInput) as refused:
        services.checkpoint_add(actor=users["dispatcher"], campaign_id=campaign.pk, name="远处", **position)
    assert field in refused.value.fields
    assert not Checkpoint.objects.exists()


def test_daily_hours_must_differ_and_dates_follow_each_other(campaign, users, today):
    with pytest.raises(InvalidInput) as refused:
        services.checkpoint_add(actor=users["dispatcher"], campaign_id=campaign.pk, name="x", round_the_clock=False, **IN_GRID_A)
    assert "daily_from" in refused.value.fields
    with pytest.raises(InvalidInput) as refused:
        services.checkpoint_add(actor=users["dispatcher"], campaign_id=campaign.pk, name="x", first_day=today, last_day=today - timedelta(days=1), **IN_GRID_A)
    assert "last_day" in refused.value.fields


def test_a_roster_with_too_few_people_says_where_and_when(campaign, checkpoint_a, checkpoint_b, users, today, volunteer):
    """Two checkpoints of one person each round the clock, rest 8 h: three people cannot cover
    the six slots of a day without breaking the rest; the run names each short slot."""
    start = slot_start(today, 0) - timedelta(hours=1)
    run = services.roster_generate(actor=users["dispatcher"], campaign_id=campaign.pk, first_day=today, last_day=today, now=start)
    shifts = Shift.objects.filter(checkpoint__campaign=campaign)
    shortfalls = list(run.shortfalls.all())
    assert shifts.count() + sum(s.missing for s in shortfalls) == 6
    assert shortfalls, "three people cannot staff two round-the-clock checkpoints with 8 h rest"
    assert all(s.missing == 1 for s in shortfalls)
    for person in DutyPerson.objects.filter(campaign=campaign):
        mine = list(shifts.filter(person=person).order_by("starts_at"))
        for before, after in zip(mine, mine[1:]):
            assert after.starts_at - before.ends_at >= timedelta(hours=8)
    event = DutyEvent.objects.get(campaign=campaign, action="roster_generated")
    assert event.data["missing"] == len(shortfalls)


def test_regenerating_replaces_only_shifts_not_started_nor_checked_in(campaign, checkpoint_a, users, today, person, other_person):
    services.roster_generate(actor=users["dispatcher"], campaign_id=campaign.pk, first_day=today, last_day=today, now=slot_start(today, 0) - timedelta(hours=1))
    first, second, third = Shift.objects.filter(checkpoint=checkpoint_a).order_by("starts_at")
    Shift.objects.filter(pk=second.pk).update(checked_in_at=second.starts_at)
    # At 07:00 the first shift has started; the second is checked in early; the third is free to replace.
    run = services.roster_generate(actor=users["dispatcher"], campaign_id=campaign.pk, first_day=today, last_day=today, now=slot_start(today, 7))
    kept = set(Shift.objects.filter(checkpoint=checkpoint_a).values_list("pk", flat=True))
    assert {first.pk, second.pk} <= kept and third.pk not in kept
    assert run.shifts_replaced == 1 and run.shifts_created == 1
    assert Shift.objects.filter(checkpoint=checkpoint_a).count() == 3


def test_a_shift_overlapping_another_is_refused(campaign, checkpoint_a, checkpoint_b, users, today, person):
    put(checkpoint_b, person, slot_start(today + timedelta(days=1), 8))
    with pytest.raises(Conflict) as refused:
        services.shift_add(actor=users["dispatcher"], checkpoint_id=checkpoint_a.pk, person_id=person.pk, starts_at=slot_start(today + timedelta(days=1), 8))
    assert "already at 西口卡点" in refused.value.message
    with pytest.raises(Conflict) as refused:
        services.shift_add(actor=users["dispatcher"], checkpoint_id=checkpoint_a.pk, person_id=person.pk, starts_at=slot_start(today + timedelta(days=1), 16))
    assert "rest" in refused.value.message
    assert Shift.objects.filter(checkpoint=checkpoint_a).count() == 0


def test_a_shift_added_by_hand_fills_the_shortfall(campaign, checkpoint_a, users, today, person, other_person, volunteer):
    for someone in (person, other_person):
        services.person_set_available(actor=users["dispatcher"], person_id=someone.pk, available=False)
    tomorrow = today + timedelta(days=1)
    run = services.roster_generate(actor=users["dispatcher"], campaign_id=campaign.pk, first_day=tomorrow, last_day=tomorrow)
    shortfall = run.shortfalls.get()
    assert shortfall.starts_at == slot_start(tomorrow, 8) and shortfall.missing == 1
    services.shift_add(actor=users["dispatcher"], checkpoint_id=checkpoint_a.pk, person_id=person.pk, starts_at=shortfall.starts_at)
    shortfall.refresh_from_db()
    assert shortfall.filled_at is not None


def test_a_shift_must_start_at_a_slot(campaign, checkpoint_a, users, today, person):
    with pytest.raises(InvalidInput):
        services.shift_add(actor=users["dispatcher"], checkpoint_id=checkpoint_a.pk, person_id=person.pk, starts_at=slot_start(today, 9))


@pytest.fixture
def shift(checkpoint_a, person, today):
    return put(checkpoint_a, person, slot_start(today + timedelta(days=1), 8))


def test_check_in_opens_half_an_hour_before_and_closes_at_the_end(shift, users):
    with pytest.raises(InvalidInput) as refused:
        services.shift_check_in(actor=users["worker_a"], shift_id=shift.pk, now=shift.starts_at - timedelta(minutes=31))
    assert "opens at" in refused.value.message
    with pytest.raises(InvalidInput):
        services.shift_check_in(actor=users["worker_a"], shift_id=shift.pk, now=shift.ends_at)
    shift.refresh_from_db()
    assert shift.checked_in_at is None


def test_check_in_records_the_position_and_a_retry_changes_nothing(shift, users):
    at = shift.starts_at - timedelta(minutes=5)
    checked, changed = services.shift_check_in(actor=users["worker_a"], shift_id=shift.pk, latitude=34.085, longitude=119.345, accuracy=12, now=at)
    assert changed and checked.checked_in_at == at and checked.checkin_latitude == 34.085 and checked.checkin_accuracy_m == 12
    again, changed = services.shift_check_in(actor=users["worker_a"], shift_id=shift.pk, now=at + timedelta(minutes=1))
    assert not changed and again.checked_in_at == at
    assert DutyEvent.objects.filter(shift=shift, action="checkin").count() == 1


def test_a_check_in_without_a_position_records_it_as_not_available(shift, users):
    checked, _ = services.shift_check_in(actor=users["worker_a"], shift_id=shift.pk, now=shift.starts_at)
    assert checked.checkin_position_missing
    assert DutyEvent.objects.get(shift=shift, action="checkin").data["position_available"] is False


def test_a_bad_position_is_refused(shift, users):
    with pytest.raises(InvalidInput) as refused:
        services.shift_check_in(actor=users["worker_a"], shift_id=shift.pk, latitude=91, longitude=119.3, now=shift.starts_at)
    assert "latitude" in refused.value.fields


def test_only_the_shifts_person_checks_in(shift, users):
    with pytest.raises(Missing):
        services.shift_check_in(actor=users["worker_b"], shift_id=shift.pk, now=shift.starts_at)
    with pytest.raises(NotAllowed):
        services.shift_check_in(actor=users["dispatcher"], shift_id=shift.pk, now=shift.starts_at)


def test_check_out_comes_after_check_in(shift, users):
    with pytest.raises(InvalidInput):
        services.shift_check_out(actor=users["worker_a"], shift_id=shift.pk, now=shift.starts_at)
    services.shift_check_in(actor=users["worker_a"], shift_id=shift.pk, now=shift.starts_at)
    out, changed = services.shift_check_out(actor=users["worker_a"], shift_id=shift.pk, latitude=34.085, longitude=119.345, now=shift.ends_at)
    assert changed and out.checked_out_at == shift.ends_at
    _, changed = services.shift_check_out(actor=users["worker_a"], shift_id=shift.pk, now=shift.ends_at + timedelta(minutes=3))
    assert not changed


def test_an_approved_swap_hands_the_shift_over_and_tells_them(shift, users, other_person):
    swap = services.swap_ask(actor=users["worker_a"], shift_id=shift.pk, to_person_id=other_person.pk, reason="家里有事")
    services.swap_decide(actor=users["dispatcher"], swap_id=swap.pk, approve=True)
    shift.refresh_from_db()
    assert shift.person == other_person
    assert SwapRequest.objects.get().status == "approved"
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"worker_a", "worker_b"}
    assert list(DutyEvent.objects.filter(shift=shift).values_list("action", flat=True)) == ["swap_asked", "swap_approved"]


def test_an_exchange_swaps_both_shifts(shift, checkpoint_b, users, person, other_person, today):
    theirs = put(checkpoint_b, other_person, slot_start(today + timedelta(days=2), 8))
    swap = services.swap_ask(actor=users["dispatcher"], shift_id=shift.pk, to_person_id=other_person.pk, other_shift_id=theirs.pk)
    services.swap_decide(actor=users["dispatcher"], swap_id=swap.pk, approve=True)
    shift.refresh_from_db()
    theirs.refresh_from_db()
    assert (shift.person, theirs.person) == (other_person, person)


def test_a_swap_that_would_break_the_rest_is_not_approved_and_says_why(shift, checkpoint_b, users, other_person):
    swap = services.swap_ask(actor=users["worker_a"], shift_id=shift.pk, to_person_id=other_person.pk)
    put(checkpoint_b, other_person, shift.ends_at + timedelta(hours=2))  # given after the ask
    with pytest.raises(Conflict) as refused:
        services.swap_decide(actor=users["dispatcher"], swap_id=swap.pk, approve=True)
    assert "Cannot approve" in refused.value.message and "rest" in refused.value.message
    shift.refresh_from_db()
    assert shift.person.user == users["worker_a"]
    assert SwapRequest.objects.get().status == "pending"
    services.swap_decide(actor=users["dispatcher"], swap_id=swap.pk, approve=False, note="请按原排班")
    with pytest.raises(Conflict):
        services.swap_decide(actor=users["dispatcher"], swap_id=swap.pk, approve=True)


def test_a_swap_is_asked_once_by_the_person_or_the_command_centre(shift, users, other_person, volunteer):
    with pytest.raises(Missing):
        services.swap_ask(actor=users["worker_b"], shift_id=shift.pk, to_person_id=other_person.pk)
    with pytest.raises(InvalidInput):
        services.swap_ask(actor=users["worker_a"], shift_id=shift.pk, to_person_id=shift.person_id)
    services.swap_ask(actor=users["worker_a"], shift_id=shift.pk, to_person_id=volunteer.pk)
    with pytest.raises(Conflict):
        services.swap_ask(actor=users["dispatcher"], shift_id=shift.pk, to_person_id=other_person.pk)
    with pytest.raises(NotAllowed):
        services.swap_decide(actor=users["worker_a"], swap_id=SwapRequest.objects.get().pk, approve=True)


def test_a_started_shift_cannot_change_hands(shift, users, other_person):
    with pytest.raises(Conflict):
        services.swap_ask(actor=users["worker_a"], shift_id=shift.pk, to_person_id=other_person.pk, now=shift.starts_at)


def test_availability_keeps_people_out_of_the_next_roster(campaign, checkpoint_a, users, today, person):
    services.person_set_available(actor=users["dispatcher"], person_id=person.pk, available=False)
    tomorrow = today + timedelta(days=1)
    services.roster_generate(actor=users["dispatcher"], campaign_id=campaign.pk, first_day=tomorrow, last_day=tomorrow)
    assert not Shift.objects.filter(person=person).exists()
    assert Shortfall.objects.count() == 0  # the two others cover one person a shift
