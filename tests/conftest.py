"""Shared actors and places: a town with two grids, a category tree, and one user per role.

Background work is captured, not sent: `sent_tasks` lists what would have gone to the broker,
and `run_sent_tasks()` runs it in-process, as a worker would.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Department, Role, User
from grids.models import Community, Grid, GridWorker, Town
from incidents.models import Category

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args) -> datetime:
    """A datetime in the town's time zone: local(2026, 11, 26, 9, 0)."""
    return datetime(*args, tzinfo=SHANGHAI)


def square(west: float, south: float, size: float) -> dict:
    east, north = west + size, south + size
    return {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]]}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _national_calendar(request):
    """Every database has the national holidays: a data migration loads them. A transactional
    test's flush empties the table, so a test that uses the database finds them put back."""
    if not {"db", "transactional_db", "live_server"} & set(request.fixturenames) and not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("db")
    from incidents.models import CalendarDay
    from incidents.services import calendar_load_national

    if not CalendarDay.objects.filter(source=CalendarDay.Source.NATIONAL).exists():
        calendar_load_national()


@pytest.fixture(autouse=True)
def _clean_cache():
    from incidents.clocks import forget_stage_limits
    from incidents.timelimits import forget_calendar

    def forget():
        cache.clear()
        # Kept in memory for a while in each process: a rolled-back test must not leave them.
        forget_calendar()
        forget_stage_limits()

    forget()
    yield
    forget()


@pytest.fixture(autouse=True)
def sent_tasks(request, monkeypatch):
    """Tasks the code sent to the broker, as (name, args); nothing leaves the process.
    Tests marked `integration` send to the real broker instead, and this list stays empty."""
    sent = []
    if request.node.get_closest_marker("integration"):
        return sent
    from govgrid.celery import app

    monkeypatch.setattr(app, "send_task", lambda name, args=None, **kwargs: sent.append((name, list(args or []))))
    return sent


def commit_callbacks() -> None:
    """Run the on-commit callbacks waiting in the test's transaction, as a commit would."""
    while connection.run_on_commit:
        callbacks = list(connection.run_on_commit)
        connection.run_on_commit.clear()
        for _savepoints, callback, _robust in callbacks:
            callback()


@pytest.fixture
def run_sent_tasks(sent_tasks):
    """Commit, then run every task sent in-process, as a worker would, until none is left.
    Returns how many ran."""
    from govgrid.celery import app

    app.loader.import_default_modules()

    def run() -> int:
        done = 0
        commit_callbacks()
        while sent_tasks:
            name, args = sent_tasks.pop(0)
            app.tasks[name].run(*args)
            commit_callbacks()
            done += 1
        return done

    return run


@pytest.fixture
def town(db):
    return Town.objects.create(code="320724100", name="新安镇", county="灌南县")


@pytest.fixture
def community(town):
    return Community.objects.create(town=town, code="320724100001", name="新东社区")


@pytest.fixture
def grid_a(community):
    """West square: 119.34–119.35 E, 34.08–34.09 N."""
    return Grid.objects.create(community=community, code="320724100001001", name="新东一网格", boundary=square(119.34, 34.08, 0.01))


@pytest.fixture
def grid_b(community):
    """East square, sharing grid A's eastern edge at 119.35 E."""
    return Grid.objects.create(community=community, code="320724100001002", name="新东二网格", boundary=square(119.35, 34.08, 0.01))


@pytest.fixture
def department(db):
    return Department.objects.create(code="CG", name="城管局", phone="0518-83220000")


@pytest.fixture
def other_department(db):
    return Department.objects.create(code="RQ", name="燃气公司")


@pytest.fixture
def categories(department):
    environment = Category.objects.create(code="01", name="市容环境")
    order = Category.objects.create(code="05", name="街面秩序")
    return {
        "environment": environment,
        "rubbish": Category.objects.create(
            code="0101", name="暴露垃圾", parent=environment, time_limit=2, time_unit="working_hours", department=department
        ),
        "street_light": Category.objects.create(
            code="0102", name="路灯不亮", parent=environment, time_limit=2, time_unit="working_days", department=department
        ),
        "gas": Category.objects.create(code="0501", name="燃气隐患", parent=order, time_limit=4, time_unit="urgent_hours"),
    }


def make_user(username: str, role: str, **extra) -> User:
    return User.objects.create_user(username, password="pw-" + username, role=role, **extra)


@pytest.fixture
def users(db, grid_a, grid_b, department, other_department):
    """One user per role; worker_a serves grid A, worker_b grid B."""
    people = {
        "admin": make_user("admin", Role.ADMIN),
        "dispatcher": make_user("dispatcher", Role.DISPATCHER, email="dispatch@example.org"),
        "inspector": make_user("inspector", Role.INSPECTOR),
        "official": make_user("official", Role.OFFICIAL),
        "worker_a": make_user("worker_a", Role.WORKER, phone="13812345678"),
        "worker_b": make_user("worker_b", Role.WORKER, phone="13900001111"),
        "department": make_user("department", Role.DEPARTMENT, department=department),
        "other_department": make_user("other_department", Role.DEPARTMENT, department=other_department),
    }
    GridWorker.objects.create(user=people["worker_a"]).grids.add(grid_a)
    GridWorker.objects.create(user=people["worker_b"]).grids.add(grid_b)
    return people


@pytest.fixture
def api(users):
    """api("dispatcher") is an API client logged in as that user."""

    def client_for(name: str | None) -> APIClient:
        client = APIClient()
        if name:
            client.force_authenticate(users[name])
        return client

    return client_for


IN_GRID_A = {"latitude": 34.085, "longitude": 119.345}
IN_GRID_B = {"latitude": 34.085, "longitude": 119.355}
# About a kilometre north-east of grid B: outside every grid, yet near enough to be the town's
# (a report from farther than REPORT_MAX_METRES_OUTSIDE is refused).
OUTSIDE = {"latitude": 34.095, "longitude": 119.37}


@pytest.fixture
def browse(users):
    """browse("dispatcher") is a test browser, in English, logged in as that user; browse(None)
    is anonymous."""

    def client_for(name: str | None) -> Client:
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # chosen in the language menu
        if name:
            client.force_login(users[name])
        return client

    return client_for


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []
