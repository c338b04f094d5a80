"""A phone retrying while its first request is still running, or two phones of one worker, or the
watch closing a patrol as the worker stops it: one change wins, and nothing is done twice.

Threads with their own connections, released together (tests/integration/test_concurrency.py);
every patrol save is slowed so both have read before either writes.
"""

import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from grids.models import Compound
from incidents.errors import Conflict
from patrols import services
from patrols.models import Patrol, PatrolCheckin, PatrolEvent, PatrolPoint
from tests.integration.test_concurrency import _locking_database, at_once  # noqa: F401

from .helpers import across_a

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def slow_saves(monkeypatch):
    save = Patrol.save

    def slow_save(self, *args, **kwargs):
        time.sleep(0.3)
        return save(self, *args, **kwargs)

    return lambda: monkeypatch.setattr(Patrol, "save", slow_save)


@pytest.fixture
def worker(users):
    return users["worker_a"]


@pytest.fixture
def running(worker):
    patrol, _ = services.patrol_start(worker=worker, uuid=uuid.uuid4(), started_at=timezone.now() - timedelta(minutes=20))
    return patrol


def test_two_phones_starting_at_once_start_one_patrol(worker, slow_saves):
    slow_saves()
    outcomes = at_once(
        lambda: services.patrol_start(worker=worker, uuid=uuid.uuid4()),
        lambda: services.patrol_start(worker=worker, uuid=uuid.uuid4()),
    )
    started = [outcome for outcome in outcomes if isinstance(outcome, tuple)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, Conflict)]
    assert len(started) == 1 and len(refused) == 1, outcomes
    assert Patrol.objects.count() == 1 and PatrolEvent.objects.count() == 1


def test_the_same_start_sent_twice_at_once_is_one_patrol(worker, slow_saves):
    slow_saves()
    same = uuid.uuid4()
    outcomes = at_once(*[lambda: services.patrol_start(worker=worker, uuid=same)] * 2)
    assert all(isinstance(outcome, tuple) for outcome in outcomes), outcomes
    assert sorted(created for _patrol, created in outcomes) == [False, True]
    assert Patrol.objects.count() == 1


def test_the_same_batch_sent_twice_at_once_is_stored_once(worker, running, slow_saves):
    slow_saves()
    batch = across_a(running.started_at + timedelta(seconds=1))
    outcomes = at_once(*[lambda: services.patrol_add_points(worker=worker, uuid=running.uuid, points=batch)] * 2)
    assert [outcome["accepted"] for outcome in outcomes] == [51, 51], outcomes
    assert PatrolPoint.objects.count() == 51 and Patrol.objects.get().point_count == 51


def test_stopping_as_the_watch_closes_it_ends_it_once(worker, slow_saves):
    yesterday = timezone.now() - timedelta(days=1)
    patrol, _ = services.patrol_start(worker=worker, uuid=uuid.uuid4(), started_at=yesterday, now=yesterday)
    slow_saves()
    at_once(
        lambda: services.patrol_stop(worker=worker, uuid=patrol.uuid, ended_at=yesterday + timedelta(hours=1)),
        lambda: services.patrols_close_forgotten(),
    )
    ends = PatrolEvent.objects.filter(action__in=[PatrolEvent.Action.STOP, PatrolEvent.Action.CLOSED_BY_WATCH])
    assert ends.count() == 1
    assert Patrol.objects.get().ended_at is not None


def test_the_same_checkin_sent_twice_at_once_is_one_checkin(worker, running, grid_a):
    compound = Compound.objects.create(grid=grid_a, name="光明小区", latitude=34.085, longitude=119.345)
    same = uuid.uuid4()

    def checkin():
        return services.patrol_checkin(
            worker=worker, uuid=running.uuid, checkin_uuid=same, compound_id=compound.pk, latitude=34.085, longitude=119.345
        )

    outcomes = at_once(checkin, checkin)
    assert all(isinstance(outcome, tuple) for outcome in outcomes), outcomes
    assert PatrolCheckin.objects.count() == 1
    assert PatrolEvent.objects.filter(action=PatrolEvent.Action.CHECKIN).count() == 1
