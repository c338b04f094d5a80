import random
import time

import pytest
from django.utils import timezone

from accounts.privacy import id_number_problem
from screening import demo
from screening.models import Arrival, FollowUp, ScreeningEvent

pytestmark = pytest.mark.django_db


def test_the_demo_register_is_small_valid_and_mostly_followed_up(users):
    started = time.monotonic()
    made = demo.build(rng=random.Random(1), now=timezone.now())
    assert time.monotonic() - started < 10
    arrivals = list(Arrival.objects.all())
    assert made["arrivals"] == len(arrivals) >= 24  # two grids with workers in the fixture town
    assert all(id_number_problem(arrival.id_number) is None and arrival.id_number.startswith("320724") for arrival in arrivals)
    today = timezone.localdate()
    assert all(60 <= (today - arrival.arrived_on).days <= 120 for arrival in arrivals)
    done = FollowUp.objects.filter(done_at__isnull=False).count()
    assert done == made["follow_ups_done"] and made["follow_ups_open"] > 0 and done > 0.85 * FollowUp.objects.count()
    assert ScreeningEvent.objects.filter(action=ScreeningEvent.Action.FOLLOW_UP_DONE).count() == done
