"""seed_demo: the town of Xin'an as DOMAIN.md describes it, and a year of its incidents driven
through the real workflow.

Seeding takes seconds, so one town is built for the module (at a small volume, and at a fixed
"now" so that the calendar years and every figure are the same whenever the suite runs) and
rolled back at the end; each test runs in its own savepoint on top of it.
"""

import io
import re
from datetime import date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Count, Q
from django.test import override_settings
from shapely.geometry import Point, shape
from shapely.ops import unary_union

from accounts.models import Department, Notification, Role, User
from grids.geojson import validate_boundary
from grids.models import Community, Compound, Grid, GridWorker
from incidents import demo_data, holidays
from incidents.models import CalendarDay, Category, Incident, IncidentEvent, IncidentPhoto, IncidentStage
from incidents.stats import incident_summary
from incidents.timelimits import TimeUnit
from incidents.workflow import Action, Status

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
SMALL = ("--incidents-per-day", "3")
DEPARTMENTS = {
    "CG": ("城市管理局", "dept-cg"),
    "ZJ": ("住房和城乡建设局", "dept-zj"),
    "RQ": ("燃气公司", "dept-rq"),
    "PCS": ("新安派出所", "dept-pcs"),
    "SW": ("水务公司", "dept-sw"),
    "GD": ("供电公司", "dept-gd"),
    "HB": ("生态环境分局", "dept-hb"),
    "SC": ("市场监管所", "dept-sc"),
}


def seed_demo(*args: str) -> str:
    out = io.StringIO()
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        call_command("seed_demo", *args, stdout=out, stderr=io.StringIO(), verbosity=0)
    return out.getvalue()


@pytest.fixture(scope="module")
def town(django_db_setup, django_db_blocker, tmp_path_factory):
    fast_passwords = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as tests/conftest.py
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"), PASSWORD_HASHERS=fast_passwords):
        with transaction.atomic():
            output = seed_demo(*SMALL)
            yield output
            transaction.set_rollback(True)


@pytest.fixture
def seeded(town, db):
    yield town
    # A test that flushed the database recreated the content types; forget the ones it cached.
    ContentType.objects.clear_cache()


def test_it_builds_the_town_with_its_reported_figures(seeded):
    assert Community.objects.count() == 8
    assert Grid.objects.count() == 80
    assert Compound.objects.filter(is_old=True).count() == 132
    assert GridWorker.objects.count() == 90
    assert GridWorker.objects.filter(full_time=True).exists() and GridWorker.objects.filter(full_time=False).exists()
    assert not GridWorker.objects.filter(hired_on__lt=date(2020, 1, 1)).exists()
    assert {d.code: d.name for d in Department.objects.all()} == {code: name for code, (name, _) in DEPARTMENTS.items()}


def test_its_grid_codes_are_fifteen_digits_under_the_town_and_community(seeded):
    for grid in Grid.objects.select_related("community"):
        assert re.fullmatch(r"320724100\d{6}", grid.code)
        assert grid.code.startswith(grid.community.code)
        assert len(grid.community.code) == 12


def test_its_grids_tile_the_town_around_xinan(seeded):
    shapes = {grid.code: shape(grid.boundary) for grid in Grid.objects.all()}
    for grid in Grid.objects.all():
        validate_boundary(grid.boundary)
    town = unary_union(list(shapes.values()))
    assert town.geom_type == "Polygon"  # one piece, no gaps between grids
    assert town.area == pytest.approx(sum(s.area for s in shapes.values()), rel=1e-9)  # no overlaps
    assert town.centroid.y == pytest.approx(34.09, abs=0.005) and town.centroid.x == pytest.approx(119.35, abs=0.005)
    for cell in shapes.values():
        west, south, east, north = cell.bounds
        assert 200 < (east - west) * 92_200 < 450 and 200 < (north - south) * 110_900 < 450  # metres
    for community in Community.objects.all():
        block = unary_union([shapes[code] for code in community.grids.values_list("code", flat=True)])
        assert block.geom_type == "Polygon", f"{community.name} is not one contiguous block"


def test_its_compounds_lie_in_their_grids(seeded):
    for compound in Compound.objects.select_related("grid"):
        assert shape(compound.grid.boundary).contains(Point(compound.longitude, compound.latitude)), compound.name


def test_every_grid_has_a_worker_and_every_worker_a_grid(seeded):
    assert not Grid.objects.annotate(n=Count("workers")).filter(n=0).exists()
    assert not GridWorker.objects.annotate(n=Count("grids")).filter(n=0).exists()
    workers = User.objects.filter(role=Role.WORKER).order_by("username")
    assert [w.username for w in workers] == [f"worker{n:02d}" for n in range(1, 91)]
    assert all(re.fullmatch(r"138\d{8}", w.phone) for w in workers)


def test_its_demo_accounts_share_the_demo_password(seeded):
    accounts = ["admin", "dispatcher", "inspector", "official", "worker01", "worker90", *(a for _, a in DEPARTMENTS.values())]
    users = {user.username: user for user in User.objects.filter(username__in=accounts)}
    assert sorted(users) == sorted(accounts)
    assert all(user.check_password("govgrid-demo") for user in users.values())
    assert users["admin"].is_superuser and users["admin"].role == Role.ADMIN
    assert [users[name].role for name in ("dispatcher", "inspector", "official")] == [Role.DISPATCHER, Role.INSPECTOR, Role.OFFICIAL]
    for code, (_, account) in DEPARTMENTS.items():
        assert users[account].role == Role.DEPARTMENT and users[account].department.code == code


def test_its_categories_form_two_levels_with_time_limits_and_departments(seeded):
    majors = Category.objects.filter(parent__isnull=True)
    assert set(majors.values_list("code", flat=True)) == {"01", "02", "03", "04", "05", "06", "B01", "B02", "B03", "B04", "B05", "B06"}
    minors = Category.objects.filter(parent__isnull=False).select_related("parent")
    for category in minors:
        category.full_clean()
        assert re.fullmatch(r"B?\d{4}", category.code) and category.code.startswith(category.parent.code)
        assert category.department_id and category.filing_condition and category.closing_condition
    assert set(minors.values_list("time_unit", flat=True)) == set(TimeUnit.values)
    assert Category.objects.get(name="燃气泄漏").time_unit == TimeUnit.URGENT_HOURS


def test_its_calendar_holds_the_official_holidays_and_make_up_days(seeded):
    national = {(day, working) for day, working, _name in holidays.national_days()}
    assert set(CalendarDay.objects.values_list("date", "is_working_day")) == national
    assert not CalendarDay.objects.get(date=date(2025, 1, 28)).is_working_day
    assert CalendarDay.objects.get(date=date(2025, 2, 8)).is_working_day
    assert not CalendarDay.objects.get(date=date(2025, 10, 8)).is_working_day
    assert CalendarDay.objects.get(date=date(2025, 10, 11)).is_working_day
    assert not CalendarDay.objects.get(date=date(2026, 2, 23)).is_working_day
    assert CalendarDay.objects.get(date=date(2026, 2, 28)).is_working_day
    assert CalendarDay.objects.get(date=date(2026, 9, 20)).is_working_day


def test_its_incidents_went_through_the_workflow(seeded):
    events = {}
    for event in IncidentEvent.objects.order_by("incident_id", "created_at", "id"):
        events.setdefault(event.incident_id, []).append(event)
    incidents = Incident.objects.all()
    assert incidents.count() > 900
    for incident in incidents:
        trail = events[incident.pk]
        assert trail[0].action == Action.REPORT
        assert all(earlier.to_status == later.from_status for earlier, later in zip(trail, trail[1:]))
        assert trail[-1].to_status == incident.status
    actions = set(IncidentEvent.objects.values_list("action", flat=True))
    assert {Action.ASSIGN, Action.HANDLE, Action.INSPECT, Action.REWORK, Action.CLOSE, Action.REJECT, Action.MERGE} <= actions
    merged = incidents.filter(status=Status.MERGED)
    assert merged.exists() and not merged.filter(Q(duplicate_of__isnull=True) | Q(duplicate_of__status__in=Status.NOT_COUNTED)).exists()
    assert incidents.filter(status=Status.REJECTED).exists()
    # The history runs in time order: each merge went into a case that was live at the time.
    for duplicate in merged.select_related("duplicate_of"):
        merged_at = duplicate.events.get(action=Action.MERGE).created_at
        original = duplicate.duplicate_of
        assert original.reported_at < merged_at and (original.closed_at is None or original.closed_at > merged_at)


def test_a_few_percent_of_its_cases_take_each_branch(seeded):
    incidents = Incident.objects.all()
    summary = incident_summary(incidents, now=NOW)
    actions = set(IncidentEvent.objects.values_list("action", flat=True))
    # The branches that a town of this small size (about 1,000 cases) takes many times over;
    # the rarest (erroneous and special closures, reopening) are a handful a year at full size.
    branches = {
        Action.ACCEPT, Action.RETURN, Action.REQUEST_EXTENSION, Action.APPROVE_EXTENSION, Action.SUSPEND, Action.RESUME,
        Action.APPEAL, Action.CARD,
    }
    assert branches <= actions, branches - actions
    dispatched = summary["dispatched"]
    assert 0 < summary["returned"] < 0.05 * dispatched
    assert 0 < summary["extended"] < 0.06 * dispatched
    assert summary["appeals"] > 0 and summary["cards"]["ordinary"] > 0
    assert 90 < summary["timely_dispatch_rate"] < 100 and 90 < summary["accurate_dispatch_rate"] < 100
    stages = summary["stages"]
    assert all(stages[stage]["done"] > 0 and stages[stage]["average_minutes"] > 0 for stage in ("accept", "handle", "inspect"))
    assert summary["closures"]["normal"] > summary["closures"]["overdue"] > 0
    assert f"Timely dispatch {summary['timely_dispatch_rate']} %" in seeded


def test_each_department_has_a_head_who_is_told_of_cards(seeded):
    for code, (_, account) in DEPARTMENTS.items():
        head = User.objects.get(username=f"{account}-head")
        assert (head.department.code, head.is_department_head, head.check_password("govgrid-demo")) == (code, True, True)


def test_some_cases_were_handled_on_the_spot_with_photos(seeded):
    on_spot = Incident.objects.filter(handled_on_spot=True)
    assert on_spot.exists()
    for incident in on_spot:
        assert set(incident.photos.values_list("stage", flat=True)) == {IncidentPhoto.Stage.BEFORE, IncidentPhoto.Stage.AFTER}


def test_it_leaves_some_cases_late_open_or_outside_every_grid(seeded):
    incidents = Incident.objects.all()
    summary = incident_summary(incidents, now=NOW)
    assert summary["closed_late"] > 0 and summary["overdue_open"] > 0
    last_day = incidents.filter(reported_at__gt=NOW - timedelta(days=1))
    assert last_day.filter(status__in=Status.OPEN).exists()
    assert len(set(incidents.filter(status__in=Status.OPEN).values_list("status", flat=True))) >= 3
    assert incidents.filter(grid__isnull=True).exists()


def test_its_completion_rate_comes_out_near_the_towns(seeded):
    summary = incident_summary(Incident.objects.all(), now=NOW)
    assert 97 <= summary["completion_rate"] <= 100
    assert summary["on_time_rate"] < summary["completion_rate"]
    assert 0 < summary["rework_rate"] < 10
    assert f"Completion rate {summary['completion_rate']} %" in seeded


def test_nobody_is_notified_of_the_history(seeded, sent_tasks):
    assert not IncidentEvent.objects.filter(processed_at__isnull=True).exists()
    assert not Notification.objects.exists()
    assert sent_tasks == []


def test_the_deadline_watch_has_caught_up_with_the_history(seeded):
    from incidents.services import incident_mark_deadlines

    late_stages = IncidentStage.objects.filter(ended_at__isnull=True, deadline__lte=NOW, incident__status__in=Status.OPEN)
    assert late_stages.exists()
    assert not late_stages.filter(escalated_at__isnull=True).exists()
    assert incident_mark_deadlines(now=NOW) == {"warned": 0, "escalated": 0, "cards": 0}


def test_a_second_run_is_refused(seeded):
    before = Incident.objects.count()
    with pytest.raises(CommandError, match="already has data"):
        seed_demo(*SMALL)
    assert Incident.objects.count() == before


def test_a_second_run_with_if_empty_does_nothing(seeded):
    before = list(Incident.objects.values_list("code", flat=True))
    assert "already has data" in seed_demo(*SMALL, "--if-empty")
    assert list(Incident.objects.values_list("code", flat=True)) == before


def test_the_same_seed_gives_the_same_data(seeded):
    def snapshot():
        return (
            list(Incident.objects.order_by("id").values_list("code", "status", "category__code", "grid__code", "reported_at", "closed_at")),
            list(Grid.objects.order_by("code").values_list("code", "boundary")),
            list(User.objects.order_by("username").values_list("username", "first_name")),
        )

    def reseed():
        if connection.vendor == "postgresql":
            # This test runs inside the module's transaction; PostgreSQL will not TRUNCATE
            # (flush) tables with foreign-key checks still deferred in it.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        seed_demo(*SMALL, "--seed", "7", "--force")

    reseed()
    first = snapshot()
    reseed()
    assert len(first[0]) > 900
    assert snapshot() == first
