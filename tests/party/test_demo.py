"""The demo town's party organisation (party/demo.py), built through the services on a town of
thirty grids."""

import random
import time

import pytest

from grids.models import Compound, Grid, GridWorker
from party import demo
from party.models import Meeting, MeetingFollowUp, MemberCheckIn, MemberKind, PartyBranch, PartyEvent, PartyMember
from party.selectors import compliance

from ..conftest import local, make_user, square

THURSDAY_TEN = local(2026, 11, 26, 10, 0)


@pytest.fixture
def town_of_30(community, categories):
    grids = Grid.objects.bulk_create([
        Grid(community=community, code=f"320724100001{n:03d}", name=f"第{n}网格", boundary=square(119.30 + n * 0.002, 34.08, 0.002))
        for n in range(1, 31)
    ])
    for grid in grids:
        Compound.objects.create(grid=grid, name=f"{grid.name}小区", latitude=34.081, longitude=119.301 + int(grid.code[-3:]) * 0.002, is_old=True)
        GridWorker.objects.create(user=make_user(f"w{grid.code[-3:]}", "worker")).grids.add(grid)
    make_user("dispatcher", "dispatcher")
    return grids


def test_the_demo_builds_24_branches_members_and_a_year_of_check_ins(town_of_30):
    started = time.monotonic()
    made = demo.build(rng=random.Random(1), now=THURSDAY_TEN)
    elapsed = time.monotonic() - started
    assert made["branches"] == PartyBranch.objects.count() == 24
    assert not PartyBranch.objects.filter(secretary__isnull=True).exists()
    assert 300 <= made["members"] <= 500
    assert made["in_service"] == PartyMember.objects.filter(kind=MemberKind.IN_SERVICE).count()
    assert made["checkins"] == MemberCheckIn.objects.count()
    assert MemberCheckIn.objects.filter(status="recorded").count() == demo.WAITING
    assert PartyEvent.objects.filter(action="checkin_confirmed").exists()
    last_year = compliance(year=2025, today=THURSDAY_TEN.date())
    met = sum(1 for row in last_year if row.met)
    assert 0.8 * len(last_year) <= met < len(last_year)
    this_year = compliance(year=2026, today=THURSDAY_TEN.date())
    on_track = sum(1 for row in this_year if row.on_track)
    assert 0.7 * len(this_year) <= on_track < len(this_year)
    assert made["meetings"] == 12 and made["cases"] == 2
    latest = list(Meeting.objects.order_by("-date", "-pk")[:2])
    opened = MeetingFollowUp.objects.filter(incident__isnull=False).select_related("incident")
    assert sorted(follow_up.meeting_id for follow_up in opened) == sorted(meeting.pk for meeting in latest)
    assert all(follow_up.grid_id and follow_up.incident.source == "other" and follow_up.done_on is None for follow_up in opened)
    assert PartyEvent.objects.filter(action="checkin_recorded").count() == made["checkins"]
    assert elapsed < 20  # about a second on an idle machine
