"""The drill-down (/dashboard/cases/?<filters>&measure=<name>): the cases behind a figure, as many
as the figure says, only those the asker may see; linked to the console for those who may open
it, plain text for grid workers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents import stats

from .conftest import case, filters_of, period


pytestmark = pytest.mark.django_db

URL = reverse("dashboard:cases")
OVERVIEW = reverse("dashboard:index")


def listed(response) -> list[str]:
    assert response.status_code == 200
    return [incident.code for incident, _late, _words in response.context["rows"]]


@pytest.mark.parametrize("measure, expected", [
    ("overdue_open", ["a_overdue", "b_overdue"]),
    ("closed", ["a_on_time", "a_late", "b_on_time"]),
    ("closed_late", ["a_late"]),
    ("due", ["a_on_time", "a_late", "a_overdue", "b_on_time", "b_overdue"]),
    ("open", ["a_overdue", "a_not_due", "b_overdue"]),
    ("reported", ["a_on_time", "a_late", "a_overdue", "a_not_due", "b_on_time", "b_overdue"]),
])
def test_it_lists_exactly_the_cases_behind_the_figure(browse, town_cases, measure, expected):
    codes = set()
    for name in expected:
        made = town_cases[name]
        codes |= {c.code for c in made} if isinstance(made, list) else {made.code}
    response = browse("official").get(URL, {**period(), "measure": measure})
    assert set(listed(response)) == codes
    summary = stats.summary(filters_of(period()), now=timezone.now())
    assert response.context["page"].paginator.count == summary[measure]


def test_the_count_in_the_heading_equals_the_figure_on_the_overview(browse, town_cases, grid_a):
    query = {**period(), "grid": grid_a.code}
    client = browse("official")
    overview = client.get(OVERVIEW, query)
    card = next(card for card in overview.context["cards"] if card["figure"].key == "overdue_open")
    drilled = client.get(card["cases_url"])
    page = drilled.content.decode()
    assert drilled.context["page"].paginator.count == card["value"] == 1
    assert f'data-count="{card["value"]}"' in page
    assert "Overdue and still open · custom range" in page
    assert grid_a.name in page


def test_the_list_is_newest_first_and_says_which_cases_are_late(browse, town_cases):
    response = browse("official").get(URL, {**period(), "measure": "closed"})
    rows = response.context["rows"]
    assert [incident.reported_at for incident, *_ in rows] == sorted((incident.reported_at for incident, *_ in rows), reverse=True)
    late = {incident.code: words for incident, _late, words in rows}
    assert late[town_cases["a_late"].code] == "closed late"
    assert late[town_cases["b_on_time"].code] == "on time"


def test_console_roles_get_links_to_the_case_and_the_command_centre(browse, town_cases, grid_a, department):
    query = {**period(), "grid": grid_a.code, "community": grid_a.community.code, "department": department.pk, "measure": "closed"}
    page = browse("official").get(URL, query).content.decode()
    assert reverse("console:case", args=[town_cases["a_on_time"][0].pk]) in page
    console = reverse("console:cases") + (
        f"?community={grid_a.community.code}&amp;grid={grid_a.code}&amp;department={department.pk}"
        f"&amp;reported_from={query['start']}&amp;reported_to={query['end']}&amp;status=closed"
    )
    assert console in page


def test_a_grid_worker_sees_their_grids_cases_as_plain_text(browse, town_cases):
    response = browse("worker_a").get(URL, {**period(), "measure": "overdue_open"})
    assert listed(response) == [town_cases["a_overdue"].code]
    page = response.content.decode()
    assert "/console/" not in page
    assert town_cases["b_overdue"].code not in page


def test_a_grid_worker_asking_for_another_grid_is_refused_that_grid(browse, town_cases, grid_b):
    response = browse("worker_a").get(URL, {**period(), "grid": grid_b.code, "measure": "reported"})
    assert "grid" in response.context["filters"].errors
    assert "rows" not in response.context


def test_a_department_member_sees_only_their_departments_cases(browse, town_cases):
    response = browse("department").get(URL, {**period(), "measure": "reported"})
    expected = {c.code for c in town_cases["a_on_time"]} | {town_cases["b_overdue"].code}
    assert set(listed(response)) == expected


def test_an_unknown_measure_is_a_message_not_a_crash(browse, town_cases):
    response = browse("official").get(URL, {**period(), "measure": "everything"})
    assert response.status_code == 400
    assert "There is no such figure to list the cases of." in response.content.decode()
    assert "rows" not in response.context


def test_a_bad_filter_shows_its_message_and_no_cases(browse, town_cases):
    response = browse("official").get(URL, {"period": "custom", "start": "2026-03-10", "end": "2026-03-01", "measure": "closed"})
    assert response.status_code == 200
    assert "The end of the period is before its start." in response.content.decode()
    assert "rows" not in response.context


def test_an_anonymous_visitor_is_sent_to_log_in(browse, town_cases):
    response = browse(None).get(URL, {"measure": "closed"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_export_links_carry_the_same_query(browse, town_cases, grid_a):
    page = browse("official").get(URL, {**period(), "grid": grid_a.code, "measure": "overdue_open"}).content.decode()
    for kind in ("xlsx", "csv"):
        export = reverse("dashboard:export", kwargs={"what": "cases", "kind": kind})
        assert f"{export}?period=custom&amp;start={period()['start']}&amp;end={period()['end']}&amp;grid={grid_a.code}&amp;measure=overdue_open" in page


def test_it_pages_fifty_at_a_time_with_as_many_queries_for_sixty_cases_as_for_two(browse, categories, grid_a):
    client = browse("official")
    query = {**period(), "measure": "reported"}

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, query)
        return len(captured), len(response.context["rows"])

    for _ in range(2):
        case(categories["rubbish"], "closed", days_ago=2, grid=grid_a, deadline_in=-1, closed_after=0.5)
    few, rows = queries()
    assert rows == 2
    for _ in range(58):
        case(categories["gas"], "assigned", days_ago=1, grid=grid_a, deadline_in=-0.5)
    assert queries() == (few, 50)
    second = client.get(URL, {**query, "page": 2})
    assert len(second.context["rows"]) == 10
    assert "Page 2 of 2" in second.content.decode()


def test_the_command_centres_list_is_offered_only_where_it_shows_the_same_cases(browse, town_cases):
    status_list = browse("dispatcher").get(URL, {**period(), "measure": "closed"})
    assert "status=closed" in status_list.context["console_query"]
    # The console's filters cannot say which cases were closed late: no button, only the rows' links.
    assert browse("dispatcher").get(URL, {**period(), "measure": "closed_late"}).context["console_query"] == ""
