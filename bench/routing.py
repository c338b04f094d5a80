"""How fast a report finds its grid and is saved, on the demo town (80 grids).

    .venv/bin/python bench/routing.py [points]

Prints the spatial index's lookups per second against a plain scan of every polygon, measured
in the same run (compare the ratio: the machine is shared), and the reports per second that
`incident_report` saves on the embedded SQLite database. Uses a throwaway data directory.
"""

import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["GOVGRID_DATA_DIR"] = tempfile.mkdtemp(prefix="govgrid-bench-")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govgrid.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from shapely.geometry import Point, shape  # noqa: E402

from accounts.models import User  # noqa: E402
from grids.models import Grid  # noqa: E402
from grids.spatial import grid_index, locate_grid  # noqa: E402
from incidents.models import Category  # noqa: E402
from incidents.outbox import dispatch_held  # noqa: E402
from incidents.services import incident_report  # noqa: E402


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}/s"


def main(points: int) -> None:
    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--incidents-per-day", "0", verbosity=0, stdout=io.StringIO())
    rng = random.Random(1)
    west, south, east, north = 119.33, 34.07, 119.37, 34.11
    positions = [(rng.uniform(south, north), rng.uniform(west, east)) for _ in range(points)]

    index = grid_index()
    started = time.perf_counter()
    indexed = [index.locate(latitude=lat, longitude=lon) for lat, lon in positions]
    index_seconds = time.perf_counter() - started

    polygons = [(grid.pk, grid.code, shape(grid.boundary)) for grid in Grid.objects.all()]
    started = time.perf_counter()
    scanned = []
    for lat, lon in positions:
        point = Point(lon, lat)
        hits = [(code, pk) for pk, code, polygon in polygons if polygon.covers(point)]
        scanned.append(min(hits)[1] if hits else None)
    scan_seconds = time.perf_counter() - started
    assert indexed == scanned, "the index and the scan disagree"

    started = time.perf_counter()
    for lat, lon in positions[:200]:
        locate_grid(latitude=lat, longitude=lon)
    lookup_seconds = time.perf_counter() - started

    worker = User.objects.get(username="worker01")
    category = Category.objects.get(code="0101")
    reports = min(points, 500)
    started = time.perf_counter()
    with dispatch_held():
        for lat, lon in positions[:reports]:
            incident_report(reporter=worker, category=category, description="bench", latitude=lat, longitude=lon)
    report_seconds = time.perf_counter() - started

    print(f"grids: {len(polygons)}, points: {points}, inside a grid: {sum(1 for hit in indexed if hit)}")
    print(f"STRtree lookup:           {rate(points, index_seconds)}")
    print(f"scan of every polygon:    {rate(points, scan_seconds)}")
    print(f"index / scan speed-up:    {scan_seconds / index_seconds:.1f}x")
    print(f"locate_grid (with its version query and the grid fetch): {rate(200, lookup_seconds)}")
    print(f"incident_report on SQLite (route, deadline, event, one transaction each): {rate(reports, report_seconds)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
