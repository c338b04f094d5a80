"""How fast the command centre's console answers with a large town: 10,000 open cases and a
year of closed ones, on SQLite, and on PostgreSQL with --postgres.

    .venv/bin/python bench/console.py [--postgres] [--open 10000] [--closed-per-day 15] [--repeat 15]

For each page or fragment it prints the server time (the whole Django request, in process:
middleware, queries, templates; no network) beside the bare selector query the page is built
on, measured in the same run, and the statements each sent. The machine is shared and noisy:
read the ratios, and compare runs made one after the other.

The demo town (grids, people, categories) comes from `seed_demo --incidents-per-day 0`; the
cases are written in bulk by this script, because what is measured here is reading them (the
services' cost of writing is `bench/loop.py`'s). Uses a throwaway data directory, and with
--postgres a throwaway database `govgrid_bench` on 127.0.0.1.
"""

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ARGS = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ARGS.add_argument("--postgres", action="store_true", help="measure on PostgreSQL (database govgrid_bench on 127.0.0.1)")
ARGS.add_argument("--open", type=int, default=10_000, help="open cases (default 10,000)")
ARGS.add_argument("--closed-per-day", type=int, default=15, help="closed cases a day over the past year (default 15)")
ARGS.add_argument("--repeat", type=int, default=15, help="times each request is measured (default 15)")
OPTIONS = ARGS.parse_args()

os.environ["GOVGRID_DATA_DIR"] = tempfile.mkdtemp(prefix="govgrid-bench-")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govgrid.settings")
os.environ.pop("REDIS_URL", None)
if OPTIONS.postgres:
    import psycopg2

    admin = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("DROP DATABASE IF EXISTS govgrid_bench WITH (FORCE)")
        cursor.execute("CREATE DATABASE govgrid_bench")
    os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/govgrid_bench"
else:
    os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Department, Role, User  # noqa: E402
from grids.models import Grid  # noqa: E402
from incidents.models import Category, Incident, IncidentStage  # noqa: E402
from incidents.selectors import QUEUES, incidents_filter, incidents_sorted, incidents_visible_to, light_code, queue_counts  # noqa: E402
from incidents.workflow import STAGE_OF, Closure, Stage, Status  # noqa: E402

settings.ALLOWED_HOSTS = ["*"]
BATCH = 2_000
# The open cases, by status, roughly as a busy command centre holds them.
OPEN_MIX = [(Status.REPORTED, 10), (Status.ACCEPTED, 5), (Status.ASSIGNED, 55), (Status.HANDLED, 15), (Status.INSPECTED, 10), (Status.SUSPENDED, 5)]


def point_in(grid) -> tuple[float, float]:
    ring = grid.boundary["coordinates"][0]
    lngs, lats = [p[0] for p in ring], [p[1] for p in ring]
    return random.uniform(min(lats), max(lats)), random.uniform(min(lngs), max(lngs))


def build_town(open_cases: int, closed_per_day: int) -> None:
    random.seed(7)
    now = timezone.now()
    grids = list(Grid.objects.all())
    categories = list(Category.objects.filter(parent__isnull=False))
    workers = list(User.objects.filter(role=Role.WORKER))
    departments = list(Department.objects.all())
    statuses = [status for status, weight in OPEN_MIX for _ in range(weight)]
    cases = []
    serial = 0

    def case(**fields) -> Incident:
        nonlocal serial
        serial += 1
        grid = random.choice(grids)
        latitude, longitude = point_in(grid)
        reported_at = fields.pop("reported_at")
        by_department = random.random() < 0.4
        return Incident(
            code=f"{timezone.localtime(reported_at):%Y%m%d}{serial:06d}", category=random.choice(categories),
            description=f"第{serial}号 路边垃圾堆积", latitude=latitude, longitude=longitude, address=f"新安镇{serial}号",
            grid=grid, reporter=random.choice(workers), reported_at=reported_at,
            assignee=None if by_department else random.choice(workers),
            assigned_department=random.choice(departments) if by_department else None, **fields,
        )

    for _ in range(open_cases):
        reported_at = now - timedelta(minutes=random.uniform(5, 30 * 24 * 60))
        # Deadlines around now, so the lights are mixed: about a fifth late, a tenth warned.
        deadline = now + timedelta(hours=random.uniform(-24, 96))
        cases.append(case(status=random.choice(statuses), reported_at=reported_at, deadline=deadline, warn_at=deadline - timedelta(hours=10)))
    for day in range(365):
        for _ in range(closed_per_day):
            reported_at = now - timedelta(days=day + 1, minutes=random.uniform(0, 24 * 60))
            deadline = reported_at + timedelta(days=2)
            closed_at = reported_at + timedelta(hours=random.uniform(2, 60))
            status = random.choices([Status.CLOSED, Status.REJECTED, Status.MERGED], weights=[96, 2, 2])[0]
            closure = (Closure.NORMAL if closed_at <= deadline else Closure.OVERDUE) if status == Status.CLOSED else ""
            cases.append(case(status=status, reported_at=reported_at, deadline=deadline, warn_at=deadline - timedelta(hours=10),
                              closed_at=closed_at if status == Status.CLOSED else None, closure=closure))
    with transaction.atomic():
        Incident.objects.bulk_create(cases, batch_size=BATCH)
        live = list(Incident.objects.filter(status__in=Status.OPEN).only("pk", "status", "reported_at", "deadline", "warn_at"))
        stages = [
            IncidentStage(
                incident_id=incident.pk, stage=STAGE_OF.get(incident.status, Stage.HANDLE), started_at=incident.reported_at,
                limit=120, unit="working_minutes", deadline=incident.deadline, warn_at=incident.warn_at,
                escalated_at=incident.deadline if incident.deadline < now and random.random() < 0.5 else None,
            )
            for incident in live
        ]
        IncidentStage.objects.bulk_create(stages, batch_size=BATCH)
        for stage in IncidentStage.objects.only("pk", "incident_id").iterator(chunk_size=BATCH):
            Incident.objects.filter(pk=stage.incident_id).update(current_stage_id=stage.pk)


def measure(call, repeat: int) -> tuple[float, float, int]:
    """Median and 90th-percentile milliseconds, and the statements of one call."""
    call()  # warm: templates compiled, caches filled
    times, statements = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
        statements = len(queries.captured_queries)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.9) - 1)], statements


def page(client, path):
    def get():
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response
    return get


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--incidents-per-day", "0", verbosity=0, stdout=io.StringIO())
    started = time.perf_counter()
    build_town(OPTIONS.open, OPTIONS.closed_per_day)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    dispatcher = User.objects.get(username="dispatcher")
    department_member = User.objects.filter(role=Role.DEPARTMENT, is_department_head=False).first()
    total, live_now = Incident.objects.count(), Incident.objects.filter(status__in=Status.LIVE).count()
    print(f"{connection.vendor}: {total:,} cases, {live_now:,} live (built in {time.perf_counter() - started:.1f} s); "
          f"median and p90 of {OPTIONS.repeat} requests, in ms")

    client = Client()
    client.force_login(dispatcher)
    newest = Incident.objects.order_by("-pk").values_list("pk", flat=True).first()
    now = timezone.now()
    visible = incidents_visible_to(dispatcher)
    rows = []

    def row(name, call, bare=None):
        median, p90, statements = measure(call, OPTIONS.repeat)
        bare_median = measure(bare, OPTIONS.repeat)[0] if bare else None
        rows.append((name, median, p90, statements, bare_median))

    row("list page, all cases", page(client, "/console/"),
        bare=lambda: (list(incidents_sorted(visible, "-reported_at", now=now)[:50]), visible.count()))
    row("list page, overdue by light", page(client, "/console/?queue=overdue&sort=light"),
        bare=lambda: list(incidents_sorted(visible.filter(QUEUES["overdue"][1](now)), "light", now=now)[:50]))
    row("list page, text search", page(client, "/console/?q=%E5%9E%83%E5%9C%BE&sort=deadline"),
        bare=lambda: (list(incidents_sorted(incidents_filter(visible, text="垃圾"), "deadline", now=now)[:50]),
                      incidents_filter(visible, text="垃圾").count()))
    row("all queue counts (one query)", lambda: queue_counts(visible, now=now))
    for name, (_label, test) in QUEUES.items():
        row(f"  queue count: {name}", lambda test=test: visible.filter(test(now)).count())
    row("map data, live cases", page(client, "/console/map/cases/"),
        bare=lambda: list(visible.filter(status__in=Status.LIVE).annotate(light=light_code(now)).values_list(
            "pk", "latitude", "longitude", "light", "code", "category__name", "status")))
    row("map page", page(client, "/console/map/"))
    row("live update (every 5 s)", page(client, f"/console/live/?since={newest}&rows=1"))
    sample = Incident.objects.filter(status=Status.ASSIGNED).order_by("-pk").first()
    row("case page", page(client, f"/console/cases/{sample.pk}/"))
    if department_member:
        member = Client()
        member.force_login(department_member)
        row(f"list page as a department member ({department_member.department.code})", page(member, "/console/"))

    print(f"  {'':52} {'median':>8} {'p90':>8} {'stmts':>6} {'bare query':>11} {'ratio':>6}")
    for name, median, p90, statements, bare in rows:
        bare_text = f"{bare:11.1f} {median / bare:6.1f}" if bare else f"{'':11} {'':6}"
        flag = "  over 300 ms" if median > 300 else ""
        print(f"  {name:52} {median:8.1f} {p90:8.1f} {statements:6d} {bare_text}{flag}")


if __name__ == "__main__":
    main()
