"""The demo town's patrols (patrols/demo.py), built on the two-grid town of the tests."""

import random
from datetime import date

from django.utils import timezone

from grids.models import Compound
from patrols import demo
from patrols.models import Patrol, PatrolEvent

from ..conftest import local

THURSDAY_TEN = local(2026, 11, 26, 10, 0)


def build(seed=1):
    return demo.build(rng=random.Random(seed), now=THURSDAY_TEN)


def snapshot():
    return list(Patrol.objects.order_by("uuid").values_list("uuid", "worker__username", "grid__code", "started_at", "ended_at", "point_count"))


def test_it_walks_the_last_working_days_and_this_morning_through_the_services(users, grid_a, grid_b):
    Compound.objects.create(grid=grid_a, name="光明小区", latitude=34.085, longitude=119.345)
    made = build()
    patrols = list(Patrol.objects.all())
    assert made["patrols"] == len(patrols) > 0 and made["points"] > 0
    days = {timezone.localdate(patrol.started_at) for patrol in patrols}
    assert days <= {date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 26)}
    for patrol in patrols:
        assert patrol.events.filter(action=PatrolEvent.Action.START).exists()
        assert patrol.point_count > 10 and 0 < patrol.coverage <= 1
        if timezone.localdate(patrol.started_at) < date(2026, 11, 26):
            assert not patrol.running
        assert patrol.ended_at is None or patrol.ended_at <= THURSDAY_TEN
    assert any(patrol.running for patrol in patrols)  # out this morning


def test_the_same_seed_gives_the_same_patrols(users, grid_a, grid_b):
    build(seed=7)
    first = snapshot()
    Patrol.objects.all().delete()
    build(seed=7)
    assert snapshot() == first
