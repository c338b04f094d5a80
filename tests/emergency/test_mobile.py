"""The grid worker's duty page on the phone: their shifts, check-in with or without a position,
a swap asked; another's shift is a 404."""

from datetime import timedelta

import pytest
from django.utils import timezone

from emergency.models import Shift, SwapRequest

from .helpers import put


@pytest.fixture
def shift_now(checkpoint_a, person):
    return put(checkpoint_a, person, timezone.now() + timedelta(minutes=10))


def test_the_phone_lists_the_workers_next_shifts(browse, shift_now, checkpoint_a, other_person):
    theirs = put(checkpoint_a, other_person, timezone.now() + timedelta(hours=8))
    page = browse("worker_a").get("/m/duty/").content.decode()
    assert f'data-shift="{shift_now.pk}"' in page and f'data-shift="{theirs.pk}"' not in page
    assert "Check in" in page


def test_a_department_member_finds_no_duty_page(browse, users):
    assert browse("department").get("/m/duty/").status_code == 404


def test_check_in_from_the_phone_records_the_position(browse, shift_now):
    response = browse("worker_a").post(f"/m/duty/shifts/{shift_now.pk}/check-in/", {"lat": "34.085", "lng": "119.345", "accuracy": "9"})
    assert response.status_code == 302
    shift = Shift.objects.get(pk=shift_now.pk)
    assert shift.checkin_latitude == 34.085 and shift.checkin_accuracy_m == 9


def test_check_in_with_the_position_refused_is_recorded_as_not_available(browse, shift_now):
    response = browse("worker_a").post(f"/m/duty/shifts/{shift_now.pk}/check-in/", {"lat": "", "lng": ""}, follow=True)
    assert "position not available" in response.content.decode()
    assert Shift.objects.get(pk=shift_now.pk).checkin_position_missing


def test_another_workers_shift_is_a_404(browse, shift_now):
    assert browse("worker_b").post(f"/m/duty/shifts/{shift_now.pk}/check-in/", {}).status_code == 404


def test_a_swap_is_asked_from_the_phone(browse, checkpoint_a, person, other_person):
    later = put(checkpoint_a, person, timezone.now() + timedelta(days=1))
    browse("worker_a").post(f"/m/duty/shifts/{later.pk}/swap/", {"to_person": other_person.pk, "reason": "家中有事"})
    swap = SwapRequest.objects.get()
    assert swap.shift == later and swap.to_person == other_person and swap.status == "pending"


def test_an_exchange_is_asked_from_the_phone_choosing_the_colleagues_shift(browse, checkpoint_a, checkpoint_b, person, other_person):
    mine = put(checkpoint_a, person, timezone.now() + timedelta(days=1))
    theirs = put(checkpoint_b, other_person, timezone.now() + timedelta(days=2))
    client = browse("worker_a")
    response = client.post(f"/m/duty/shifts/{mine.pk}/swap/", {"to_person": other_person.pk, "mode": "exchange", "reason": "离家近"})
    assert response.status_code == 302 and not SwapRequest.objects.exists()
    page = client.get(response.url).content.decode()
    assert f'value="{theirs.pk}"' in page and "离家近" in page
    client.post(f"/m/duty/shifts/{mine.pk}/swap/", {"to_person": other_person.pk, "other_shift": theirs.pk, "reason": "离家近"})
    swap = SwapRequest.objects.get()
    assert (swap.shift, swap.to_person, swap.other_shift, swap.reason) == (mine, other_person, theirs, "离家近")


def test_the_exchange_page_is_only_for_the_shifts_person_and_a_colleague(browse, checkpoint_a, person, other_person, users, today):
    from emergency import services

    mine = put(checkpoint_a, person, timezone.now() + timedelta(days=1))
    elsewhere = services.campaign_create(actor=users["dispatcher"], name="另一", kind="other", started=today)
    stranger = elsewhere.people.get(user=users["worker_b"])
    assert browse("worker_b").get(f"/m/duty/shifts/{mine.pk}/exchange/{other_person.pk}/").status_code == 404
    assert browse("worker_a").get(f"/m/duty/shifts/{mine.pk}/exchange/{stranger.pk}/").status_code == 404


def test_an_exchange_for_a_shift_not_the_colleagues_is_refused(browse, checkpoint_a, person, other_person, volunteer):
    mine = put(checkpoint_a, person, timezone.now() + timedelta(days=1))
    not_theirs = put(checkpoint_a, volunteer, timezone.now() + timedelta(days=2))
    response = browse("worker_a").post(
        f"/m/duty/shifts/{mine.pk}/swap/", {"to_person": other_person.pk, "other_shift": not_theirs.pk}, follow=True,
    )
    assert "must be one of worker_b" in response.content.decode() and not SwapRequest.objects.exists()
