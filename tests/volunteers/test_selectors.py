"""Who reads what (volunteers/selectors.py), the periods, and the coverage computed from the rows
in a fixed number of queries."""

from datetime import date
from decimal import Decimal

import pytest
from django.http import Http404

from volunteers import services
from volunteers.models import Activity, Team
from volunteers.selectors import activities_visible_to, activity_get_for_user, coverage, period_bounds, teams_visible_to, volunteers_visible_to

from .helpers import record

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize("kind, extra, bounds", [
    ("year", {}, (date(2026, 1, 1), date(2026, 12, 31))),
    ("year", {"year": 2025}, (date(2025, 1, 1), date(2025, 12, 31))),
    ("quarter", {}, (date(2026, 10, 1), date(2026, 12, 31))),
    ("quarter", {"quarter": 1, "year": 2024}, (date(2024, 1, 1), date(2024, 3, 31))),
    ("month", {"month": 2, "year": 2024}, (date(2024, 2, 1), date(2024, 2, 29))),
    ("custom", {"first": date(2026, 3, 5), "last": date(2026, 4, 1)}, (date(2026, 3, 5), date(2026, 4, 1))),
])
def test_a_period_is_a_calendar_year_quarter_month_or_a_span(kind, extra, bounds):
    assert period_bounds(kind=kind, today=TODAY, **extra) == bounds


def test_a_span_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="ends before it starts"):
        period_bounds(kind="custom", today=TODAY, first=date(2026, 5, 1), last=date(2026, 4, 1))


def test_a_grid_worker_reads_their_grids_activities_and_a_department_nothing(users, team, people, grid_a, grid_b):
    in_a = record(users["dispatcher"], team=team, grid=grid_a, volunteers=people[:1])
    in_b = record(users["dispatcher"], team=team, grid=grid_b, volunteers=people[:1])
    assert list(activities_visible_to(users["worker_a"])) == [in_a]
    assert set(activities_visible_to(users["inspector"])) == {in_a, in_b}
    with pytest.raises(Http404):
        activity_get_for_user(user=users["worker_a"], activity_id=in_b.pk)
    assert teams_visible_to(users["worker_b"]).count() == 1 and volunteers_visible_to(users["worker_b"]).count() == 3
    for nobody in ("department", "other_department"):
        assert not activities_visible_to(users[nobody]).exists()
        assert not teams_visible_to(users[nobody]).exists() and not volunteers_visible_to(users[nobody]).exists()


def test_a_team_shows_its_active_members_activities_and_hours(users, team, people, grid_a):
    record(users["dispatcher"], team=team, grid=grid_a, volunteers=people, hours="2")
    record(users["dispatcher"], team=team, grid=grid_a, volunteers=people[:1], hours="1")
    services.volunteer_update(actor=users["dispatcher"], volunteer=people[2], changes={"active": False})
    shown = teams_visible_to(users["official"]).get()
    assert (shown.members, shown.activity_count, shown.hours) == (2, 2, Decimal("7.0"))


def test_coverage_counts_outreach_sessions_against_all_grids_and_old_compounds(users, team, people, grid_a, grid_b, compounds):
    other = services.team_create(actor=users["dispatcher"], name="法律援助队", kind=Team.Kind.LEGAL_AID)
    record(users["dispatcher"], team=team, grid=grid_a, volunteers=people[:2], day=date(2026, 3, 2), audience=50, compounds=[compounds["old_a"], compounds["new_a"]])
    record(users["dispatcher"], team=team, grid=grid_a, volunteers=people[:1], kind=Activity.Kind.HISTORY_OUTREACH, day=date(2026, 3, 20), audience=30)
    # Legal aid reaches grid B's old compound, but it is no outreach session: still to be reached.
    record(users["dispatcher"], team=other, grid=grid_b, volunteers=people[2:], kind=Activity.Kind.LEGAL_AID, day=date(2026, 5, 1), audience=8, compounds=[compounds["old_b"]])
    record(users["dispatcher"], team=team, grid=grid_b, volunteers=people[:1], day=date(2025, 12, 31))  # last year

    figures = coverage(first=date(2026, 1, 1), last=date(2026, 12, 31))
    assert (figures.total.sessions, figures.total.activities, figures.total.audience, figures.total.hours) == (2, 3, 88, Decimal("8.0"))
    assert (figures.grids_reached, figures.grid_count, figures.old_compounds_reached, figures.old_compound_count) == (1, 2, 1, 2)
    assert figures.grids_missing == [grid_b] and figures.old_compounds_missing == [compounds["old_b"]]
    by_team = {shown.name: row for shown, row in figures.by_team}
    assert (by_team["新安镇宣讲团"].sessions, by_team["法律援助队"].sessions, by_team["法律援助队"].activities) == (2, 0, 1)
    by_month = {month: row for month, row in figures.by_month}
    assert len(by_month) == 12 and by_month[date(2026, 3, 1)].sessions == 2 and by_month[date(2026, 5, 1)].activities == 1

    only_legal_aid = coverage(first=date(2026, 1, 1), last=date(2026, 12, 31), team=other)
    assert (only_legal_aid.total.sessions, only_legal_aid.grids_reached, [shown for shown, _row in only_legal_aid.by_team]) == (0, 0, [other])


def test_coverage_costs_the_same_queries_for_few_activities_as_for_many(users, team, people, grid_a, grid_b, compounds, django_assert_max_num_queries):
    record(users["dispatcher"], team=team, grid=grid_a, volunteers=people[:1], compounds=[compounds["old_a"]])
    with django_assert_max_num_queries(6):
        coverage(first=date(2026, 1, 1), last=date(2026, 12, 31))
    for number in range(20):
        grid = grid_b if number % 2 else grid_a
        record(users["dispatcher"], team=team, grid=grid, volunteers=people, compounds=[compound for compound in compounds.values() if compound.grid == grid])
    with django_assert_max_num_queries(6):
        figures = coverage(first=date(2026, 1, 1), last=date(2026, 12, 31))
    assert figures.total.sessions == 21 and not figures.old_compounds_missing
