"""Two dispatchers at once on one campaign: nobody ends up in two places, a swap is decided once,
two roster runs never book one person twice.

Threads with their own connections, released together (tests/integration/test_concurrency.py);
shift writes are slowed so both have read before either writes.
"""

import time
from datetime import timedelta

import pytest

from emergency import services
from emergency.models import Shift, SwapRequest
from incidents.errors import WorkflowError
from tests.integration.test_concurrency import _locking_database, at_once  # noqa: F401

from .helpers import put, slot_start

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def slow_shift_writes(monkeypatch):
    save = Shift.save

    def slow_save(self, *args, **kwargs):
        time.sleep(0.3)
        return save(self, *args, **kwargs)

    monkeypatch.setattr(Shift, "save", slow_save)


def overlapping(person) -> list[tuple]:
    shifts = list(Shift.objects.filter(person__user=person.user).order_by("starts_at").values_list("starts_at", "ends_at"))
    return [(a, b) for a, b in zip(shifts, shifts[1:]) if b[0] < a[1]]


def test_one_person_put_on_two_checkpoints_at_once_is_put_on_one(users, checkpoint_a, checkpoint_b, person, today, slow_shift_writes):
    starts_at = slot_start(today + timedelta(days=1), 8)
    outcomes = at_once(*[
        lambda checkpoint=checkpoint: services.shift_add(actor=users["dispatcher"], checkpoint_id=checkpoint.pk, person_id=person.pk, starts_at=starts_at)
        for checkpoint in (checkpoint_a, checkpoint_b)
    ])
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Conflict", "Shift"], outcomes
    assert Shift.objects.filter(person=person).count() == 1


def test_approving_and_refusing_a_swap_at_once_decides_it_once(users, checkpoint_a, person, other_person, today):
    shift = put(checkpoint_a, person, slot_start(today + timedelta(days=1), 8))
    swap = services.swap_ask(actor=users["worker_a"], shift_id=shift.pk, to_person_id=other_person.pk, reason="家中有事")
    outcomes = at_once(
        lambda: services.swap_decide(actor=users["dispatcher"], swap_id=swap.pk, approve=True),
        lambda: services.swap_decide(actor=users["dispatcher"], swap_id=swap.pk, approve=False, note="请按原排班"),
    )
    decided = [outcome for outcome in outcomes if isinstance(outcome, SwapRequest)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, WorkflowError)]
    assert len(decided) == 1 and len(refused) == 1, outcomes
    swap.refresh_from_db()
    shift.refresh_from_db()
    assert swap.status == decided[0].status
    assert shift.person == (other_person if swap.status == SwapRequest.Status.APPROVED else person)


def test_two_roster_runs_at_once_never_book_anyone_twice(users, campaign, checkpoint_a, checkpoint_b, today):
    first, last = today + timedelta(days=1), today + timedelta(days=2)
    outcomes = at_once(*[
        lambda: services.roster_generate(actor=users["dispatcher"], campaign_id=campaign.pk, first_day=first, last_day=last)
        for _ in range(2)
    ])
    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception) and not isinstance(outcome, WorkflowError)], outcomes
    for person in campaign.people.filter(user__isnull=False):
        assert not overlapping(person)
    # Each slot holds its one person, not two from two runs.
    slots = Shift.objects.filter(checkpoint__campaign=campaign).values_list("checkpoint_id", "starts_at")
    assert len(slots) == len(set(slots))
