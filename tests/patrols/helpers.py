"""Tracks as a phone would send them, and patrols made through the real services."""

import math
import uuid
from datetime import datetime, timedelta

from grids.spatial import EARTH_RADIUS_METRES
from patrols import services
from patrols.models import Patrol

# Grid A of tests/conftest.py is the square 119.34–119.35 E × 34.08–34.09 N.
MIDDLE_OF_A = 34.085
WEST_OF_A, EAST_OF_A = 119.34, 119.35
# The grid's height and width in metres, as the coverage's projection measures them.
A_HEIGHT_M = EARTH_RADIUS_METRES * math.radians(0.01)
A_WIDTH_M = EARTH_RADIUS_METRES * math.radians(0.01) * math.cos(math.radians(MIDDLE_OF_A))


def ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


def fix(moment: datetime, latitude: float, longitude: float, accuracy: float = 8.0) -> dict:
    return {"t": ms(moment), "lat": latitude, "lng": longitude, "accuracy": accuracy}


def walk(start: datetime, frm: tuple[float, float], to: tuple[float, float], *, steps: int, seconds_apart: float = 15) -> list[dict]:
    """steps + 1 fixes evenly spaced from `frm` to `to` (latitude, longitude), both included."""
    return [
        fix(
            start + timedelta(seconds=n * seconds_apart),
            frm[0] + (to[0] - frm[0]) * n / steps,
            frm[1] + (to[1] - frm[1]) * n / steps,
        )
        for n in range(steps + 1)
    ]


def across_a(start: datetime, *, steps: int = 50) -> list[dict]:
    """West to east along the middle of grid A, edge to edge: about 921 m in 50 steps of 18 m."""
    return walk(start, (MIDDLE_OF_A, WEST_OF_A), (MIDDLE_OF_A, EAST_OF_A), steps=steps)


def start(worker, at: datetime, *, now: datetime | None = None, **extra) -> Patrol:
    patrol, created = services.patrol_start(worker=worker, uuid=uuid.uuid4(), started_at=at, now=now or at, **extra)
    assert created
    return patrol


def patrol_with(worker, points: list[dict], *, at: datetime, stop: bool = True) -> Patrol:
    """A patrol started at `at` with these fixes, stopped at its last fix unless told otherwise."""
    patrol = start(worker, at)
    last = at + timedelta(milliseconds=max((p["t"] for p in points), default=ms(at)) - ms(at))
    services.patrol_add_points(worker=worker, uuid=patrol.uuid, points=points, now=last)
    if stop:
        services.patrol_stop(worker=worker, uuid=patrol.uuid, ended_at=last, now=last)
    patrol.refresh_from_db()
    return patrol
