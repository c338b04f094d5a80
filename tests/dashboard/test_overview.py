"""The overview (/dashboard/): the town's figures for the command centre, inspectors and
officials, a grid worker's own grids' and a department's own cases; each figure equal to
incidents.stats' for the same filters, with its change, formula, drill-down, charts and map."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboard.figures import FIGURES
from dashboard.views import trend
from govgrid.towntime import day_start
from grids.models import Community, Grid
from incidents import stats
from incidents.models import Incident
from tests.conftest import IN_GRID_A, square
from tests.dashboard.conftest import case, filters_of, period

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:index")
def card_values(response) -> dict:
    return {card["figure"].key: card["value"] for card in response.context["cards"]}


@pytest.mark.parametrize("who", ["official", "dispatcher", "inspector", "admin"])
def test_the_command_centre_inspectors_officials_and_admins_see_the_towns_figures(browse, town_cases, who):
    query = period()
    response = browse(who).get(URL, query)
    assert response.status_code == 200
    figures = card_values(response)
    assert figures["reported"] == 7
    assert figures["closed"] == 4
    assert figures["overdue_open"] == 2
    assert figures["due"] == 6
    assert figures["completion_rate"] == pytest.approx(66.7)


def test_every_figure_equals_the_stats_summary_for_the_same_filters(browse, town_cases):
    query = period()
    response = browse("official").get(URL, query)
    expected = stats.summary(filters_of(query), now=timezone.now())
    assert card_values(response) == {figure.key: expected[figure.key] for figure in FIGURES}


def test_the_cards_show_rates_with_one_decimal_counts_whole_and_the_counts_behind_the_formula(browse, town_cases):
    page = browse("official").get(URL, period()).content.decode()
    assert "66.7%" in page
    assert "cases closed ÷ cases due" in page  # the formula, one click away in its <details>
    assert "Cases closed <b>4</b> ÷ Cases due <b>6</b> = <b>66.7%</b>" in page
    assert "—" in page  # no dispatch stage recorded: the timely dispatch rate is unknown


def test_each_figure_with_cases_links_to_its_drill_down_with_the_same_filters(browse, town_cases, grid_a):
    query = {**period(), "grid": grid_a.code}
    response = browse("official").get(URL, query)
    overdue = next(card for card in response.context["cards"] if card["figure"].key == "overdue_open")
    assert overdue["cases_url"].startswith(reverse("dashboard:cases") + "?")
    assert f"grid={grid_a.code}" in overdue["cases_url"] and overdue["cases_url"].endswith("&measure=overdue_open")
    assert overdue["cases"] == 1
    assert overdue["cases_url"].replace("&", "&amp;") in response.content.decode()


def test_the_change_against_the_previous_period_is_coloured_by_whether_it_is_good_news(browse, categories, grid_a):
    query = period(days=9)  # ten days; the ten before hold one overdue case, these two
    rubbish = categories["rubbish"]
    case(rubbish, "assigned", days_ago=15, grid=grid_a, deadline_in=-12)
    case(rubbish, "assigned", days_ago=3, grid=grid_a, deadline_in=-1)
    case(rubbish, "assigned", days_ago=2, grid=grid_a, deadline_in=-1)
    cards = {card["figure"].key: card for card in browse("official").get(URL, query).context["cards"]}
    assert cards["overdue_open"]["change"]["delta"] == 1
    assert cards["overdue_open"]["change"]["tone"] == "bad"
    assert cards["overdue_open"]["before"] == "1"
    assert cards["reported"]["change"]["tone"] == "neutral"
    assert cards["completion_rate"]["change"]["tone"] == "neutral"  # nothing closed either time: 0 % both
    assert cards["completion_rate"]["shown"] == "0.0%"
    assert cards["on_time_rate"]["change"]["arrow"] == "＝"


def test_a_grid_worker_sees_only_their_grids_cases(browse, town_cases, grid_a, grid_b):
    query = period()
    response = browse("worker_a").get(URL, query)
    figures = card_values(response)
    assert figures["reported"] == 5
    assert figures["overdue_open"] == 1  # grid B's overdue case is not counted
    assert [f["properties"]["code"] for f in response.context["charts"]["grids"]["features"]] == [grid_a.code]
    assert figures == {
        key: value for key, value in stats.summary(filters_of(query, grids=(grid_a.pk,)), now=timezone.now()).items()
        if key in figures
    }


def test_a_grid_worker_is_offered_only_their_grids_and_refused_another(browse, town_cases, grid_a, grid_b):
    response = browse("worker_a").get(URL, period())
    assert [code for code, _name in response.context["filters"].fields["grid"].choices if code] == [grid_a.code]
    assert "Figures of your grids only: 新东一网格" in response.content.decode()
    refused = browse("worker_a").get(URL, {**period(), "grid": grid_b.code})
    assert "grid" in refused.context["filters"].errors and "cards" not in refused.context


def test_a_department_member_sees_only_their_departments_cases(browse, town_cases):
    figures = card_values(browse("department").get(URL, period()))
    assert figures["reported"] == 3
    assert figures["closed"] == 2
    assert figures["overdue_open"] == 1
    assert card_values(browse("other_department").get(URL, period()))["reported"] == 1


def test_an_anonymous_visitor_is_sent_to_log_in(browse, town_cases):
    response = browse(None).get(URL, period())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_header_names_the_town_the_filters_and_the_time_of_the_figures(browse, town_cases, community):
    response = browse("official").get(URL, {**period(), "community": community.code})
    page = response.content.decode()
    assert "新安镇" in page
    assert "custom range" in page and community.name in page
    assert "Figures as of" in page
    assert reverse("dashboard:export", kwargs={"what": "measures", "kind": "xlsx"}) + "?period=custom" in page
    assert reverse("dashboard:export", kwargs={"what": "measures", "kind": "csv"}) in page
    assert "echarts.min.js" in page


@pytest.mark.parametrize("bad, field, message", [
    ({"period": "custom", "start": "2026-03-10", "end": "2026-03-01"}, "end", "The end of the period is before its start."),
    ({"community": "320724100002", "grid": "320724100001001"}, "grid", "This grid is not in the chosen community."),
])
def test_a_bad_filter_shows_its_message_and_no_figures(browse, town_cases, town, bad, field, message):
    Community.objects.create(town=town, code="320724100002", name="新西社区")
    response = browse("official").get(URL, bad)
    assert response.status_code == 200
    assert response.context["filters"].errors[field] == [message]
    page = response.content.decode()
    assert message in page
    assert "cards" not in response.context
    assert 'data-figure="' not in page
    assert "echarts.min.js" not in page  # no charts, no chart library


def test_the_default_period_is_this_month(browse, categories, grid_a):
    rubbish = categories["rubbish"]
    Incident.objects.create(
        code="TODAY", category=rubbish, description="今天", grid=grid_a, status="assigned",
        reported_at=day_start(timezone.localdate(timezone.now())) + timedelta(minutes=1), **IN_GRID_A,
    )
    response = browse("official").get(URL)
    assert card_values(response)["reported"] == 1
    assert '<option value="month" selected>' in response.content.decode()


def test_the_charts_carry_the_trend_by_day_week_and_month_and_the_breakdowns(browse, town_cases, categories, community):
    query = period()
    charts = browse("official").get(URL, query).context["charts"]
    for grain in ("day", "week", "month"):
        assert sum(charts["trend"][grain]["reported"]) == 7
        assert sum(charts["trend"][grain]["closed"]) == 4
        assert sum(charts["trend"][grain]["overdue_open"]) == 2
    assert len(charts["trend"]["day"]["labels"]) == 21  # every day of the period, those with no case too
    assert charts["trend"]["day"]["labels"][0] == query["start"]
    assert {row["filter"]: row["reported"] for row in charts["major"]} == {"01": 6, "05": 1}
    assert {row["filter"]: row["reported"] for row in charts["source"]} == {"patrol": 6, "phone": 1}
    assert charts["community"] == [
        {"filter": community.code, "name": community.name, "reported": 7, "closed": 4, "overdue_open": 2, "completion_rate": 66.7}
    ]


def test_the_week_folds_days_from_monday_and_the_completion_rate_is_of_the_folded_counts():
    filters = stats.Filters(first_day=date(2026, 3, 4), last_day=date(2026, 3, 10))  # Wednesday to Tuesday
    by_day = {date(2026, 3, 4): {"reported": 2, "closed": 1}, date(2026, 3, 9): {"reported": 1, "closed": 1, "overdue_open": 1}}
    weeks = trend(filters, by_day)["week"]
    assert weeks["labels"] == ["2026-03-04", "2026-03-09"]
    assert weeks["reported"] == [2, 1]
    assert weeks["completion_rate"] == [100.0, 50.0]
    assert trend(filters, by_day)["month"]["completion_rate"] == [pytest.approx(66.7)]


def test_the_map_shades_every_grid_in_scope_and_knows_cases_per_thousand_only_with_a_population(browse, town_cases, grid_a, grid_b):
    Grid.objects.filter(pk=grid_a.pk).update(population=2500)
    features = {f["properties"]["code"]: f["properties"] for f in browse("official").get(URL, period()).context["charts"]["grids"]["features"]}
    assert features[grid_a.code]["per_thousand"] == 2.0  # 5 cases ÷ 2,500 residents × 1,000
    assert features[grid_b.code]["per_thousand"] is None
    assert features[grid_a.code]["overdue_open"] == 1
    assert features[grid_a.code]["completion_rate"] == 75.0
    assert features[grid_b.code]["community"] == grid_b.community.code


def test_the_data_view_sends_the_same_figures_as_json(browse, town_cases):
    query = period()
    answer = browse("official").get(reverse("dashboard:data"), query).json()
    expected = stats.summary(filters_of(query), now=timezone.now())
    assert answer["figures"]["completion_rate"] == expected["completion_rate"]
    assert sum(answer["trend"]["day"]["reported"]) == 7
    bad = browse("official").get(reverse("dashboard:data"), {"period": "custom", "start": "2026-03-10", "end": "2026-03-01"})
    assert bad.status_code == 400 and "end" in bad.json()["errors"]
    assert browse("worker_a").get(reverse("dashboard:data"), query).json()["figures"]["reported"] == 5


def test_the_overview_takes_as_many_queries_for_twenty_grids_and_cases_as_for_two(browse, categories, community):
    client = browse("official")
    query = period()

    def grids_with_cases(first: int, last: int) -> None:
        for n in range(first, last):
            grid = Grid.objects.create(
                community=community, code=f"320724100001{n:03d}", name=f"网格{n}", boundary=square(119.3 + n * 0.01, 34.0, 0.01), population=1000,
            )
            case(categories["rubbish"], "closed", days_ago=2, grid=grid, deadline_in=-1, closed_after=0.5)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, query).status_code == 200
        return len(captured)

    grids_with_cases(101, 103)
    few = queries()
    assert 20 < few < 60  # the figures, the period before, the trend, the grids, two breakdowns, the form
    grids_with_cases(103, 121)
    assert queries() == few
