"""The same person registered from two phones at the same moment (the grid's worker and the
command centre, or a retry racing the first send): one entry, the other told it exists.

Threads with their own connections, released together (tests/integration/test_concurrency.py).
"""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.errors import Conflict
from screening import services
from screening.models import Arrival
from tests.integration.test_concurrency import _locking_database, at_once  # noqa: F401

from .helpers import valid_id

pytestmark = pytest.mark.django_db(transaction=True)


def test_one_person_registered_twice_at_once_is_one_entry(users, grid_a):
    fields = {
        "grid": grid_a, "name": "张三", "phone": "13812345678", "id_number": valid_id(), "origin": "上海市浦东新区",
        "arrived_on": timezone.localdate() - timedelta(days=1),
    }
    outcomes = at_once(*[lambda actor=actor: services.arrival_register(actor=users[actor], **fields) for actor in ("worker_a", "dispatcher")])
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Conflict", "tuple"], outcomes
    assert Arrival.objects.count() == 1
    # Told which entry there is (the threads speak the town's language).
    assert str(Arrival.objects.get().pk) in next(outcome for outcome in outcomes if isinstance(outcome, Conflict)).message


def test_a_retry_racing_the_first_send_is_one_entry_answered_twice(users, grid_a):
    fields = {
        "grid": grid_a, "name": "李四", "phone": "13812345679", "id_number": valid_id(), "origin": "南京市鼓楼区",
        "arrived_on": timezone.localdate(), "client_uuid": uuid.uuid4(),
    }
    outcomes = at_once(*[lambda: services.arrival_register(actor=users["worker_a"], **fields) for _ in range(2)])
    assert sorted(created for _arrival, created in outcomes) == [False, True], outcomes
    assert {arrival.pk for arrival, _created in outcomes} == {Arrival.objects.get().pk}
