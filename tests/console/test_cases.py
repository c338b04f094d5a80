"""The case list: queues, filters in the URL, sorting, pages, the live update."""

import re

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident, IncidentStage

from ..conftest import IN_GRID_A, IN_GRID_B, OUTSIDE
from ..incidents.helpers import case_in, report


def listed(browse, who="dispatcher", **query) -> list[str]:
    response = browse(who).get(reverse("console:cases"), query)
    assert response.status_code == 200
    return [incident.code for incident in response.context["page"]]


def test_each_queue_lists_its_cases(browse, users, categories):
    new = report(users, categories)
    handling = case_in("assigned", users, categories)
    to_close = case_in("inspected", users, categories)
    unrouted = report(users, categories, position=OUTSIDE)
    assert set(listed(browse, queue="new")) == {new.code, unrouted.code}
    assert listed(browse, queue="handling") == [handling.code]
    assert listed(browse, queue="to_close") == [to_close.code]
    assert listed(browse, queue="unrouted") == [unrouted.code]


def on_the_clock(incident, *, warn_in: timedelta, due_in: timedelta) -> None:
    """Set the clock of the stage the case is in: warned and due this far from now."""
    now = timezone.now()
    IncidentStage.objects.filter(pk=incident.current_stage_id).update(warn_at=now + warn_in, deadline=now + due_in)


def test_the_light_is_the_stages_and_overdue_takes_the_late_stages_and_cases(browse, users, categories):
    late = report(users, categories)
    on_the_clock(late, warn_in=-timedelta(hours=2), due_in=-timedelta(hours=1))
    warned = report(users, categories)
    on_the_clock(warned, warn_in=-timedelta(minutes=1), due_in=timedelta(hours=1))
    fresh = report(users, categories)
    # Late as a whole (an earlier stage took long) while its present stage is still green.
    late_case = report(users, categories)
    Incident.objects.filter(pk=late_case.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    assert set(listed(browse, queue="overdue")) == {late.code, late_case.code}
    assert listed(browse, queue="warned") == [warned.code]
    assert set(listed(browse, light="green")) == {fresh.code, late_case.code}
    assert listed(browse, sort="light")[:2] == [late.code, warned.code]
    row = browse("dispatcher").get(reverse("console:cases"), {"queue": "overdue"}).content.decode()
    assert row.count("case overdue") == 1


def test_it_filters_by_grid_category_source_and_text(browse, users, categories, grid_b):
    rubbish = report(users, categories, address="幸福路12号")
    gas_in_b = report(users, categories, category="gas", position=IN_GRID_B, reporter="worker_b")
    assert listed(browse, grid=grid_b.code) == [gas_in_b.code]
    assert listed(browse, major="05") == [gas_in_b.code]
    assert listed(browse, major="01", category="0101") == [rubbish.code]
    assert listed(browse, q="幸福路") == [rubbish.code]
    assert listed(browse, q=gas_in_b.code[-6:]) == [gas_in_b.code]
    assert listed(browse, source="phone") == []


def test_it_filters_by_handler_and_department(browse, users, categories, department):
    by_worker = case_in("assigned", users, categories)
    by_department = case_in("assigned", users, categories, department=department)
    assert listed(browse, assignee=users["worker_a"].pk) == [by_worker.code]
    assert listed(browse, department=department.pk) == [by_department.code]


def test_bad_filters_are_said_and_list_nothing(browse, users, categories):
    report(users, categories)
    response = browse("dispatcher").get(reverse("console:cases"), {"reported_from": "2026-11-20", "reported_to": "2026-11-01"})
    assert response.status_code == 200
    assert list(response.context["page"]) == []
    assert "reported_to" in response.context["filters"].errors
    response = browse("dispatcher").get(reverse("console:cases"), {"major": "05", "category": "0101", "queue": "nonsense"})
    assert {"category", "queue"} <= set(response.context["filters"].errors)


def test_the_filters_stay_in_the_page_links(browse, users, categories):
    for _ in range(51):
        report(users, categories)
    response = browse("dispatcher").get(reverse("console:cases"), {"queue": "new", "sort": "deadline"})
    html = response.content.decode()
    assert "queue=new&amp;sort=deadline&amp;page=2" in html
    assert len(listed(browse, queue="new", sort="deadline", page=2)) == 1


def queries_for_list(browse) -> int:
    client = browse("dispatcher")
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("console:cases")).status_code == 200
    return len(captured)


@pytest.mark.parametrize("queue", ["", "handling"])
def test_the_list_costs_the_same_queries_for_3_rows_as_for_30(browse, users, categories, queue):
    for _ in range(3):
        case_in("assigned", users, categories)
    few = queries_for_list(browse)
    for _ in range(27):
        case_in("assigned", users, categories)
    assert queries_for_list(browse) == few


def test_the_map_data_costs_the_same_queries_for_3_cases_as_for_30(browse, users, categories):
    def queries() -> int:
        client = browse("dispatcher")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("console:map-data")).status_code == 200
        return len(captured)

    for _ in range(3):
        report(users, categories)
    few = queries()
    for _ in range(27):
        report(users, categories)
    assert queries() == few


def test_live_gives_the_rows_that_arrived_since_the_page(browse, users, categories):
    first = report(users, categories)
    page = browse("dispatcher").get(reverse("console:cases"), {"queue": "new"})
    since = page.context["since"]
    assert since == first.pk
    arrived = report(users, categories, position=IN_GRID_A)
    case_in("assigned", users, categories)  # arrives too, but is not new any more
    answer = browse("dispatcher").get(reverse("console:live"), {"since": since, "rows": "1", "queue": "new"}).json()
    assert answer["arrived"] == 2
    assert f'data-id="{arrived.pk}"' in answer["rows"] and f'data-id="{first.pk}"' not in answer["rows"]
    assert answer["rows"].count("<tr") == 1
    assert 'data-count="new">2<' in answer["queues"]


def test_live_with_a_bad_since_starts_from_nothing(browse, users, categories):
    report(users, categories)
    answer = browse("dispatcher").get(reverse("console:live"), {"since": "x'--"}).json()
    assert answer["arrived"] == 1 and answer["rows"] == ""


def test_map_data_shows_live_cases_unless_a_queue_is_chosen(browse, users, categories):
    live = report(users, categories)
    closed = case_in("closed", users, categories)
    ids = [row[0] for row in browse("dispatcher").get(reverse("console:map-data")).json()["cases"]]
    assert ids == [live.pk]
    ids = [row[0] for row in browse("dispatcher").get(reverse("console:map-data"), {"queue": "closed"}).json()["cases"]]
    assert ids == [closed.pk]
    answer = browse("dispatcher").get(reverse("console:map-data"), {"since": live.pk}).json()
    assert answer["cases"] == [] and answer["total"] == 0


def test_map_data_refuses_bad_filters(browse):
    response = browse("dispatcher").get(reverse("console:map-data"), {"reported_from": "yesterday"})
    assert response.status_code == 400
    assert "reported_from" in response.json()["errors"]


def test_live_rows_have_a_tick_box_only_for_who_can_act_on_several(browse, users, categories):
    incident = report(users, categories)
    for role, ticks in (("dispatcher", 1), ("official", 0), ("inspector", 0)):
        answer = browse(role).get(reverse("console:live"), {"since": incident.pk - 1, "rows": "1"}).json()
        assert answer["rows"].count('name="case"') == ticks, role
        page = browse(role).get(reverse("console:cases")).content.decode()
        assert len(re.findall(r"<th[ >]", page)) == answer["rows"].count("<td"), role  # as many cells as headings


def test_search_finds_the_category_and_the_caller(browse, users, categories):
    caller = report(users, categories, category="street_light", contact_name="王阿姨")
    assert listed(browse, q="王阿姨") == [caller.code]
    assert listed(browse, q=categories["street_light"].name) == [caller.code]


def test_map_markers_carry_the_light_of_the_clock_running(browse, users, categories):
    late = report(users, categories)
    on_the_clock(late, warn_in=-timedelta(hours=2), due_in=-timedelta(hours=1))
    fresh = report(users, categories)
    to_close = case_in("inspected", users, categories)  # no stage timed: the case's own clock
    Incident.objects.filter(pk=to_close.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    suspended = case_in("suspended", users, categories)
    lights = {row[0]: row[3] for row in browse("dispatcher").get(reverse("console:map-data")).json()["cases"]}
    assert lights == {late.pk: "r", fresh.pk: "g", to_close.pk: "r", suspended.pk: ""}


def test_a_case_with_no_stage_timed_is_filtered_by_its_own_clock(browse, users, categories):
    to_close = case_in("inspected", users, categories)
    Incident.objects.filter(pk=to_close.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    assert listed(browse, light="red") == [to_close.code]
    assert listed(browse, sort="light")[0] == to_close.code
