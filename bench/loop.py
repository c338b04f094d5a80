"""What each step of the loop costs: SQL statements and milliseconds per action, on the demo
town and the embedded SQLite database.

    .venv/bin/python bench/loop.py [cases]

Drives `cases` reports (default 300) through accept → assign → request and approve an
extension → handle → inspect → close, then a second set through return, suspend and resume,
each through its service, and prints per action the statements it sent (the same every time
for a given path) and the median and 90th-percentile time. Times move with the machine, which
is shared; compare actions within one run, and statements across runs. Uses a throwaway data
directory.
"""

import io
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["GOVGRID_DATA_DIR"] = tempfile.mkdtemp(prefix="govgrid-bench-")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govgrid.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Department, User  # noqa: E402
from incidents import services  # noqa: E402
from incidents.models import Category  # noqa: E402
from incidents.outbox import dispatch_held  # noqa: E402

costs: dict[str, list[tuple[int, float]]] = defaultdict(list)


def timed(action: str, call):
    connection.queries_log.clear()  # the log keeps 9,000 statements at most
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = call()
        seconds = time.perf_counter() - started
    # BEGIN and COMMIT (or SAVEPOINT and RELEASE) are statements too.
    costs[action].append((len(queries.captured_queries), seconds * 1000))
    return result


def main(cases: int) -> None:
    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--incidents-per-day", "0", verbosity=0, stdout=io.StringIO())
    dispatcher, official = User.objects.get(username="dispatcher"), User.objects.get(username="official")
    inspector, worker = User.objects.get(username="inspector"), User.objects.get(username="worker01")
    department = Department.objects.get(code="CG")
    clerk = department.members.filter(is_department_head=False).first()
    category = Category.objects.filter(parent__isnull=False, time_unit="working_hours").first()
    grid = worker.grid_worker.grids.first()
    latitude, longitude = grid.boundary["coordinates"][0][0][1] + 0.0005, grid.boundary["coordinates"][0][0][0] + 0.0005
    with dispatch_held():
        for n in range(cases):
            report = {"reporter": worker, "category": category, "description": f"第{n}号", "latitude": latitude, "longitude": longitude}
            incident, _ = timed("report", lambda: services.incident_report(**report))
            common = {"incident_id": incident.pk}
            if n % 2 == 0:
                timed("accept", lambda: services.incident_accept(**common, actor=dispatcher))
                timed("assign", lambda: services.incident_assign(**common, actor=dispatcher, assignee=worker))
                until = timezone.now() + timedelta(days=5)
                timed("request_extension", lambda: services.incident_request_extension(**common, actor=worker, reason="需配件", until=until))
                timed("approve_extension", lambda: services.incident_decide_extension(**common, actor=dispatcher, approve=True))
                timed("handle", lambda: services.incident_handle(**common, actor=worker, note="已处理"))
                timed("inspect", lambda: services.incident_inspect(**common, actor=inspector, passed=True))
                timed("close", lambda: services.incident_close(**common, actor=dispatcher))
            else:
                timed("assign straight from the report", lambda: services.incident_assign(**common, actor=dispatcher, department=department))
                timed("return", lambda: services.incident_return(**common, actor=clerk, reason="不属本单位"))
                timed("assign", lambda: services.incident_assign(**common, actor=dispatcher, assignee=worker))
                review_on = timezone.localdate() + timedelta(days=30)
                timed("suspend", lambda: services.incident_suspend(**common, actor=dispatcher, reason="需立项", review_on=review_on))
                timed("resume", lambda: services.incident_resume(**common, actor=dispatcher))
                timed("card", lambda: services.incident_card(**common, actor=official, level="yellow", note="督办"))
    print(f"{cases} cases on {connection.vendor}; statements (BEGIN and COMMIT included) and milliseconds per action:")
    for action, samples in costs.items():
        statements = sorted({count for count, _ in samples})
        times = sorted(ms for _, ms in samples)
        p90 = times[int(len(times) * 0.9) - 1] if len(times) >= 10 else times[-1]
        shown = statements[0] if len(statements) == 1 else f"{statements[0]}–{statements[-1]}"
        print(f"  {action:32} {shown!s:>6} statements  median {statistics.median(times):6.2f} ms  p90 {p90:6.2f} ms  (n={len(times)})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
