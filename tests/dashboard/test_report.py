"""The monthly report (/dashboard/report/?month=YYYY-MM): a printable A4 page with the town's
name, the month's figures beside the month before, its charts and its rankings."""

from datetime import date, timedelta

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from incidents import stats
from incidents.models import Incident
from tests.conftest import IN_GRID_A, IN_GRID_B, local

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:report")


def case(category, grid, *, reported, status="closed", late=False, department=None) -> Incident:
    """A case reported at `reported`, due two days later, closed the next day (or four days
    later, when late), or still open."""
    deadline = reported + timedelta(days=2)
    closed = reported + timedelta(days=4 if late else 1) if status == "closed" else None
    return Incident.objects.create(
        category=category, description="手工构造的案件", grid=grid, status=status, reported_at=reported, deadline=deadline,
        warn_at=deadline - timedelta(hours=1), closed_at=closed, assigned_department=department,
        **(IN_GRID_B if grid.code.endswith("002") else IN_GRID_A),
    )


@pytest.fixture
def october(categories, grid_a, grid_b, department):
    """October 2026: three cases in grid A (one closed late, one open and overdue), one in grid
    B; September: one closed in grid A."""
    rubbish = categories["rubbish"]
    return [
        case(rubbish, grid_a, reported=local(2026, 10, 5, 9, 0), department=department),
        case(rubbish, grid_a, reported=local(2026, 10, 12, 9, 0), late=True),
        case(rubbish, grid_a, reported=local(2026, 10, 20, 9, 0), status="assigned"),
        case(rubbish, grid_b, reported=local(2026, 10, 31, 23, 0)),
        case(rubbish, grid_a, reported=local(2026, 9, 30, 10, 0)),
    ]


def card_values(response, key="value") -> dict:
    return {card["figure"].key: card[key] for card in response.context["cards"]}


def test_the_months_figures_equal_the_stats_summary_for_that_month(browse, october):
    response = browse("official").get(URL, {"month": "2026-10"})
    assert response.status_code == 200
    october_figures = stats.summary(stats.Filters(date(2026, 10, 1), date(2026, 10, 31)), now=timezone.now())
    september = stats.summary(stats.Filters(date(2026, 9, 1), date(2026, 9, 30)), now=timezone.now())
    values = card_values(response)
    assert values["reported"] == october_figures["reported"] == 4
    assert values["completion_rate"] == october_figures["completion_rate"] == 75.0
    assert {key: values[key] for key in october_figures if key in values} == {key: october_figures[key] for key in values}
    assert card_values(response, "before")["reported"] == f"{september['reported']:,}"
    page = response.content.decode()
    assert "新安镇" in page and "Monthly report" in page and "75.0%" in page


def test_the_page_is_set_for_a_printed_a4_sheet_with_a_print_button(browse, october):
    page = browse("official").get(URL, {"month": "2026-10"}).content.decode()
    assert "dashboard/report.css" in page and "data-print" in page
    with open(finders.find("dashboard/report.css"), encoding="utf-8") as css:
        styles = css.read()
    assert "size: A4" in styles and "@media print" in styles


def test_the_charts_carry_each_day_and_each_communitys_completion_rate(browse, october, community):
    charts = browse("official").get(URL, {"month": "2026-10"}).context["charts"]
    assert charts["days"] == list(range(1, 32))
    assert charts["reported"][4] == 1 and charts["reported"][30] == 1
    assert charts["communities"] == [community.name] and charts["completion"] == [75.0]


def test_the_rankings_list_communities_departments_and_grid_workers(browse, october):
    tables = browse("official").get(URL, {"month": "2026-10"}).context["tables"]
    assert [item["table"].level for item in tables] == ["community", "department", "worker"]


def test_without_a_month_it_shows_the_last_full_month(browse, users):
    response = browse("official").get(URL)
    last_month = (timezone.localdate(timezone.now()).replace(day=1) - timedelta(days=1)).replace(day=1)
    assert response.context["month"] == last_month
    assert f'value="{last_month:%Y-%m}"' in response.content.decode()


@pytest.mark.parametrize("month, message", [
    ("2026-13", "Give a month as YYYY-MM, for example 2026-10."),
    ("October", "Give a month as YYYY-MM, for example 2026-10."),
    ("2099-01", "This month has not begun yet."),
])
def test_a_bad_month_shows_its_message_and_no_report(browse, users, month, message):
    response = browse("official").get(URL, {"month": month})
    assert response.status_code == 200
    assert "cards" not in response.context
    assert message in response.content.decode()


def test_a_community_filter_narrows_the_report(browse, october, town):
    from grids.models import Community

    Community.objects.create(town=town, code="320724100002", name="城东社区")
    response = browse("official").get(URL, {"month": "2026-10", "community": "320724100002"})
    assert card_values(response)["reported"] == 0
    assert "城东社区" in response.content.decode()


def test_a_grid_worker_sees_their_own_grids_month(browse, october):
    assert card_values(browse("worker_b").get(URL, {"month": "2026-10"}))["reported"] == 1
