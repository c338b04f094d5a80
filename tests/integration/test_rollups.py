"""The dashboard's daily counts kept by a real worker, and a day summed while one of its cases
changes: whichever commits first, the figures stay exact and the day ends summed right.

Runs on the embedded defaults (file-system broker, SQLite file) and on PostgreSQL + Redis.
"""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import services, stats
from incidents.models import DailyCount, Incident, RollupDay
from tests.conftest import IN_GRID_A

from .test_concurrency import at_once
from .test_worker import worker  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def yesterdays_inspected_case(users, categories):
    """A case reported, handled and inspected yesterday, its day summed."""
    at = timezone.now() - timedelta(days=1)
    incident, _ = services.incident_report(
        reporter=users["worker_a"], category=categories["rubbish"], description="路边垃圾堆积", at=at, **IN_GRID_A
    )
    services.incident_assign(incident_id=incident.pk, actor=users["dispatcher"], assignee=users["worker_a"], at=at + timedelta(minutes=5))
    services.incident_handle(incident_id=incident.pk, actor=users["worker_a"], note="已清理", at=at + timedelta(minutes=20))
    services.incident_inspect(incident_id=incident.pk, actor=users["inspector"], passed=True, at=at + timedelta(minutes=40))
    day = timezone.localdate(at)
    services.rollup_refresh_day(day=day)
    return incident, day


def closed_that_day(day) -> int:
    row = DailyCount.objects.filter(day=day, breakdown=DailyCount.Breakdown.TOWN, status="closed").first()
    return row.closed if row else 0


def test_the_worker_sums_the_day_again_once_a_case_of_it_is_closed(api, users, yesterdays_inspected_case, worker):  # noqa: F811
    incident, day = yesterdays_inspected_case
    assert closed_that_day(day) == 0
    response = api("dispatcher").post(f"/api/v1/incidents/{incident.pk}/close/", {}, format="json")
    assert response.status_code == 200, response.content
    worker.wait_until("the day is summed again", lambda: RollupDay.objects.get(day=day).changes == 0)
    assert closed_that_day(day) == 1, worker.log()
    filters = stats.Filters(first_day=day, last_day=day)
    assert stats.summary(filters, now=timezone.now()) == stats.incident_summary(stats.filter_cases(Incident.objects.all(), filters), now=timezone.now())


def test_a_day_summed_while_one_of_its_cases_is_closed_is_never_left_wrong(users, yesterdays_inspected_case, monkeypatch):
    incident, day = yesterdays_inspected_case
    count_cases = stats.count_cases

    def slow_count(*args, **kwargs):
        counted = count_cases(*args, **kwargs)
        time.sleep(0.5)  # the close commits, or waits for the day's lock, meanwhile
        return counted

    monkeypatch.setattr(stats, "count_cases", slow_count)
    refreshed, closed = at_once(
        lambda: services.rollup_refresh_day(day=day, force=True),
        lambda: services.incident_close(incident_id=incident.pk, actor=users["dispatcher"]),
    )
    assert refreshed is True and isinstance(closed, Incident), (refreshed, closed)
    monkeypatch.setattr(stats, "count_cases", count_cases)
    filters = stats.Filters(first_day=day, last_day=day)
    now = timezone.now()
    assert stats.summary(filters, now=now)["closed"] == 1
    # Either the sum saw the close, or the close marked the day for another sum.
    assert closed_that_day(day) == 1 or RollupDay.objects.get(day=day).changes > 0
    services.rollups_sum_days()
    assert closed_that_day(day) == 1 and RollupDay.objects.get(day=day).changes == 0


def test_the_first_sum_of_a_day_waits_for_a_change_to_one_of_its_cases_in_flight(users, categories, monkeypatch):
    """The close marks the day (its row inserted and held) before the first sum of the day
    starts; the sum must wait for it, never save the day as summed without it."""
    at = timezone.now() - timedelta(days=1)
    incident, _ = services.incident_report(reporter=users["worker_a"], category=categories["rubbish"], description="路边垃圾堆积", at=at, **IN_GRID_A)
    services.incident_assign(incident_id=incident.pk, actor=users["dispatcher"], assignee=users["worker_a"], at=at)
    services.incident_handle(incident_id=incident.pk, actor=users["worker_a"], note="已清理", at=at)
    services.incident_inspect(incident_id=incident.pk, actor=users["inspector"], passed=True, at=at)
    day = timezone.localdate(at)
    RollupDay.objects.filter(day=day).delete()  # never summed
    mark = services.rollup_mark_changed

    def mark_then_linger(changed):
        mark(changed)
        time.sleep(0.6)  # the close has marked the day and not yet committed

    monkeypatch.setattr(services, "rollup_mark_changed", mark_then_linger)
    closed, refreshed = at_once(
        lambda: services.incident_close(incident_id=incident.pk, actor=users["dispatcher"]),
        lambda: time.sleep(0.2) or services.rollup_refresh_day(day=day),
    )
    assert isinstance(closed, Incident) and refreshed is True, (closed, refreshed)
    assert closed_that_day(day) == 1 or RollupDay.objects.get(day=day).changes > 0
    assert stats.summary(stats.Filters(first_day=day, last_day=day), now=timezone.now())["closed"] == 1
