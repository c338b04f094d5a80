"""After the phone review: an early check-out is confirmed first and listed for the command
centre; a check-in or check-out kept on the phone is recorded at the phone's time (within
bounds); swaps that the rules forbid are refused when asked, the colleague is told, and each
person is told the shift they now work; the phone's forms are answered in JSON."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Notification
from emergency import services
from emergency.models import DutyEvent, Shift, SwapRequest
from emergency.selectors import attendance_problems, exchangeable_shifts, shift_state
from incidents.errors import Conflict, InvalidInput

from .helpers import put

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def on_duty(checkpoint_a, person, users):
    """worker_a's shift from an hour ago to seven hours on, checked in at its start."""
    shift = put(checkpoint_a, person, timezone.now() - timedelta(hours=1))
    services.shift_check_in(actor=users["worker_a"], shift_id=shift.pk, now=shift.starts_at)
    return shift


def test_an_early_check_out_must_be_confirmed_and_says_how_early(on_duty, users):
    at = on_duty.ends_at - timedelta(hours=2, minutes=21)
    with pytest.raises(Conflict) as refused:
        services.shift_check_out(actor=users["worker_a"], shift_id=on_duty.pk, now=at)
    assert "2 h 21 min early" in refused.value.message and "early" in refused.value.fields
    assert Shift.objects.get(pk=on_duty.pk).checked_out_at is None
    shift, changed = services.shift_check_out(actor=users["worker_a"], shift_id=on_duty.pk, early=True, now=at)
    assert changed and shift.checked_out_at == at and shift.minutes_left_early == 141
    assert DutyEvent.objects.get(action="checkout").data["early_minutes"] == 141
    assert shift_state(Shift.objects.select_related("person").get(pk=on_duty.pk), at) == "left_early"


def test_a_check_out_at_the_shifts_end_needs_no_confirmation(on_duty, users):
    shift, changed = services.shift_check_out(actor=users["worker_a"], shift_id=on_duty.pk, now=on_duty.ends_at)
    assert changed and shift.minutes_left_early == 0


def test_the_command_centre_sees_an_early_check_out_beside_late_and_missed(on_duty, users, campaign, browse):
    at = on_duty.ends_at - timedelta(hours=3)
    services.shift_check_out(actor=users["worker_a"], shift_id=on_duty.pk, early=True, now=at)
    found = attendance_problems(campaign=campaign, now=at)
    assert [(shift.pk, shift.state) for shift in found] == [(on_duty.pk, "left_early")]
    page = browse("dispatcher").get(f"/console/duty/{campaign.pk}/").content.decode()
    assert 'data-attendance="left_early"' in page and "180 min early" in page


def test_a_check_in_kept_offline_is_recorded_at_the_phones_time(checkpoint_a, person, users):
    shift = put(checkpoint_a, person, timezone.now() - timedelta(hours=2))
    made = shift.starts_at + timedelta(minutes=2)
    checked, _ = services.shift_check_in(actor=users["worker_a"], shift_id=shift.pk, at=made, now=shift.starts_at + timedelta(hours=1))
    assert checked.checked_in_at == made and shift_state(checked, made + timedelta(minutes=5)) == "on_duty"


def test_a_check_in_sent_after_the_shift_ended_counts_when_made_within_it(checkpoint_a, person, users):
    shift = put(checkpoint_a, person, timezone.now() - timedelta(hours=9))
    made = shift.ends_at - timedelta(minutes=5)
    checked, _ = services.shift_check_in(actor=users["worker_a"], shift_id=shift.pk, at=made, now=shift.ends_at + timedelta(minutes=30))
    assert checked.checked_in_at == made


@pytest.mark.parametrize("offset, field", [
    (timedelta(minutes=-31), "at"),  # before the check-in window opens
    (timedelta(hours=9), "shift"),  # after the shift's end
])
def test_a_phone_time_outside_the_check_in_window_is_refused(checkpoint_a, person, users, offset, field):
    shift = put(checkpoint_a, person, timezone.now() - timedelta(hours=10))
    with pytest.raises(InvalidInput) as refused:
        services.shift_check_in(actor=users["worker_a"], shift_id=shift.pk, at=shift.starts_at + offset, now=timezone.now())
    assert field in refused.value.fields
    assert Shift.objects.get(pk=shift.pk).checked_in_at is None


def test_a_phone_time_ahead_of_the_server_is_believed_only_within_the_slack(checkpoint_a, person, users):
    now = timezone.now()
    shift = put(checkpoint_a, person, now - timedelta(minutes=5))
    with pytest.raises(InvalidInput) as refused:
        services.shift_check_in(actor=users["worker_a"], shift_id=shift.pk, at=now + timedelta(minutes=6), now=now)
    assert "clock" in refused.value.message
    checked, _ = services.shift_check_in(actor=users["worker_a"], shift_id=shift.pk, at=now + timedelta(minutes=4), now=now)
    assert checked.checked_in_at == now + timedelta(minutes=4)


def test_a_phone_time_without_its_zone_is_refused(checkpoint_a, person, users):
    shift = put(checkpoint_a, person, timezone.now())
    with pytest.raises(InvalidInput):
        services.shift_check_in(actor=users["worker_a"], shift_id=shift.pk, at=timezone.now().replace(tzinfo=None))


def test_a_check_out_before_the_check_in_is_refused(on_duty, users):
    with pytest.raises(InvalidInput) as refused:
        services.shift_check_out(actor=users["worker_a"], shift_id=on_duty.pk, at=on_duty.starts_at - timedelta(minutes=1), early=True)
    assert "before the check-in" in refused.value.message


# Swaps ---------------------------------------------------------------------------------------


def test_a_swap_the_rules_forbid_is_refused_when_asked_with_the_reason(checkpoint_a, checkpoint_b, person, other_person, users):
    start = timezone.now() + timedelta(days=1)
    mine = put(checkpoint_a, person, start)
    put(checkpoint_b, other_person, start + timedelta(hours=10))  # only 2 hours after mine would end
    with pytest.raises(Conflict) as refused:
        services.swap_ask(actor=users["worker_a"], shift_id=mine.pk, to_person_id=other_person.pk)
    assert "rest" in refused.value.message and "to_person" in refused.value.fields
    assert not SwapRequest.objects.exists()


def test_the_colleague_is_told_of_a_swap_asked_and_the_taker_of_the_shift_they_now_work(checkpoint_a, person, other_person, users):
    mine = put(checkpoint_a, person, timezone.now() + timedelta(days=1))
    swap = services.swap_ask(actor=users["worker_a"], shift_id=mine.pk, to_person_id=other_person.pk, reason="家中有事")
    asked = Notification.objects.get(recipient=users["worker_b"])
    assert "asks you to take their shift at 东口卡点" in asked.subject and "家中有事" in asked.body
    services.swap_decide(actor=users["dispatcher"], swap_id=swap.pk, approve=True)
    taker = Notification.objects.filter(recipient=users["worker_b"]).latest("pk").subject
    giver = Notification.objects.filter(recipient=users["worker_a"]).latest("pk").subject
    assert taker.startswith("Swap approved: you now work at 东口卡点") and services.shift_span(mine) in taker
    assert "is now" in giver and other_person.name in giver


def test_in_an_exchange_each_is_told_the_shift_they_now_work(checkpoint_a, checkpoint_b, person, other_person, users):
    mine = put(checkpoint_a, person, timezone.now() + timedelta(days=1))
    theirs = put(checkpoint_b, other_person, timezone.now() + timedelta(days=2))
    swap = services.swap_ask(actor=users["worker_a"], shift_id=mine.pk, to_person_id=other_person.pk, other_shift_id=theirs.pk)
    assert "exchange" in Notification.objects.get(recipient=users["worker_b"]).subject
    services.swap_decide(actor=users["dispatcher"], swap_id=swap.pk, approve=True)
    assert "西口卡点" in Notification.objects.filter(recipient=users["worker_a"]).latest("pk").subject
    assert "东口卡点" in Notification.objects.filter(recipient=users["worker_b"]).latest("pk").subject


def test_the_exchange_list_marks_the_shifts_that_would_clash_for_either(checkpoint_a, checkpoint_b, person, other_person):
    start = timezone.now() + timedelta(days=1)
    mine = put(checkpoint_a, person, start)
    put(checkpoint_a, person, start + timedelta(hours=24))  # mine, the next day
    fine = put(checkpoint_b, other_person, start + timedelta(hours=48))
    too_close_for_me = put(checkpoint_b, other_person, start + timedelta(hours=16))  # 0 h rest before my next
    shown = {shift.pk: shift for shift in exchangeable_shifts(shift=mine, person=other_person, now=timezone.now())}
    assert shown[fine.pk].clash is None
    assert shown[too_close_for_me.pk].clash is not None and shown[too_close_for_me.pk].clash_person == person


# The phone page ------------------------------------------------------------------------------


def test_the_phone_answers_the_outbox_in_json(browse, checkpoint_a, person):
    shift = put(checkpoint_a, person, timezone.now() - timedelta(minutes=5))
    client = browse("worker_a")
    made = timezone.now() - timedelta(minutes=3)
    response = client.post(f"/m/duty/shifts/{shift.pk}/check-in/", {"at": made.isoformat(), "uuid": "x"}, **JSON)
    assert response.status_code == 200 and response.json()["next"] == "/m/duty/" and "Checked in at 东口卡点" in response.json()["message"]
    assert Shift.objects.get(pk=shift.pk).checked_in_at == made
    again = client.post(f"/m/duty/shifts/{shift.pk}/check-in/", {"at": made.isoformat()}, **JSON)
    assert again.status_code == 200 and again.json()["message"] == "Already recorded."
    early = client.post(f"/m/duty/shifts/{shift.pk}/check-out/", {}, **JSON)
    assert early.status_code == 409 and "Confirm to end the duty early" in early.json()["detail"] and "early" in early.json()
    out = client.post(f"/m/duty/shifts/{shift.pk}/check-out/", {"early": "1"}, **JSON)
    assert out.status_code == 200 and "before the shift's end" in out.json()["message"]


@pytest.mark.parametrize("at", ["yesterday", "2026-13-45T10:00:00+08:00"])
def test_a_phone_time_that_is_not_a_time_is_a_400(browse, checkpoint_a, person, at):
    shift = put(checkpoint_a, person, timezone.now())
    response = browse("worker_a").post(f"/m/duty/shifts/{shift.pk}/check-in/", {"at": at}, **JSON)
    assert response.status_code == 400 and "at" in response.json()
    assert Shift.objects.get(pk=shift.pk).checked_in_at is None


def test_the_duty_page_has_a_back_arrow_and_preselects_nobody(browse, checkpoint_a, person, other_person):
    put(checkpoint_a, person, timezone.now() + timedelta(days=1))
    page = browse("worker_a").get("/m/duty/").content.decode()
    assert 'class="back"' in page and " selected" not in page and '<option value="">' in page
    # The colleague has no shift to trade: no exchange button.
    assert 'value="exchange"' not in page


def test_the_exchange_button_shows_when_a_colleague_has_shifts_to_trade(browse, checkpoint_a, checkpoint_b, person, other_person):
    put(checkpoint_a, person, timezone.now() + timedelta(days=1))
    put(checkpoint_b, other_person, timezone.now() + timedelta(days=2))
    page = browse("worker_a").get("/m/duty/").content.decode()
    assert 'value="exchange"' in page and f'value="{other_person.pk}" data-tradeable="1"' in page


def test_the_exchange_page_preselects_nothing_and_disables_a_clash(browse, checkpoint_a, checkpoint_b, person, other_person):
    start = timezone.now() + timedelta(days=1)
    mine = put(checkpoint_a, person, start)
    put(checkpoint_a, person, start + timedelta(hours=24))
    fine = put(checkpoint_b, other_person, start + timedelta(hours=48))
    clash = put(checkpoint_b, other_person, start + timedelta(hours=16))
    page = browse("worker_a").get(f"/m/duty/shifts/{mine.pk}/exchange/{other_person.pk}/").content.decode()
    assert " checked" not in page
    assert f'value="{clash.pk}" required disabled' in page and "Not possible" in page
    assert f'value="{fine.pk}" required>' in page


def test_an_early_check_out_is_shown_on_the_phone(browse, on_duty, users):
    services.shift_check_out(actor=users["worker_a"], shift_id=on_duty.pk, early=True)
    page = browse("worker_a").get("/m/duty/").content.decode()
    assert "left early" in page and " min early" in page and "(position not available)" in page
