"""The demo town's volunteer service (volunteers/demo.py), built on the demo town itself: the
reported 83 outreach sessions over all 80 grids and all 132 old compounds come out of the rows."""

import random
import time
from datetime import date

import pytest

from grids.models import Compound, Grid
from incidents import demo_data
from incidents.management.commands.seed_demo import TownBuilder
from volunteers import demo
from volunteers.models import Activity, ActivityPhoto, Event, Team, Volunteer
from volunteers.selectors import coverage, period_bounds

from ..conftest import local

NOW = local(2026, 11, 26, 10, 0)


@pytest.fixture
def demo_town(db):
    TownBuilder(random.Random(3), today=NOW.date()).build()


def test_this_years_sessions_reach_every_grid_and_old_compound(demo_town):
    started = time.monotonic()
    made = demo.build(rng=random.Random(5), now=NOW)
    took = time.monotonic() - started
    assert took < 15, f"the volunteers' demo took {took:.1f} s"
    first, last = period_bounds(kind="year", today=NOW.date())
    this_year = coverage(first=first, last=last)
    assert this_year.total.sessions == demo.OUTREACH_SESSIONS_THIS_YEAR == made["sessions"] == 83
    assert (this_year.grids_reached, this_year.grid_count) == (80, 80) == (Grid.objects.count(),) * 2
    old = Compound.objects.filter(is_old=True).count()
    assert (this_year.old_compounds_reached, this_year.old_compound_count) == (demo_data.OLD_COMPOUNDS, old) == (132, 132)
    assert this_year.grids_missing == [] and this_year.old_compounds_missing == []
    assert this_year.total.activities > this_year.total.sessions and this_year.total.hours > 0 and this_year.total.audience > 0


def test_it_builds_the_teams_volunteers_and_last_year_through_the_services(demo_town):
    made = demo.build(rng=random.Random(5), now=NOW)
    kinds = set(Team.objects.values_list("kind", flat=True))
    assert kinds == {Team.Kind.RED, Team.Kind.OUTREACH, Team.Kind.LEGAL_AID, Team.Kind.JUDICIAL}
    assert Team.objects.filter(kind=Team.Kind.RED).count() == len(demo_data.COMMUNITIES)
    assert 130 <= Volunteer.objects.count() == made["volunteers"] <= 170
    assert Volunteer.objects.filter(user__isnull=False, profession=Volunteer.Profession.GRID_WORKER).count() >= 20
    assert Activity.objects.filter(date__year=2025).count() == demo.ACTIVITIES_LAST_YEAR
    assert not Activity.objects.filter(date__gt=date(2026, 11, 26)).exists()
    assert Event.objects.filter(action=Event.Action.ACTIVITY_RECORD).count() == Activity.objects.count() == made["activities"]
    assert ActivityPhoto.objects.count() == demo.PHOTOS
