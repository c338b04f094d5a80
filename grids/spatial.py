"""Which grid a position lies in, through an STRtree kept per process.

The tree is rebuilt when boundaries change: its version is the grid count, the highest id and
the latest `updated_at`, one cheap query that every process can read, so a boundary edited in
the admin, a grid added or one deleted reaches the web processes and the Celery workers alike.
"""

import math
import threading
from dataclasses import dataclass

import shapely
from django.conf import settings
from django.db.models import Count, Max
from django.utils.translation import gettext as _
from shapely import STRtree
from shapely.geometry import Point, shape

from .models import Grid

EARTH_RADIUS_METRES = 6_371_008.8  # the mean radius (IUGG)


def metres_between(start: tuple[float, float], end: tuple[float, float]) -> float:
    """The great-circle (haversine) distance in metres between two (latitude, longitude)
    positions."""
    lat1, lng1, lat2, lng2 = map(math.radians, (*start, *end))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_METRES * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class GridIndex:
    version: tuple
    grid_ids: list[int]
    codes: list[str]
    tree: STRtree

    def locate(self, *, latitude: float, longitude: float) -> int | None:
        """The grid covering the position; on a shared border, the one with the lowest code."""
        hits = self.tree.query(Point(longitude, latitude), predicate="covered_by")
        if len(hits) == 0:
            return None
        best = min(hits, key=lambda i: self.codes[i])
        return self.grid_ids[best]

    def metres_from_grids(self, *, latitude: float, longitude: float) -> float | None:
        """How far the position lies from the nearest grid on the ground: 0 inside one, None
        when there are no grids.

        The tree measures in degrees, and a degree of longitude is shorter than one of latitude
        (by the cosine of the latitude), so the grid nearest in degrees need not be nearest on
        the ground. Every grid that could be is measured, in a plane laid flat at the position
        (equirectangular: well under 1 % off for the tens of kilometres that matter here).
        """
        if not self.grid_ids:
            return None
        point = Point(longitude, latitude)
        _indices, distances = self.tree.query_nearest(point, return_distance=True)
        degrees = distances[0]
        if degrees == 0:
            return 0.0
        shrink = max(math.cos(math.radians(latitude)), 0.01)  # 0.01: the poles, where a degree of longitude is nothing
        candidates = self.tree.query(point, predicate="dwithin", distance=degrees / shrink)
        metres_per_degree = math.radians(1) * EARTH_RADIUS_METRES
        scale = [shrink * metres_per_degree, metres_per_degree]
        flat = shapely.transform(self.tree.geometries.take(candidates), lambda xy: (xy - [longitude, latitude]) * scale)
        return float(shapely.distance(flat, Point(0, 0)).min())


_lock = threading.Lock()
_index: GridIndex | None = None


def _current_version() -> tuple:
    summary = Grid.objects.aggregate(count=Count("id"), highest=Max("id"), latest=Max("updated_at"))
    return (summary["count"], summary["highest"], summary["latest"])


def _build(version: tuple) -> GridIndex:
    rows = list(Grid.objects.values_list("id", "code", "boundary"))
    return GridIndex(
        version=version,
        grid_ids=[row[0] for row in rows],
        codes=[row[1] for row in rows],
        tree=STRtree([shape(row[2]) for row in rows]),
    )


def grid_index() -> GridIndex:
    global _index
    version = _current_version()
    with _lock:
        if _index is None or _index.version != version:
            _index = _build(version)
        return _index


def locate_grid_id(*, latitude: float, longitude: float) -> int | None:
    """The id of the grid covering the position, with no query beyond the index's version."""
    return grid_index().locate(latitude=latitude, longitude=longitude)


def validate_near_grids(*, latitude: float, longitude: float, index: GridIndex | None = None) -> dict[str, str]:
    """A field message for a position too far from every grid to be the town's: a slip of the
    map or a phone's stale GPS fix, which nobody in the command centre could route. One just
    outside the grids is taken (a town's edge is fuzzy) and routed by hand. With no grids at
    all (a town being set up) every position is taken. `index`: the one the caller holds."""
    metres = (index or grid_index()).metres_from_grids(latitude=latitude, longitude=longitude)
    if metres is None or metres <= settings.REPORT_MAX_METRES_OUTSIDE:
        return {}
    kilometres = f"{metres / 1000:.0f}" if metres >= 10_000 else f"{metres / 1000:.1f}"
    return {"latitude": _("This position is %(km)s km from the town's nearest grid; check the location.") % {"km": kilometres}}


def locate_grid(*, latitude: float, longitude: float) -> Grid | None:
    grid_id = locate_grid_id(latitude=latitude, longitude=longitude)
    # None too if the grid was deleted since the index was read: the case is left unrouted.
    return Grid.objects.select_related("community").filter(pk=grid_id).first() if grid_id else None
