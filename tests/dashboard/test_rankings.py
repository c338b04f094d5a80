"""The rankings page (/dashboard/rankings/): communities, grids, departments and grid workers
with the figures behind each score, the score, the grade and the formula; sortable; each asker
sees only what their role may."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import Role
from dashboard.rankings import UNIT_FORMULA, WORKER_FORMULA
from grids.models import Grid, GridWorker
from incidents import stats
from incidents.models import Incident, IncidentStage
from patrols.models import Patrol
from patrols.selectors import coverage_by_worker
from tests.conftest import make_user, square
from tests.dashboard.conftest import case, filters_of, period

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:rankings")


def handling(incident, *, done: bool, assignee=None):
    """The case's handling stage, started at its report and due a day later: done within that
    day, or still open (and past its limit once the day is over)."""
    start = incident.reported_at
    IncidentStage.objects.create(
        incident=incident, stage="handle", started_at=start, limit=1, unit="natural_days", deadline=start + timedelta(days=1),
        warn_at=start + timedelta(hours=20), ended_at=start + timedelta(hours=3) if done else None, completed=done,
        elapsed_seconds=3 * 3600 if done else None, assignee=assignee,
    )
    return incident


@pytest.fixture
def ranked_cases(categories, grid_a, grid_b, department, other_department, users):
    """Grid A: two closed on time, one overdue (reported by worker_a, who also reported a
    rejected one); grid B: one closed on time (reported by worker_b), one reported by a resident."""
    rubbish = categories["rubbish"]
    made = {
        "a_closed": [case(rubbish, "closed", days_ago=4, grid=grid_a, deadline_in=-2, closed_after=1, department=department) for _ in range(2)],
        "a_overdue": case(rubbish, "assigned", days_ago=3, grid=grid_a, deadline_in=-1, department=other_department),
        "a_rejected": case(rubbish, "rejected", days_ago=3, grid=grid_a, closed_after=0.1),
        "b_closed": case(rubbish, "closed", days_ago=5, grid=grid_b, deadline_in=-2, closed_after=1, department=department),
        "b_public": case(rubbish, "assigned", days_ago=2, grid=grid_b, source="resident"),
    }
    Incident.objects.filter(pk__in=[made["a_overdue"].pk, made["a_rejected"].pk]).update(reporter=users["worker_a"])
    Incident.objects.filter(pk=made["b_closed"].pk).update(reporter=users["worker_b"])
    for incident in [*made["a_closed"], made["b_closed"]]:
        handling(incident, done=True)
    handling(made["a_overdue"], done=False, assignee=users["worker_a"])
    return made


def names_in(response) -> list[str]:
    return [row.name for row in response.context["rows"]]


def test_the_grid_table_shows_each_grids_figures_score_and_grade_as_the_stats_rank_them(browse, ranked_cases, grid_a, grid_b):
    query = period()
    response = browse("official").get(URL, {**query, "level": "grid"})
    assert response.status_code == 200
    expected = stats.unit_ranking(filters_of(query), "grid", now=timezone.now())
    rows = response.context["rows"]
    assert [row.key for row in rows] == [row["key"] for row in expected]
    assert [row.score for row in rows] == [row["score"] for row in expected]
    assert [row.grade for row in rows] == [row["grade"] for row in expected]
    first = rows[0]
    assert first.name == Grid.objects.get(pk=first.key).name
    cells = dict((column.key, value) for column, value in first.cells)
    assert cells["completion_rate"] == expected[0]["figures"]["completion_rate"]
    assert cells["on_time_handling_rate"] == expected[0]["figures"]["stages"]["handle"]["timely_rate"]
    page = response.content.decode()
    assert escape(str(UNIT_FORMULA)) in page
    assert f'grade grade-{first.grade}' in page


def test_the_community_and_department_tables_name_their_rows(browse, ranked_cases, community, department, other_department):
    client = browse("official")
    assert names_in(client.get(URL, {**period(), "level": "community"})) == [community.name]
    departments = client.get(URL, {**period(), "level": "department"})
    assert set(names_in(departments)) == {department.name, other_department.name}
    labels = [str(column.label) for column in departments.context["table"].columns]
    assert "Handling rate" in labels and "On-time handling rate" in labels and "Rework rate" in labels


def test_the_worker_table_ranks_every_grid_worker_with_their_patrol_coverage(browse, ranked_cases, users, grid_a):
    Patrol.objects.create(
        uuid="00000000-0000-0000-0000-000000000001", worker=users["worker_a"], grid=grid_a,
        started_at=timezone.now() - timedelta(days=1), ended_at=timezone.now() - timedelta(hours=20), coverage=0.62,
    )
    response = browse("official").get(URL, {**period(), "level": "worker"})
    rows = {row.name: row for row in response.context["rows"]}
    assert set(rows) == {"worker_a", "worker_b"}
    worker_a = dict((column.key, value) for column, value in rows["worker_a"].cells)
    assert worker_a["reports"] == 2
    assert worker_a["valid_report_rate"] == 50.0
    assert worker_a["coverage_rate"] == 62.0
    assert rows["worker_a"].detail == grid_a.name
    assert escape(str(WORKER_FORMULA)) in response.content.decode()


def test_patrol_coverage_averages_the_workers_patrols_in_the_period_leaving_out_days_without_one(users, grid_a):
    now = timezone.now()
    for n, (days_ago, coverage) in enumerate([(1, 0.5), (2, 0.7), (3, None), (40, 0.1)]):
        Patrol.objects.create(
            uuid=f"00000000-0000-0000-0000-00000000001{n}", worker=users["worker_a"], grid=grid_a,
            started_at=now - timedelta(days=days_ago), ended_at=now - timedelta(days=days_ago) + timedelta(hours=1), coverage=coverage,
        )
    today = timezone.localdate(now)
    assert coverage_by_worker(today - timedelta(days=10), today) == {users["worker_a"].pk: 60.0}
    assert coverage_by_worker(today - timedelta(days=10), today, workers=[users["worker_b"].pk]) == {}


@pytest.mark.parametrize("score, letter", [(90, "A"), (89.9, "B"), (75, "B"), (74.9, "C"), (60, "C"), (40, "D"), (39.9, "E")])
def test_the_grades_change_at_their_boundaries(score, letter):
    assert stats.grade(score) == letter


def test_the_page_shows_each_score_with_one_decimal_and_its_grade(browse, users, grid_a, monkeypatch):
    figures = {**stats.measures({}), "filed_score": None}
    rows = [{"key": grid_a.pk, "figures": figures, "score": score, "grade": stats.grade(score), "rank": n} for n, score in enumerate([90, 89.9, 40, 39.9], 1)]
    monkeypatch.setattr(stats, "unit_ranking", lambda filters, level, now: rows)
    page = browse("official").get(URL, {"level": "grid"}).content.decode()
    shown = re.findall(r'class="num score"[^>]*>([^<]+)</td>\s*<td class="grade-cell"><span class="grade grade-(\w)">', page)
    assert shown == [("90.0", "A"), ("89.9", "B"), ("40.0", "D"), ("39.9", "E")]


def test_a_column_sorts_the_rows_with_unknown_values_last(browse, ranked_cases, grid_a, grid_b, community):
    empty = Grid.objects.create(community=community, code="320724100001003", name="新东三网格", boundary=square(119.36, 34.08, 0.01))
    case(ranked_cases["a_overdue"].category, "assigned", days_ago=1, grid=empty, deadline_in=3)  # nothing due: unranked
    client = browse("official")
    by_rate = client.get(URL, {**period(), "level": "grid", "sort": "completion_rate"})
    assert names_in(by_rate) == [grid_a.name, grid_b.name, empty.name]
    assert by_rate.context["sort"] == "completion_rate"
    by_rate_down = client.get(URL, {**period(), "level": "grid", "sort": "-completion_rate"})
    assert names_in(by_rate_down) == [grid_b.name, grid_a.name, empty.name]
    by_rank = client.get(URL, {**period(), "level": "grid", "sort": "nonsense"})
    assert by_rank.context["sort"] == "rank"
    assert by_rank.context["rows"][-1].name == empty.name and by_rank.context["rows"][-1].rank is None
    page = by_rate.content.decode()
    assert 'aria-sort="ascending"' in page
    assert "sort=-completion_rate" in page  # the next click turns it round


def test_a_grid_worker_sees_their_grid_and_only_themself_among_the_workers(browse, ranked_cases, grid_a):
    client = browse("worker_a")
    assert names_in(client.get(URL, {**period(), "level": "grid"})) == [grid_a.name]
    assert names_in(client.get(URL, {**period(), "level": "worker"})) == ["worker_a"]


def test_a_department_member_sees_their_department_and_no_grid_workers(browse, ranked_cases, department):
    client = browse("department")
    assert names_in(client.get(URL, {**period(), "level": "department"})) == [department.name]
    workers = client.get(URL, {**period(), "level": "worker"})
    assert workers.context["table"].withheld
    assert "worker_a" not in workers.content.decode()


def test_bad_filters_show_their_message_and_no_table(browse, ranked_cases):
    response = browse("official").get(URL, {"period": "custom", "start": "2026-11-20", "end": "2026-11-01"})
    assert response.status_code == 200
    assert response.context["table"] is None
    assert "The end of the period is before its start." in response.content.decode()


def test_an_anonymous_visitor_is_sent_to_log_in(browse):
    response = browse(None).get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.parametrize("level", ["grid", "community", "department", "worker"])
def test_a_table_takes_as_many_queries_for_many_rows_as_for_few(browse, ranked_cases, categories, community, department, level):
    client = browse("official")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, {**period(), "level": level}).status_code == 200
        return len(captured)

    few = queries()
    for n in range(3, 9):
        grid = Grid.objects.create(community=community, code=f"320724100001{n:03d}", name=f"网格{n}", boundary=square(119.30 + n / 100, 34.0, 0.01))
        worker = make_user(f"worker{n}", Role.WORKER)
        GridWorker.objects.create(user=worker).grids.add(grid)
        made = handling(case(categories["rubbish"], "closed", days_ago=2, grid=grid, deadline_in=-1, closed_after=1, department=department), done=True)
        Incident.objects.filter(pk=made.pk).update(reporter=worker)
    assert queries() == few
