"""The demo campaign, built on the test town: through the services, fully staffed in the end,
with check-ins and swaps."""

import random

from django.utils import timezone

from accounts.models import Role, User
from emergency import demo
from grids.models import GridWorker
from tests.conftest import make_user
from emergency.models import Campaign, Shift, Shortfall
from volunteers.models import Team, Volunteer


def test_the_demo_campaign_is_staffed_and_checked_in(users, grid_a):
    # Eight checkpoints of two round the clock, with 8 hours' rest, need 32 people a shift apart.
    for number in range(40):
        GridWorker.objects.create(user=make_user(f"worker{number:02d}", Role.WORKER)).grids.add(grid_a)
    team = Team.objects.create(name="红色义工队", kind=Team.Kind.RED)
    for name in ("王阿姨", "李师傅"):
        Volunteer.objects.create(name=name, team=team)
    Volunteer.objects.create(name="worker00", team=team, user=User.objects.get(username="worker00"))
    figures = demo.build(rng=random.Random(7), now=timezone.now())
    campaign = Campaign.objects.get()
    assert not campaign.active and figures["checkpoints"] == 8
    # 42 grid workers and two volunteers: the one who is a grid worker too is one person.
    assert (figures["people"], figures["volunteers"]) == (44, 3)
    assert figures["shifts"] == Shift.objects.count() > 0
    assert figures["shortfalls"] == 0 and not Shortfall.objects.exists()
    no_account = Shift.objects.filter(person__user__isnull=True)
    assert no_account.exists() and not no_account.filter(checked_in_at__isnull=False).exists()
    assert Shift.objects.filter(checked_in_at__isnull=True, person__user__isnull=False).count() == 1  # the one missed
    assert figures["checkins"] == figures["shifts"] - no_account.count() - 1
    assert figures["swaps"] == 2
