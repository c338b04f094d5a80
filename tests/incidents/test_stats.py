"""The measures of DOMAIN.md (incidents/stats.py and GET /api/v1/stats/summary/), against
cases whose figures are worked out by hand."""

from datetime import datetime, timedelta

import pytest

from grids.models import Community, Grid
from incidents.models import Incident
from incidents.stats import incident_summary
from tests.conftest import IN_GRID_A, IN_GRID_B, local, square

pytestmark = pytest.mark.django_db

NOW = local(2026, 3, 31, 12, 0)
URL = "/api/v1/stats/summary/"
# The API counts against the real clock: these are past and future for it.
LONG_AGO = local(2025, 6, 30, 18, 0)
FAR_AHEAD = local(2099, 1, 1, 9, 0)


def case(category, status: str, *, reported_at: datetime, deadline: datetime, closed_at=None, grid=None, reworked=False) -> Incident:
    position = IN_GRID_B if grid is not None and grid.code.endswith("002") else IN_GRID_A
    incident = Incident.objects.create(
        category=category,
        description="手工构造的案件",
        grid=grid,
        status=status,
        reported_at=reported_at,
        deadline=deadline,
        warn_at=deadline - timedelta(hours=1),
        closed_at=closed_at,
        rework_count=1 if reworked else 0,
        **position,
    )
    return incident


def summary(**filters) -> dict:
    incidents = Incident.objects.all()
    for field, value in filters.items():
        incidents = incidents.filter(**{field: value})
    return incident_summary(incidents, now=NOW)


# The definitions, on eleven hand-made cases


@pytest.fixture
def by_outcome(categories, grid_a):
    """6 closed on time, 1 closed late, 1 open overdue, 1 open not yet due, 1 rejected, 1 merged."""
    rubbish = categories["rubbish"]
    reported = local(2026, 3, 2, 9, 0)
    deadline = local(2026, 3, 10, 18, 0)
    on_time = deadline - timedelta(days=1)
    made = {"on_time": [case(rubbish, "closed", reported_at=reported, deadline=deadline, closed_at=on_time, grid=grid_a) for _ in range(6)]}
    made["late"] = case(rubbish, "closed", reported_at=reported, deadline=deadline, closed_at=deadline + timedelta(days=2), grid=grid_a)
    made["overdue"] = case(rubbish, "assigned", reported_at=reported, deadline=deadline, grid=grid_a)
    made["not_due"] = case(rubbish, "handled", reported_at=local(2026, 3, 30, 9, 0), deadline=local(2026, 4, 2, 18, 0), grid=grid_a)
    made["rejected"] = case(rubbish, "rejected", reported_at=reported, deadline=deadline, closed_at=reported + timedelta(hours=1), grid=grid_a)
    made["merged"] = case(rubbish, "merged", reported_at=reported, deadline=deadline, closed_at=reported + timedelta(hours=1), grid=grid_a)
    return made


def test_it_counts_due_as_closed_plus_open_overdue(by_outcome):
    figures = summary()
    assert figures["reported"] == 11
    assert figures["closed"] == 7
    assert figures["overdue_open"] == 1
    assert figures["due"] == 8


def test_it_computes_the_three_completion_rates(by_outcome):
    figures = summary()
    assert figures["completion_rate"] == 87.5
    assert figures["on_time_rate"] == 75.0
    assert figures["overdue_completion_rate"] == 12.5
    assert figures["closed_late"] == 1


def test_rejected_and_merged_cases_count_as_neither_due_nor_closed(by_outcome):
    figures = summary()
    assert (figures["rejected"], figures["merged"]) == (1, 1)
    for incident in (by_outcome["rejected"], by_outcome["merged"]):
        incident.delete()
    assert {key: summary()[key] for key in ("due", "closed", "completion_rate")} == {"due": 8, "closed": 7, "completion_rate": 87.5}


def test_an_open_case_not_yet_due_is_not_due(by_outcome):
    assert summary()["open"] == 2
    by_outcome["not_due"].delete()
    assert summary()["due"] == 8


def test_an_open_case_becomes_due_once_its_deadline_passes(by_outcome):
    later = incident_summary(Incident.objects.all(), now=local(2026, 4, 3, 9, 0))
    assert later["due"] == 9
    assert later["overdue_open"] == 2
    assert later["completion_rate"] == 77.8


def test_the_rework_rate_counts_reworked_cases_among_the_due(by_outcome):
    for incident in (by_outcome["on_time"][0], by_outcome["overdue"]):
        Incident.objects.filter(pk=incident.pk).update(rework_count=1)
    assert summary()["rework_rate"] == 25.0


def test_a_case_reworked_twice_counts_once(by_outcome):
    Incident.objects.filter(pk=by_outcome["late"].pk).update(rework_count=2)
    assert summary()["reworked"] == 1
    assert summary()["rework_rate"] == 12.5


def test_rework_on_cases_that_are_not_due_is_not_counted(by_outcome):
    for incident in (by_outcome["not_due"], by_outcome["rejected"]):
        Incident.objects.filter(pk=incident.pk).update(rework_count=1)
    assert summary()["rework_rate"] == 0.0


def test_a_case_closed_exactly_at_its_deadline_is_on_time(categories):
    deadline = local(2026, 3, 10, 18, 0)
    case(categories["rubbish"], "closed", reported_at=local(2026, 3, 9, 9, 0), deadline=deadline, closed_at=deadline)
    assert summary()["on_time_rate"] == 100.0


def test_rates_are_null_when_nothing_is_due(categories):
    case(categories["rubbish"], "assigned", reported_at=local(2026, 3, 30, 9, 0), deadline=local(2026, 4, 2, 18, 0))
    case(categories["rubbish"], "rejected", reported_at=local(2026, 3, 2, 9, 0), deadline=local(2026, 3, 3, 9, 0))
    figures = summary()
    assert figures["due"] == 0
    assert [figures[rate] for rate in ("completion_rate", "on_time_rate", "overdue_completion_rate", "rework_rate")] == [None] * 4


def test_no_cases_at_all_give_zeros_and_null_rates(db):
    figures = summary()
    assert (figures["reported"], figures["due"], figures["closed"]) == (0, 0, 0)
    assert figures["completion_rate"] is None


def test_rates_are_rounded_to_one_decimal(categories):
    deadline = local(2026, 3, 10, 18, 0)
    for status, closed_at in (("closed", deadline), ("closed", deadline), ("assigned", None)):
        case(categories["rubbish"], status, reported_at=local(2026, 3, 2, 9, 0), deadline=deadline, closed_at=closed_at)
    assert summary()["completion_rate"] == 66.7


# Through the API: filters and scope, against the real clock


@pytest.fixture
def town_cases(categories, grid_a, grid_b, community):
    """Seven cases in three grids of two communities, reported in March and April 2025:

    | grid | category | reported | outcome |
    | A | 0101 | Mar 3  | closed on time |
    | A | 0102 | Mar 10 | closed late, reworked |
    | B | 0101 | Mar 17 | open, overdue |
    | B | 0501 | Mar 24 | closed on time |
    | C | 0101 | Apr 2  | closed on time (another community) |
    | A | 0501 | Apr 10 | open, not yet due |
    | A | 0101 | Apr 15 | rejected |
    """
    other = Community.objects.create(town=community.town, code="320724100002", name="新西社区")
    grid_c = Grid.objects.create(community=other, code="320724100002001", name="新西一网格", boundary=square(119.30, 34.08, 0.01))
    rubbish, light, gas = categories["rubbish"], categories["street_light"], categories["gas"]

    def closed(days_late=-1):
        return LONG_AGO + timedelta(days=days_late)

    case(rubbish, "closed", reported_at=local(2025, 3, 3, 9, 0), deadline=LONG_AGO, closed_at=closed(), grid=grid_a)
    case(light, "closed", reported_at=local(2025, 3, 10, 9, 0), deadline=LONG_AGO, closed_at=closed(3), grid=grid_a, reworked=True)
    case(rubbish, "assigned", reported_at=local(2025, 3, 17, 9, 0), deadline=LONG_AGO, grid=grid_b)
    case(gas, "closed", reported_at=local(2025, 3, 24, 9, 0), deadline=LONG_AGO, closed_at=closed(), grid=grid_b)
    case(rubbish, "closed", reported_at=local(2025, 4, 2, 9, 0), deadline=LONG_AGO, closed_at=closed(), grid=grid_c)
    case(gas, "reported", reported_at=local(2025, 4, 10, 9, 0), deadline=FAR_AHEAD, grid=grid_a)
    case(rubbish, "rejected", reported_at=local(2025, 4, 15, 9, 0), deadline=LONG_AGO, closed_at=local(2025, 4, 15, 10, 0), grid=grid_a)
    return grid_c


def figures_for(api, who="official", **params) -> dict:
    response = api(who).get(URL, params)
    assert response.status_code == 200, response.content
    body = response.json()
    return {key: body[key] for key in ("due", "closed", "overdue_open", "completion_rate", "on_time_rate", "rework_rate")}


def test_the_summary_covers_the_whole_town(api, town_cases):
    assert figures_for(api) == {
        "due": 5, "closed": 4, "overdue_open": 1, "completion_rate": 80.0, "on_time_rate": 60.0, "rework_rate": 20.0,
    }


def test_from_keeps_cases_reported_on_or_after_that_day(api, town_cases):
    assert figures_for(api, **{"from": "2025-04-01"}) == {
        "due": 1, "closed": 1, "overdue_open": 0, "completion_rate": 100.0, "on_time_rate": 100.0, "rework_rate": 0.0,
    }


def test_to_keeps_cases_reported_on_or_before_that_day(api, town_cases):
    assert figures_for(api, to="2025-03-31") == {
        "due": 4, "closed": 3, "overdue_open": 1, "completion_rate": 75.0, "on_time_rate": 50.0, "rework_rate": 25.0,
    }


def test_from_and_to_together_keep_the_period(api, town_cases):
    figures = figures_for(api, **{"from": "2025-03-10", "to": "2025-03-17"})
    assert (figures["due"], figures["closed"], figures["completion_rate"]) == (2, 1, 50.0)


def test_a_period_with_nothing_due_gives_null_rates(api, town_cases):
    figures = figures_for(api, **{"from": "2025-04-10", "to": "2025-04-30"})
    assert figures["due"] == 0
    assert (figures["completion_rate"], figures["on_time_rate"], figures["rework_rate"]) == (None, None, None)


def test_the_period_follows_the_towns_calendar_day(api, categories, grid_a):
    # 00:30 in Xin'an is still the previous day in UTC.
    case(categories["rubbish"], "closed", reported_at=local(2025, 3, 1, 0, 30), deadline=LONG_AGO, closed_at=LONG_AGO, grid=grid_a)
    assert figures_for(api, **{"from": "2025-03-01", "to": "2025-03-01"})["due"] == 1
    assert figures_for(api, to="2025-02-28")["due"] == 0


def test_community_keeps_the_cases_of_its_grids(api, town_cases):
    assert figures_for(api, community="320724100002")["due"] == 1
    figures = figures_for(api, community="320724100001")
    assert (figures["due"], figures["closed"], figures["completion_rate"]) == (4, 3, 75.0)


def test_grid_keeps_the_cases_of_that_grid(api, town_cases):
    assert figures_for(api, grid="320724100001001") == {
        "due": 2, "closed": 2, "overdue_open": 0, "completion_rate": 100.0, "on_time_rate": 50.0, "rework_rate": 50.0,
    }
    figures = figures_for(api, grid="320724100001002")
    assert (figures["due"], figures["closed"], figures["overdue_open"], figures["completion_rate"]) == (2, 1, 1, 50.0)


def test_a_major_category_includes_its_minor_ones(api, town_cases):
    figures = figures_for(api, category="01")
    assert (figures["due"], figures["closed"], figures["completion_rate"], figures["on_time_rate"]) == (4, 3, 75.0, 50.0)


def test_a_minor_category_keeps_only_itself(api, town_cases):
    figures = figures_for(api, category="0101")
    assert (figures["due"], figures["closed"], figures["completion_rate"], figures["on_time_rate"]) == (3, 2, 66.7, 66.7)
    assert figures_for(api, category="05")["due"] == 1


def test_an_unknown_grid_gives_an_empty_summary_not_an_error(api, town_cases):
    figures = figures_for(api, grid="320724100009999")
    assert figures["due"] == 0 and figures["completion_rate"] is None


def test_the_summary_echoes_the_filters_it_applied(api, town_cases):
    body = api("official").get(URL, {"from": "2025-03-01", "grid": "320724100001001"}).json()
    assert body["filters"] == {"from": "2025-03-01", "grid": "320724100001001"}


def test_an_impossible_date_is_refused_with_a_field_message(api, town_cases):
    response = api("official").get(URL, {"from": "2026-13-01"})
    assert response.status_code == 400
    assert list(response.json()) == ["from"]


def test_an_end_before_the_start_is_refused_with_a_field_message(api, town_cases):
    response = api("official").get(URL, {"from": "2025-04-01", "to": "2025-03-01"})
    assert response.status_code == 400
    assert list(response.json()) == ["to"]


def test_a_date_that_is_not_a_date_is_refused(api, town_cases):
    response = api("official").get(URL, {"to": "last week"})
    assert response.status_code == 400
    assert "to" in response.json()


def test_a_grid_worker_counts_only_the_cases_they_can_see(api, town_cases):
    assert figures_for(api, "worker_a")["due"] == 2
    figures = figures_for(api, "worker_b")
    assert (figures["due"], figures["closed"], figures["completion_rate"]) == (2, 1, 50.0)


def test_a_grid_workers_figures_are_their_grids_even_with_a_case_assigned_to_them_elsewhere(api, users, town_cases):
    # The dashboard's rule (issue 9): a worker's figures are their grid's, whoever handles them.
    Incident.objects.filter(grid=town_cases).update(assignee=users["worker_a"])
    assert figures_for(api, "worker_a")["due"] == 2


def test_a_department_member_counts_only_their_departments_cases(api, users, department, town_cases):
    assert figures_for(api, "department")["due"] == 0
    Incident.objects.filter(category__code="0501").update(assigned_department=department)
    figures = figures_for(api, "department")
    assert (figures["due"], figures["closed"]) == (1, 1)


@pytest.mark.parametrize("who", ["official", "dispatcher", "inspector", "admin"])
def test_town_wide_roles_count_the_whole_town(api, town_cases, who):
    assert figures_for(api, who)["due"] == 5


def test_the_summary_needs_a_login(api, town_cases):
    assert api(None).get(URL).status_code in (401, 403)
