"""One member's check-in for one day recorded from two phones at the same moment (the grid's
worker and the command centre), or a phone's retry racing its first send: one check-in.

Threads with their own connections, released together (tests/integration/test_concurrency.py).
"""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.errors import Conflict
from party import services
from party.models import MemberCheckIn
from tests.integration.test_concurrency import _locking_database, at_once  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def record(actor, member, grid, sent=None):
    return services.checkin_record(
        actor=actor, member=member, grid=grid, day=timezone.localdate() - timedelta(days=1), activity="清理楼道杂物", hours=2,
        uuid=sent or uuid.uuid4(),
    )


def test_one_members_day_recorded_from_two_phones_at_once_is_one_check_in(users, party, grid_a):
    outcomes = at_once(*[lambda actor=actor: record(users[actor], party["in_a"], grid_a) for actor in ("worker_a", "dispatcher")])
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Conflict", "tuple"], outcomes
    assert MemberCheckIn.objects.count() == 1


def test_a_retry_racing_the_first_send_is_one_check_in(users, party, grid_a):
    sent = uuid.uuid4()
    outcomes = at_once(*[lambda: record(users["worker_a"], party["in_a"], grid_a, sent) for _ in range(2)])
    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)], outcomes
    assert MemberCheckIn.objects.count() == 1
