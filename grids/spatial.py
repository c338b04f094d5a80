"""Which grid a position lies in, through an STRtree kept per process.

The tree is rebuilt when boundaries change: its version is the grid count, the highest id and
the latest `updated_at`, one cheap query that every process can read, so a boundary edited in
the admin, a grid added or one deleted reaches the web processes and the Celery workers alike.
"""

import threading
from dataclasses import dataclass

from django.db.models import Count, Max
from shapely import STRtree
from shapely.geometry import Point, shape

from .models import Grid


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


def locate_grid(*, latitude: float, longitude: float) -> Grid | None:
    grid_id = locate_grid_id(latitude=latitude, longitude=longitude)
    # None too if the grid was deleted since the index was read: the case is left unrouted.
    return Grid.objects.select_related("community").filter(pk=grid_id).first() if grid_id else None
