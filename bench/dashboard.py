"""How fast the dashboard's figures come for a year of a busy town: a million cases, with their
stages, events and supervision cards, on PostgreSQL.

    .venv/bin/python bench/dashboard.py [--cases 1000000] [--days 365] [--repeat 30] [--seed 1] [--keep]

The demo town (80 grids, communities, categories, departments, people) comes from
`seed_demo --incidents-per-day 0`; the cases are written by this script with COPY, each told
step by step from its report up to now (see Story). The daily counts are then built by the
service (`rollups_sum_days`), and for the year up to today (town time), for the whole town, the
biggest community and the most common major category, it measures:

- the dashboard: `incidents.stats.summary` (daily counts for the past days, the open cases for
  what the clock changes, the cases themselves for today);
- the raw aggregate: the same figures by hand-written SQL over the raw tables;
- the old way: `incident_summary(filter_cases(...))`, counting every case.

Each is called once cold, then --repeat times warm; it prints p50 and p95 in ms, checks that the
dashboard gives the same figures as the old way and as the raw aggregate, and says whether the
goal is met: the dashboard's p95 under 150 ms, and faster than the raw aggregate. The machine
is shared and noisy: compare runs made one after the other. Uses a throwaway data directory
and a throwaway database `govgrid_bench_dash` on 127.0.0.1, dropped at the end unless --keep.
"""

import argparse
import io
import math
import os
import random
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ARGS = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ARGS.add_argument("--cases", type=int, default=1_000_000, help="cases reported over the period (default 1,000,000)")
ARGS.add_argument("--days", type=int, default=365, help="days of cases up to today, and the period measured (default 365)")
ARGS.add_argument("--repeat", type=int, default=30, help="warm calls measured for each figure (default 30)")
ARGS.add_argument("--seed", type=int, default=1, help="the same seed gives the same cases (default 1)")
ARGS.add_argument("--keep", action="store_true", help="keep the database govgrid_bench_dash at the end")
ARGS.add_argument("--reuse", action="store_true", help="measure the database kept by --keep again (migrated, its days summed) instead of loading one")
OPTIONS = ARGS.parse_args()

DATABASE = "govgrid_bench_dash"
os.environ["GOVGRID_DATA_DIR"] = tempfile.mkdtemp(prefix="govgrid-bench-")
os.environ["DEBUG"] = "1"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govgrid.settings")
os.environ.pop("REDIS_URL", None)
os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"

import psycopg2  # noqa: E402


def admin_sql(statement: str) -> None:
    """Run a statement on the server's `postgres` database, outside any transaction."""
    admin = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(statement)
    admin.close()


if not OPTIONS.reuse:
    admin_sql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    admin_sql(f"CREATE DATABASE {DATABASE}")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402
from shapely.geometry import Point, shape  # noqa: E402
from tqdm import tqdm  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from grids.models import Community, Grid, GridWorker  # noqa: E402
from govgrid.towntime import day_start  # noqa: E402
from incidents import demo_data  # noqa: E402
from incidents.clocks import calendar_from  # noqa: E402
from incidents.models import Category, DailyCount, Incident, IncidentEvent, IncidentStage, Source, SupervisionCard  # noqa: E402
from incidents.services import rollups_sum_days  # noqa: E402
from incidents.stats import Filters, filter_cases, incident_summary, summary  # noqa: E402
from incidents.timelimits import TimeUnit, counts_working_time, limit_seconds, workday_seconds  # noqa: E402
from incidents.workflow import COMPLETES, Action, Appeal, Card, Closure, Stage, Status  # noqa: E402

CHUNK = 100_000  # cases per COPY round
TOWN_ZONE = timezone.get_current_timezone()

# How a case goes: each a probability drawn per case (seed_demo's figures, near enough).
SOURCES = [(Source.PATROL, 0.70), (Source.RESIDENT, 0.12), (Source.PHONE, 0.18)]
REJECTED = 0.01
MERGED = 0.005
ACCEPTED_FIRST = 0.6  # accepted, then dispatched; the rest accepted and dispatched in one step
RETURNED = 0.012  # sent to the wrong department, which returns it
REASSIGNED = 0.01  # sent to the wrong department, and taken back by the command centre
SUSPENDED = 0.01
NEVER_RESUMED = 0.3  # of the suspended: still waiting for a budget or a works project
EXTENDED = 0.03
EXTENSION_REFUSED = 0.2
REWORKED = 0.03
REWORKED_TWICE = 0.1  # of the reworked
LATE = 0.04  # handled after the case's deadline; reworks make some more late
CARDED = 0.4  # of the cases late at handling
APPEALED = 0.25  # of the cases closed late or reworked ...
APPEAL_UPHELD = 0.5  # ... and upheld
# Left at some step and never finished: past their deadline they are what keeps the completion
# rate under 100 %. The weights are those of the statuses they are left in.
FORGOTTEN = 0.012
FORGOTTEN_AT = [(Status.REPORTED, 1), (Status.ACCEPTED, 2), (Status.ASSIGNED, 6), (Status.HANDLED, 2), (Status.INSPECTED, 1)]

# Working time is stretched to calendar time by its share of the week, instead of walking the
# working calendar: what is measured reads the stored times, not how they were worked out.
WORKING_STRETCH = 7 * 86400 / (5 * workday_seconds())
STRETCH = {unit: WORKING_STRETCH if counts_working_time(unit) else 1.0 for unit in TimeUnit.values}
HOUR, DAY = 3600, 86400


def stamp(moment: float | None) -> str:
    return r"\N" if moment is None else datetime.fromtimestamp(moment, UTC).isoformat()


def field(value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return str(value)


def points_in(boundary: dict, rng: random.Random, count: int) -> list[tuple[float, float]]:
    """`count` (latitude, longitude) points inside a grid's boundary."""
    polygon = shape(boundary)
    west, south, east, north = polygon.bounds
    points = []
    while len(points) < count:
        longitude, latitude = rng.uniform(west, east), rng.uniform(south, north)
        if polygon.contains(Point(longitude, latitude)):
            points.append((round(latitude, 6), round(longitude, 6)))
    return points


class Town:
    """The demo town as the cases need it: where they happen, of what, and who acts on them."""

    def __init__(self, rng: random.Random):
        grids = list(Grid.objects.order_by("pk"))
        self.grids = [grid.pk for grid in grids]
        # Uneven: the old centre and the market streets report far more than the edges.
        self.grid_weights = [rng.lognormvariate(0, 0.7) for _ in grids]
        self.points = {grid.pk: points_in(grid.boundary, rng, 50) for grid in grids}
        self.workers: dict[int, list[int]] = {grid.pk: [] for grid in grids}
        for grid_id, user_id in GridWorker.grids.through.objects.values_list("grid_id", "gridworker__user_id"):
            self.workers[grid_id].append(user_id)
        minors = {minor.code: minor for major in demo_data.CATEGORIES for minor in major.minors}
        self.categories = list(Category.objects.filter(parent__isnull=False).order_by("code"))
        self.minor = {category.pk: minors[category.code] for category in self.categories}
        # Skewed as the demo data says (rubbish and small ads dominate), and seasonal.
        in_order = [self.minor[category.pk] for category in self.categories]
        self.weights_by_month = {
            month: [minor.weight if not minor.months or month in minor.months else 0 for minor in in_order] for month in range(1, 13)
        }
        self.departments = sorted({category.department_id for category in self.categories})
        members = User.objects.filter(role=Role.DEPARTMENT, is_department_head=False).order_by("pk")
        self.member_of = {}
        for user in members:
            self.member_of.setdefault(user.department_id, user.pk)
        staff = dict(User.objects.filter(username__in=["dispatcher", "inspector", "official"]).values_list("username", "pk"))
        self.dispatcher, self.inspector, self.official = staff["dispatcher"], staff["inspector"], staff["official"]


class StoryEnds(Exception):
    """The case goes no further: its next step is after now, or it was forgotten here."""


class Story:
    """One case told step by step from its report, as the workflow services would have written
    it, stopping at the first step after `now`: its row, its stage rows, events and cards."""

    def __init__(self, *, loader: "Loader", pk: int, reported: float, source: str, grid: int, category: Category):
        self.loader, self.town, self.rng, self.now = loader, loader.town, loader.rng, loader.now
        self.pk, self.category, self.minor = pk, category, self.town.minor[category.pk]
        self.status = Status.REPORTED
        self.department = None
        self.stage = None
        self.stages: list[dict] = []
        self.events: list[tuple] = []
        self.cards: list[tuple] = []
        self.handle_unit = category.time_unit
        self.clock_unit = TimeUnit.URGENT_HOURS if self.handle_unit == TimeUnit.URGENT_HOURS else TimeUnit.WORKING_HOURS
        latitude, longitude = self.rng.choice(self.town.points[grid])
        place = f"{self.rng.choice(demo_data.STREETS)}{self.rng.randint(1, 300)}号"
        if source == Source.PHONE or not self.town.workers[grid]:
            reporter, self.report_note = self.town.dispatcher, self.rng.choice(demo_data.PHONE_NOTES)
        else:
            reporter = self.rng.choice(self.town.workers[grid])
            self.report_note = "" if source == Source.PATROL else self.rng.choice(demo_data.RESIDENT_NOTES)
        phone = "" if source == Source.PATROL else f"1{self.rng.choice('35789')}{self.rng.randrange(10**9):09d}"
        self.forgotten_at = self.rng.choices(*zip(*FORGOTTEN_AT))[0] if self.rng.random() < FORGOTTEN else None
        self.case = {
            "id": pk, "code": f"{datetime.fromtimestamp(reported, TOWN_ZONE):%Y%m%d}{pk:06d}", "category_id": category.pk,
            "description": self.rng.choice(self.minor.says).format(place=place), "latitude": latitude, "longitude": longitude,
            "address": demo_data.COUNTY_NAME + demo_data.TOWN_NAME + place, "grid_id": grid, "source": source,
            "reporter_id": reporter, "contact_phone": phone, "contact_name": "", "client_uuid": None, "status": Status.REPORTED,
            "handled_on_spot": False, "assignee_id": None, "assigned_department_id": None, "duplicate_of_id": None,
            "reported_at": reported, "assigned_at": None, "handled_at": None, "inspected_at": None, "accepted_at": None,
            "closed_at": None, "closure": "", "deadline": None, "warn_at": None, "current_stage_id": None, "rework_count": 0,
            "return_count": 0, "resend_count": 0, "extension_count": 0, "extension_requested_until": None, "appeal": "",
            "suspended_at": None, "review_on": None, "review_reminded_at": None, "version": 0,
        }
        # The case's own clock: the four stage limits one after another from the report.
        span = sum(self.length(stage) for stage in Stage.ORDER)
        self.case["deadline"], self.case["warn_at"] = reported + span, reported + span * settings.WARNING_FRACTION

    # The clocks

    def limit(self, stage: str) -> tuple[float, str]:
        """(amount, unit) of a stage, as incidents.clocks.stage_limits gives it."""
        if stage == Stage.HANDLE:
            return float(self.category.time_limit), self.handle_unit
        return settings.STAGE_LIMIT_MINUTES[stage] / 60, self.clock_unit

    def length(self, stage: str) -> float:
        """A stage's limit in calendar seconds."""
        amount, unit = self.limit(stage)
        return limit_seconds(amount, unit) * STRETCH[unit]

    def open(self, stage: str, at: float, *, done_at_once_by: str = "") -> None:
        amount, unit = self.limit(stage)
        length = self.length(stage)
        row = {
            "id": self.loader.next_id("stage"), "incident_id": self.pk, "stage": stage, "started_at": at, "limit": amount,
            "unit": unit, "deadline": at + length, "warn_at": at + length * settings.WARNING_FRACTION,
            "yellow_card_at": None, "red_card_at": None, "assignee_id": None, "department_id": self.department,
            "warned_at": None, "escalated_at": None, "paused_seconds": 0.0, "ended_at": None, "ended_by": "",
            "completed": False, "elapsed_seconds": None,
        }
        if stage == Stage.HANDLE:
            row["yellow_card_at"] = at + length * (1 + settings.CARD_YELLOW_OVERDUE_FRACTION)
            row["red_card_at"] = at + length * settings.CARD_RED_LIMIT_MULTIPLE
        self.stages.append(row)
        self.stage = row
        if done_at_once_by:
            self.end(done_at_once_by, at)

    def end(self, action: str, at: float) -> None:
        row, self.stage = self.stage, None
        row["ended_at"], row["ended_by"] = at, action
        row["completed"] = action in COMPLETES[row["stage"]]
        row["elapsed_seconds"] = round(max(0.0, (at - row["started_at"]) / STRETCH[row["unit"]] - row["paused_seconds"]), 1)

    def into(self, fraction: float) -> float:
        """The moment `fraction` of the running stage's limit after it started."""
        return self.stage["started_at"] + fraction * (self.stage["deadline"] - self.stage["started_at"])

    def reach(self, at: float) -> float:
        if at > self.now:
            raise StoryEnds
        return at

    def forgotten_if(self, status: str) -> None:
        if self.forgotten_at == status:
            raise StoryEnds

    def record(self, action: str, at: float, actor: int, *, to: str | None = None, note: str = "") -> None:
        """One event; `to` is the status the action leads to (None: it stays)."""
        event_id = self.loader.next_id("event")
        before, self.status = self.status, to or self.status
        # The follow-up work (notifications) done a moment later.
        self.events.append((event_id, self.pk, actor, action, before, self.status, note, "{}", stamp(at), stamp(at + 2)))
        self.case["version"] += 1

    def handler(self) -> int:
        return self.town.member_of[self.department]

    # The steps

    def tell(self) -> "Story":
        try:
            self.record(Action.REPORT, self.case["reported_at"], self.case["reporter_id"], note=self.report_note)
            self.open(Stage.ACCEPT, self.case["reported_at"])
            self.triage()
            self.forgotten_if(Status.REPORTED)
            self.dispatch()
            self.handle()
            self.inspect()
            self.forgotten_if(Status.INSPECTED)
            self.close()
            self.appeal()
        except StoryEnds:
            pass
        self.case["status"] = self.status
        if self.status in Status.LIVE:
            self.case["current_stage_id"] = self.stage["id"] if self.stage else None
        return self

    def triage(self) -> None:
        draw = self.rng.random()
        if draw >= REJECTED + MERGED:
            return
        at = self.reach(self.into(self.rng.uniform(0.05, 0.9)))
        action, to = (Action.REJECT, Status.REJECTED) if draw < REJECTED else (Action.MERGE, Status.MERGED)
        self.end(action, at)
        if action == Action.MERGE:
            self.case["duplicate_of_id"] = max(1, self.pk - self.rng.randint(1, 50)) if self.pk > 1 else None
            note = ""
        else:
            note = self.rng.choice(demo_data.REJECT_REASONS)
        self.record(action, at, self.town.dispatcher, to=to, note=note)
        self.case["closed_at"] = at
        raise StoryEnds

    def dispatch(self) -> None:
        rng, case = self.rng, self.case
        right = self.category.department_id
        misdispatch = rng.random()
        at = self.reach(self.into(rng.uniform(0.05, 1.1)))
        if rng.random() < ACCEPTED_FIRST:
            self.end(Action.ACCEPT, at)
            case["accepted_at"] = at
            self.record(Action.ACCEPT, at, self.town.dispatcher, to=Status.ACCEPTED)
            self.open(Stage.DISPATCH, at)
            self.forgotten_if(Status.ACCEPTED)
            at = self.reach(self.into(rng.uniform(0.05, 1.1)))
            self.end(Action.ASSIGN, at)
        else:
            self.end(Action.ASSIGN, at)
            case["accepted_at"] = at
            self.open(Stage.DISPATCH, at, done_at_once_by=Action.ASSIGN)
        if misdispatch < RETURNED + REASSIGNED:
            self.assign(rng.choice([department for department in self.town.departments if department != right]), at)
        else:
            self.assign(right, at)
        if misdispatch < RETURNED:
            at = self.reach(at + rng.uniform(0.3, 4) * HOUR)
            self.end(Action.RETURN, at)
            self.record(Action.RETURN, at, self.handler(), to=Status.ACCEPTED, note=rng.choice(demo_data.RETURN_REASONS))
            case["return_count"] += 1
            case["resend_count"] += 1
            self.department = case["assigned_department_id"] = None
            self.open(Stage.DISPATCH, at)
            at = self.reach(self.into(rng.uniform(0.1, 0.9)))
            self.end(Action.ASSIGN, at)
            self.assign(right, at)
        elif misdispatch < RETURNED + REASSIGNED:
            at = self.reach(at + rng.uniform(0.2, 2) * HOUR)
            self.end(Action.ASSIGN, at)
            case["resend_count"] += 1
            self.assign(right, at)

    def assign(self, department: int, at: float) -> None:
        self.department = self.case["assigned_department_id"] = department
        self.case["assigned_at"] = at
        self.record(Action.ASSIGN, at, self.town.dispatcher, to=Status.ASSIGNED)
        self.open(Stage.HANDLE, at)

    def handle(self) -> None:
        rng, case = self.rng, self.case
        if rng.random() < SUSPENDED:
            self.suspend()
        elif rng.random() < EXTENDED:
            self.extend()
        late = rng.random() < LATE
        if late:
            done = max(case["deadline"], self.stage["deadline"]) + rng.uniform(0.05, 1.5) * self.length(Stage.HANDLE)
        else:
            done = self.into(rng.uniform(0.2, 0.95))
        if (late or self.forgotten_at == Status.ASSIGNED) and rng.random() < CARDED:
            carded = self.stage["deadline"] + rng.uniform(0.1, 0.6) * self.length(Stage.HANDLE)
            if carded < done or self.forgotten_at == Status.ASSIGNED:
                self.card(self.reach(carded))
        self.forgotten_if(Status.ASSIGNED)
        self.handled(self.reach(done))

    def handled(self, at: float) -> None:
        self.end(Action.HANDLE, at)
        self.case["handled_at"] = at
        note = self.rng.choice(demo_data.HANDLE_NOTES).format(closing=self.category.closing_condition)
        self.record(Action.HANDLE, at, self.handler(), to=Status.HANDLED, note=note)
        self.open(Stage.INSPECT, at)

    def suspend(self) -> None:
        rng, case = self.rng, self.case
        at = self.reach(self.into(rng.uniform(0.1, 0.5)))
        review_on = datetime.fromtimestamp(at, TOWN_ZONE).date() + timedelta(days=rng.randint(30, 90))
        self.record(Action.SUSPEND, at, self.town.dispatcher, to=Status.SUSPENDED, note=rng.choice(demo_data.SUSPEND_REASONS))
        case["suspended_at"], case["review_on"] = at, review_on
        if rng.random() < NEVER_RESUMED:
            raise StoryEnds
        pause = rng.uniform(7, 60) * DAY
        resumed = self.reach(at + pause)
        self.record(Action.RESUME, resumed, self.town.dispatcher, to=Status.ASSIGNED)
        # The clocks restart with the time they had left.
        row = self.stage
        for name in ("deadline", "warn_at", "yellow_card_at", "red_card_at"):
            row[name] += pause
        row["paused_seconds"] = round(pause / STRETCH[row["unit"]], 1)
        case["deadline"] += pause
        case["warn_at"] += pause
        case["suspended_at"] = case["review_on"] = None

    def extend(self) -> None:
        rng, case, row = self.rng, self.case, self.stage
        asked = self.reach(self.into(rng.uniform(0.4, 0.8)))
        more = rng.uniform(0.5, 1.0) * self.length(Stage.HANDLE)
        case["extension_requested_until"] = row["deadline"] + more
        self.record(Action.REQUEST_EXTENSION, asked, self.handler(), note=rng.choice(demo_data.EXTENSION_REASONS))
        decided = self.reach(asked + rng.uniform(0.5, 4) * HOUR)
        case["extension_requested_until"] = None
        if rng.random() < EXTENSION_REFUSED:
            self.record(Action.REFUSE_EXTENSION, decided, self.town.dispatcher, note=rng.choice(demo_data.EXTENSION_REFUSALS))
            return
        row["deadline"] += more
        row["warn_at"] = row["started_at"] + (row["deadline"] - row["started_at"]) * settings.WARNING_FRACTION
        row["yellow_card_at"] += more
        row["red_card_at"] += more
        case["deadline"] += more
        case["warn_at"] += more
        case["extension_count"] += 1
        self.record(Action.APPROVE_EXTENSION, decided, self.town.dispatcher)

    def card(self, at: float) -> None:
        level = self.rng.choices([Card.ORDINARY, Card.YELLOW, Card.RED], weights=[5, 3.5, 1.5])[0]
        note = self.rng.choice(demo_data.CARD_NOTES)
        self.cards.append((self.loader.next_id("card"), self.pk, level, "", self.town.dispatcher, note, stamp(at)))
        self.record(Action.CARD, at, self.town.dispatcher, note=note)

    def inspect(self) -> None:
        rng = self.rng
        reworks = (2 if rng.random() < REWORKED_TWICE else 1) if rng.random() < REWORKED else 0
        self.forgotten_if(Status.HANDLED)
        for _ in range(reworks):
            at = self.reach(self.into(rng.uniform(0.1, 0.9)))
            self.end(Action.REWORK, at)
            self.case["rework_count"] += 1
            self.record(Action.REWORK, at, self.town.inspector, to=Status.ASSIGNED, note=rng.choice(demo_data.REWORK_NOTES))
            self.open(Stage.HANDLE, at)
            self.handled(self.reach(self.into(rng.uniform(0.2, 0.8))))
        at = self.reach(self.into(rng.uniform(0.1, 0.95)))
        self.end(Action.INSPECT, at)
        self.case["inspected_at"] = at
        self.record(Action.INSPECT, at, self.town.inspector, to=Status.INSPECTED, note=rng.choice(demo_data.INSPECT_NOTES))

    def close(self) -> None:
        case = self.case
        inspected, deadline = case["inspected_at"], case["deadline"]
        at = inspected + self.rng.uniform(5, 90) * 60
        if inspected < deadline:
            at = min(at, inspected + (deadline - inspected) * 0.9)
        self.reach(at)
        case["closed_at"] = at
        case["closure"] = Closure.OVERDUE if at > deadline else Closure.NORMAL
        self.record(Action.CLOSE, at, self.town.dispatcher, to=Status.CLOSED, note=self.rng.choice(demo_data.CLOSE_NOTES))

    def appeal(self) -> None:
        rng, case = self.rng, self.case
        if not (case["closure"] == Closure.OVERDUE or case["rework_count"]) or rng.random() >= APPEALED:
            return
        at = self.reach(case["closed_at"] + rng.uniform(2, 72) * HOUR)
        case["appeal"] = Appeal.PENDING
        self.record(Action.APPEAL, at, self.handler(), note=rng.choice(demo_data.APPEAL_REASONS))
        at = self.reach(at + rng.uniform(4, 120) * HOUR)
        if rng.random() < APPEAL_UPHELD:
            case["appeal"] = Appeal.UPHELD
            case["closure"] = Closure.NORMAL
            self.record(Action.UPHOLD_APPEAL, at, self.town.official, note=rng.choice(demo_data.APPEAL_UPHELD))
        else:
            case["appeal"] = Appeal.DISMISSED
            self.record(Action.DISMISS_APPEAL, at, self.town.official, note=rng.choice(demo_data.APPEAL_DISMISSED))


INCIDENT_COLUMNS = (
    "id", "code", "category_id", "description", "latitude", "longitude", "address", "grid_id", "source", "reporter_id",
    "contact_phone", "contact_name", "client_uuid", "status", "handled_on_spot", "assignee_id", "assigned_department_id",
    "duplicate_of_id", "reported_at", "assigned_at", "handled_at", "inspected_at", "accepted_at", "closed_at", "closure",
    "deadline", "warn_at", "current_stage_id", "rework_count", "return_count", "resend_count", "extension_count",
    "extension_requested_until", "appeal", "suspended_at", "review_on", "review_reminded_at", "version",
)
INCIDENT_TIMES = {
    "reported_at", "assigned_at", "handled_at", "inspected_at", "accepted_at", "closed_at", "deadline", "warn_at",
    "extension_requested_until", "suspended_at", "review_reminded_at",
}
STAGE_COLUMNS = (
    "id", "incident_id", "stage", "started_at", "limit", "unit", "deadline", "warn_at", "yellow_card_at", "red_card_at",
    "assignee_id", "department_id", "warned_at", "escalated_at", "paused_seconds", "ended_at", "ended_by", "completed",
    "elapsed_seconds",
)
STAGE_TIMES = {"started_at", "deadline", "warn_at", "yellow_card_at", "red_card_at", "warned_at", "escalated_at", "ended_at"}
EVENT_COLUMNS = ("id", "incident_id", "actor_id", "action", "from_status", "to_status", "note", "data", "created_at", "processed_at")
CARD_COLUMNS = ("id", "incident_id", "level", "rule", "issued_by_id", "note", "created_at")
# (buffer, model, columns), in the order they are copied.
TABLES = (
    ("incident", Incident, INCIDENT_COLUMNS),
    ("stage", IncidentStage, STAGE_COLUMNS),
    ("event", IncidentEvent, EVENT_COLUMNS),
    ("card", SupervisionCard, CARD_COLUMNS),
)


def copy_line(values, times=frozenset()) -> str:
    """One row of (column, value) in COPY's text format; the columns in `times` hold instants."""
    return "\t".join(stamp(value) if name in times else field(value) for name, value in values) + "\n"


class Loader:
    """Writes the cases day by day in order of report (ids follow it), CHUNK cases per COPY round."""

    def __init__(self, *, town: Town, rng: random.Random, now: datetime):
        self.town, self.rng, self.now = town, rng, now.timestamp()
        self.ids = Counter()
        self.buffers = {kind: io.StringIO() for kind, _model, _columns in TABLES}
        self.pending = 0
        self.written = Counter()

    def next_id(self, kind: str) -> int:
        self.ids[kind] += 1
        return self.ids[kind]

    def load(self, *, cases: int, days: int, today: date) -> None:
        rng = self.rng
        history = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
        calendar = calendar_from(day_start(history[0]), day_start(today))
        # Fewer reports on weekends and holidays.
        per_day = Counter(rng.choices(history, weights=[1.1 if calendar.is_working_day(day) else 0.75 for day in history], k=cases))
        with tqdm(total=cases, desc="cases", unit="case", mininterval=2) as progress:
            for day in history:
                weights = self.town.weights_by_month[day.month]
                start = day_start(day).timestamp()
                for reported, source in sorted(self.report_time(start) for _ in range(per_day[day])):
                    grid = rng.choices(self.town.grids, weights=self.town.grid_weights)[0]
                    category = rng.choices(self.town.categories, weights=weights)[0]
                    story = Story(loader=self, pk=self.next_id("incident"), reported=reported, source=source, grid=grid, category=category)
                    self.add(story.tell())
                progress.update(per_day[day])
        self.flush()

    def report_time(self, start: float) -> tuple[float, str]:
        """When in the day a report comes, by where it comes from (a few calls at night); never after now."""
        rng = self.rng
        source = rng.choices([source for source, _ in SOURCES], weights=[weight for _, weight in SOURCES])[0]
        hours = {Source.PATROL: (7.5, 18.5), Source.RESIDENT: (7, 21)}.get(source) or ((0, 24) if rng.random() < 0.15 else (7, 22))
        at = start + rng.uniform(*hours) * HOUR
        return (at if at <= self.now else rng.uniform(start, self.now)), source

    def add(self, story: Story) -> None:
        write = self.buffers
        write["incident"].write(copy_line(((name, story.case[name]) for name in INCIDENT_COLUMNS), INCIDENT_TIMES))
        for row in story.stages:
            write["stage"].write(copy_line(((name, row[name]) for name in STAGE_COLUMNS), STAGE_TIMES))
        for row in story.events:
            write["event"].write(copy_line(zip(EVENT_COLUMNS, row)))
        for row in story.cards:
            write["card"].write(copy_line(zip(CARD_COLUMNS, row)))
        self.written.update(incident=1, stage=len(story.stages), event=len(story.events), card=len(story.cards))
        self.pending += 1
        if self.pending >= CHUNK:
            self.flush()

    def flush(self) -> None:
        """COPY what is buffered in one transaction: the foreign keys (a case's current stage is
        copied after the case) are checked at commit."""
        with transaction.atomic(), connection.cursor() as cursor:
            for kind, model, columns in TABLES:
                buffer = self.buffers[kind]
                buffer.seek(0)
                names = ", ".join(f'"{column}"' for column in columns)
                cursor.copy_expert(f"COPY {model._meta.db_table} ({names}) FROM STDIN", buffer)
                self.buffers[kind] = io.StringIO()
        self.pending = 0

    def set_sequences(self) -> None:
        with connection.cursor() as cursor:
            for kind, model, _columns in TABLES:
                if self.ids[kind]:
                    cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [model._meta.db_table, self.ids[kind]])


# The raw aggregate: the same figures, by hand, over the raw tables.

def raw_aggregate(filters: Filters, *, now: datetime) -> dict:
    """The dashboard's counts, done-on-time and averages by one hand-written SQL statement per
    table, straight over the cases of the period (the dashboard's definitions: an upheld appeal
    excuses lateness and rework; a suspended case is neither open nor due)."""
    scope = "i.reported_at >= %(start)s AND i.reported_at < %(end)s"
    if filters.grids is not None:
        scope += " AND i.grid_id = ANY(%(grids)s)"
    if filters.categories is not None:
        scope += " AND i.category_id = ANY(%(categories)s)"
    params = {
        "start": day_start(filters.first_day), "end": day_start(filters.last_day + timedelta(days=1)), "now": now,
        "open": sorted(Status.OPEN), "grids": list(filters.grids or ()), "categories": list(filters.categories or ()),
    }
    overdue_open = "i.status = ANY(%(open)s) AND i.deadline <= %(now)s AND i.appeal <> 'upheld'"
    dispatched = "i.accepted_at IS NOT NULL AND i.assigned_at IS NOT NULL"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT count(*),
                   count(*) FILTER (WHERE i.status = 'rejected'),
                   count(*) FILTER (WHERE i.status = 'merged'),
                   count(*) FILTER (WHERE i.status = 'closed'),
                   count(*) FILTER (WHERE i.status = 'closed' AND (i.closed_at <= i.deadline OR i.appeal = 'upheld')),
                   count(*) FILTER (WHERE i.status = ANY(%(open)s)),
                   count(*) FILTER (WHERE {overdue_open}),
                   count(*) FILTER (WHERE i.rework_count > 0 AND i.appeal <> 'upheld' AND (i.status = 'closed' OR ({overdue_open}))),
                   count(*) FILTER (WHERE {dispatched}),
                   count(*) FILTER (WHERE {dispatched} AND i.resend_count = 0)
            FROM incidents_incident i WHERE {scope}
            """,
            params,
        )
        names = ("reported", "rejected", "merged", "closed", "closed_on_time", "open", "overdue_open", "reworked",
                 "dispatched", "accurately_dispatched")
        figures = dict(zip(names, cursor.fetchone()))
        cursor.execute(
            f"""
            SELECT s.stage,
                   count(*) FILTER (WHERE s.completed),
                   count(*) FILTER (WHERE s.completed AND (s.ended_at <= s.deadline OR i.appeal = 'upheld')),
                   count(*) FILTER (WHERE s.ended_at IS NULL AND s.deadline <= %(now)s
                                      AND i.status = ANY(%(open)s) AND i.appeal <> 'upheld'),
                   avg(s.elapsed_seconds) FILTER (WHERE s.completed)
            FROM incidents_incidentstage s JOIN incidents_incident i ON i.id = s.incident_id
            WHERE {scope} GROUP BY s.stage
            """,
            params,
        )
        stages = {stage: {"done": 0, "done_on_time": 0, "late_open": 0, "average_minutes": None} for stage in Stage.ORDER}
        for stage, done, on_time, late_open, seconds in cursor.fetchall():
            average = round(seconds / 60, 1) if seconds is not None else None
            stages[stage] = {"done": done, "done_on_time": on_time, "late_open": late_open, "average_minutes": average}
        cursor.execute(
            f"""
            SELECT c.level, count(*) FROM incidents_supervisioncard c JOIN incidents_incident i ON i.id = c.incident_id
            WHERE {scope} GROUP BY c.level
            """,
            params,
        )
        cards = {level: 0 for level, _label in Card.CHOICES} | dict(cursor.fetchall())
    return {**figures, "stages": stages, "cards": cards}


def differences(reference: dict, other: dict, path: str = "") -> tuple[list[str], list[str]]:
    """Where `other` differs from `reference`, for the figures `other` has: in value, and in
    type only (1234.0 for 1234, which == hides)."""
    values, types = [], []
    for key, value in other.items():
        expected = reference.get(key)
        if isinstance(value, dict) and isinstance(expected, dict):
            inner_values, inner_types = differences(expected, value, f"{path}{key}.")
            values += inner_values
            types += inner_types
        elif value != expected:
            values.append(f"{path}{key}: {expected!r} vs {value!r}")
        elif type(value) is not type(expected):
            types.append(f"{path}{key}: {expected!r} vs {value!r}")
    return values, types


def agreement(reference: dict, other: dict, names: str) -> str:
    """OK, or the figures that differ; `names` says which is which ("reference vs other")."""
    values, types = differences(reference, other)
    verdict = "OK" if not values else f"DIFFERS in {len(values)} ({names}): " + "; ".join(values)
    if types:
        verdict += f", but {len(types)} figures differ in type ({names}), e.g. {types[0]}"
    return verdict


def pad(text: str, width: int) -> str:
    """Left-aligned in `width` terminal columns, a Chinese character taking two."""
    return text + " " * (width - sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text))


# Measuring

def timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def percentile(ordered: list[float], share: float) -> float:
    """Nearest rank."""
    return ordered[max(0, math.ceil(share / 100 * len(ordered)) - 1)]


def measure(call, repeat: int) -> dict:
    """The first call, then `repeat` warm ones: milliseconds."""
    cold = timed(call)
    warm = sorted(timed(call) for _ in range(repeat))
    return {"cold": cold, "p50": percentile(warm, 50), "p95": percentile(warm, 95)}


def scopes(period: Filters) -> list[tuple[str, Filters]]:
    """The town, its biggest community and its most common major category, by cases in the period."""
    cases = filter_cases(Incident.objects.all(), period).order_by()
    community = Community.objects.get(pk=cases.values("grid__community").annotate(n=Count("id")).order_by("-n")[0]["grid__community"])
    grids = tuple(community.grids.values_list("pk", flat=True))
    major = Category.objects.get(pk=cases.values("category__parent").annotate(n=Count("id")).order_by("-n")[0]["category__parent"])
    categories = (major.pk, *major.children.values_list("pk", flat=True))
    return [
        ("town", period),
        (f"community {community.name} ({len(grids)} grids)", Filters(period.first_day, period.last_day, grids=grids)),
        (f"category {major.code} {major.name} ({len(categories) - 1} minor)",
         Filters(period.first_day, period.last_day, categories=categories)),
    ]


def describe(figures: dict) -> str:
    return (
        f"{figures['reported']:,.0f} reported: {figures['closed']:,.0f} closed ({figures['closed_late']:,.0f} late), "
        f"{figures['rejected']:,.0f} rejected, {figures['merged']:,.0f} merged, {figures['open']:,.0f} open "
        f"({figures['overdue_open']:,.0f} overdue), {figures['suspended']:,.0f} suspended; completion {figures['completion_rate']} %, "
        f"on time {figures['on_time_rate']} %, rework {figures['rework_rate']} %, timely dispatch {figures['timely_dispatch_rate']} %, "
        f"accurate dispatch {figures['accurate_dispatch_rate']} %; {figures['returned']:,.0f} returned, "
        f"{figures['extended']:,.0f} extended, {figures['appeals_upheld']:,.0f} of {figures['appeals']:,.0f} appeals upheld; cards "
        + ", ".join(f"{count:,.0f} {level}" for level, count in figures["cards"].items())
    )


def main() -> None:
    call_command("migrate", verbosity=0)
    now = timezone.now()
    today = timezone.localdate(now)
    if OPTIONS.reuse:
        print(f"reusing {Incident.objects.count():,} cases")
    else:
        load(now, today)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"VACUUM ANALYZE in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    summed = rollups_sum_days(progress=partial(tqdm, desc="daily counts", unit="day", mininterval=5))
    print(f"daily counts: {summed} days summed in {time.perf_counter() - started:.1f} s, {DailyCount.objects.count():,} DailyCount rows")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE incidents_dailycount")
    measure_all(today)


def load(now: datetime, today: date) -> None:
    call_command("seed_demo", "--incidents-per-day", "0", verbosity=0, stdout=io.StringIO())
    rng = random.Random(OPTIONS.seed)
    started = time.perf_counter()
    loader = Loader(town=Town(rng), rng=rng, now=now)
    loader.load(cases=OPTIONS.cases, days=OPTIONS.days, today=today)
    loader.set_sequences()
    written = loader.written
    print(f"loaded {written['incident']:,} cases, {written['stage']:,} stages, {written['event']:,} events, "
          f"{written['card']:,} cards over {OPTIONS.days} days in {time.perf_counter() - started:.1f} s")


def measure_all(today: date) -> None:
    period = Filters(first_day=today - timedelta(days=OPTIONS.days - 1), last_day=today)
    print(f"\nthe {OPTIONS.days} days {period.first_day} to {period.last_day} (town time); cold call, then p50 and p95 of "
          f"{OPTIONS.repeat} warm calls, in ms")
    rows, goals = [], []
    for name, filters in scopes(period):
        def dashboard(filters=filters):
            return summary(filters, now=timezone.now())

        def raw(filters=filters):
            return raw_aggregate(filters, now=timezone.now())

        def old_way(filters=filters):
            return incident_summary(filter_cases(Incident.objects.all(), filters), now=timezone.now())

        timings = {label: measure(call, OPTIONS.repeat) for label, call in (("dashboard", dashboard), ("raw", raw), ("old", old_way))}
        at = timezone.now()
        figures = summary(filters, now=at)
        print(f"\n{name}: {describe(figures)}")
        old = incident_summary(filter_cases(Incident.objects.all(), filters), now=at)
        print(f"  dashboard = old way: {agreement(old, figures, 'old way vs dashboard')}")
        print(f"  dashboard = raw aggregate: {agreement(figures, raw_aggregate(filters, now=at), 'dashboard vs raw')}")
        rows.append((name, timings))

    print(f"\n{'':44} {'dashboard':>21} {'raw SQL':>21} {'old way':>21} {'raw p50 /':>10}")
    print(f"{'':44}" + f" {'cold':>6} {'p50':>6} {'p95':>7}" * 3 + f" {'dash p50':>10}")
    for name, timings in rows:
        cells = "".join(f" {t['cold']:6.0f} {t['p50']:6.1f} {t['p95']:7.1f}" for t in timings.values())
        print(f"{pad(name, 44)}{cells} {timings['raw']['p50'] / timings['dashboard']['p50']:9.1f}x")

    print("\ngoal: dashboard p95 under 150 ms and faster (p50) than the raw aggregate")
    for name, timings in rows:
        dashboard, raw = timings["dashboard"], timings["raw"]
        fast, faster = dashboard["p95"] < 150, dashboard["p50"] < raw["p50"]
        goals.append(fast and faster)
        print(f"  {pad(name, 44)} p95 {dashboard['p95']:.1f} ms {'<' if fast else '>='} 150: {'yes' if fast else 'NO'}; "
              f"p50 {dashboard['p50']:.1f} vs raw {raw['p50']:.1f} ms: {'yes' if faster else 'NO'}")
    print(f"goal {'met' if all(goals) else 'NOT met'} ({sum(goals)} of {len(goals)} scopes)")


if __name__ == "__main__":
    try:
        main()
    finally:
        connections.close_all()
        if OPTIONS.keep:
            print(f"kept the database {DATABASE}")
        else:
            admin_sql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
