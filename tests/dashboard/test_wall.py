"""The wall screen (/dashboard/wall/): the big rates, today's and the period's counts, the worst
units and the newest overdue cases, refreshed every minute from /dashboard/wall/data/, which
keeps the session alive while the wall runs."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from incidents import stats
from tests.dashboard.conftest import case, filters_of, period

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:wall")
DATA = reverse("dashboard:wall-data")


@pytest.fixture
def wall_cases(categories, grid_a, grid_b):
    rubbish = categories["rubbish"]
    return {
        "a_closed": case(rubbish, "closed", days_ago=4, grid=grid_a, deadline_in=-2, closed_after=1),
        "a_overdue": case(rubbish, "assigned", days_ago=3, grid=grid_a, deadline_in=-1),
        "b_overdue": case(rubbish, "handled", days_ago=2, grid=grid_b, deadline_in=-0.5),
        "b_closed": case(rubbish, "closed", days_ago=5, grid=grid_b, deadline_in=-2, closed_after=1),
    }


def test_the_wall_shows_the_periods_rates_counts_and_newest_overdue_cases(browse, wall_cases):
    query = period()
    response = browse("official").get(URL, query)
    assert response.status_code == 200
    figures = stats.summary(filters_of(query), now=timezone.now())
    page = response.content.decode()
    assert "新安镇" in page
    assert f"{figures['completion_rate']:.1f}%" in page
    assert [case.code for case, _late in response.context["overdue"]] == [wall_cases["b_overdue"].code, wall_cases["a_overdue"].code]
    counts = {figure.key: period_value for figure, _today, period_value, _bad in response.context["counts"]}
    assert counts["overdue_open"] == "2" and counts["due"] == str(figures["due"])
    assert f'data-url="{DATA}?' in page and "wall.js" in page


def test_the_data_view_sends_the_same_partial_with_the_time(browse, wall_cases):
    response = browse("official").get(DATA, period())
    assert response.status_code == 200
    assert [template.name for template in response.templates][0] == "dashboard/_wall_figures.html"
    fragment = response.content.decode()
    assert "<html" not in fragment
    assert "as of <time" in fragment and timezone.localtime().strftime("%H:") in fragment
    assert wall_cases["a_overdue"].code in fragment


def test_each_refresh_gives_the_session_its_full_length_again(browse, wall_cases):
    client = browse("official")
    key = client.session.session_key
    soon = timezone.now() + timedelta(minutes=5)
    Session.objects.filter(session_key=key).update(expire_date=soon)
    assert client.get(DATA, period()).status_code == 200
    expires = Session.objects.get(session_key=key).expire_date
    assert expires > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_an_ended_session_sends_the_refresh_to_log_in_rather_than_the_figures(browse, wall_cases):
    response = browse(None).get(DATA, period())
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_a_grid_worker_sees_only_their_grid(browse, wall_cases, grid_a, grid_b):
    response = browse("worker_a").get(URL, period())
    page = response.content.decode()
    assert wall_cases["a_overdue"].code in page and wall_cases["b_overdue"].code not in page
    assert [row["name"] for row in response.context["worst"]["rows"]] == [grid_a.name]
    asked_for_b = browse("worker_a").get(DATA, {**period(), "grid": grid_b.code}).content.decode()
    assert wall_cases["b_overdue"].code not in asked_for_b


def test_the_worst_units_come_lowest_completion_rate_first(browse, wall_cases, categories, grid_a, grid_b):
    case(categories["rubbish"], "closed", days_ago=1, grid=grid_b, deadline_in=-0.5, closed_after=0.2)
    worst = browse("official").get(URL, {**period(), "community": grid_a.community.code}).context["worst"]
    assert [row["name"] for row in worst["rows"]] == [grid_a.name, grid_b.name]
    assert [row["rate"] for row in worst["rows"]] == ["50.0%", "66.7%"]


def test_bad_filters_show_their_message_on_the_wall(browse, wall_cases):
    response = browse("official").get(URL, {"period": "custom", "start": "2026-11-20", "end": "2026-11-01"})
    assert response.status_code == 200
    assert "The end of the period is before its start." in response.content.decode()
