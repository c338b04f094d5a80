"""Every read of patrols that depends on who is asking goes through here, and the day's coverage
of each grid that the command centre reads.

A day is a day of the town's clock (TIME_ZONE); a patrol belongs to the day it started.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Avg, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely import STRtree
from shapely.geometry import MultiPolygon, shape

from accounts.models import Role
from govgrid.towntime import day_bounds
from grids.models import Compound, Grid, GridWorker
from incidents.selectors import TOWN_WIDE_ROLES

from .coverage import LocalPlane, reach, share_covered
from .models import Patrol, PatrolCheckin, PatrolPoint

# A day's coverage is kept this long in the cache, under a key that changes with any patrol of
# the day (a late batch) or any grid's boundary: past days are then read, not recomputed.
COVERAGE_CACHE_SECONDS = 7 * 24 * 3600
# Tracks are simplified to this many metres before they are buffered or drawn: the shape of a
# walk along a street, with a fraction of its positions.
SIMPLIFY_METRES = 1.0


# The days a patrol can be asked about: wide enough for any record, narrow enough that a day's
# bounds (and a week before it) stay within the dates Python and the database can hold.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


def patrols_visible_to(user) -> QuerySet[Patrol]:
    """A grid worker sees their own patrols; the command centre, inspectors, officials and
    administrators see every patrol; department members none."""
    patrols = Patrol.objects.select_related("worker", "grid")
    if not user.is_authenticated:
        return patrols.none()
    if user.has_role(*TOWN_WIDE_ROLES):
        return patrols
    if user.role == Role.WORKER:
        return patrols.filter(worker=user)
    return patrols.none()


def patrols_filter(patrols: QuerySet[Patrol], *, day: date | None = None, worker: str | None = None, grid: str | None = None, community: str | None = None) -> QuerySet[Patrol]:
    """Narrowed to the patrols started on a town-local day, of a worker (user name), in a grid
    or a community (codes)."""
    if day:
        start, end = day_bounds(day)
        patrols = patrols.filter(started_at__gte=start, started_at__lt=end)
    if worker:
        patrols = patrols.filter(worker__username=worker)
    if grid:
        patrols = patrols.filter(grid__code=grid)
    if community:
        patrols = patrols.filter(grid__community__code=community)
    return patrols


def with_checkins(patrols: QuerySet[Patrol]) -> QuerySet[Patrol]:
    return patrols.prefetch_related(Prefetch("checkins", queryset=PatrolCheckin.objects.select_related("compound")))


def patrol_get_for_user(*, user, uuid) -> Patrol:
    """One patrol with its check-ins, or 404 if the asker may not see it."""
    patrol = with_checkins(patrols_visible_to(user)).filter(uuid=uuid).first()
    if patrol is None:
        raise Http404(_("No such patrol."))
    return patrol


def patrol_track(patrol: Patrol) -> list[tuple[float, float]]:
    """The patrol's positions in time order, as (latitude, longitude)."""
    return list(patrol.points.order_by("recorded_at").values_list("latitude", "longitude"))


def patrol_tracks(patrol_ids) -> dict[int, list[tuple[float, float]]]:
    """Each patrol's positions in time order, in one query."""
    tracks = defaultdict(list)
    rows = PatrolPoint.objects.filter(patrol_id__in=list(patrol_ids)).order_by("patrol_id", "recorded_at")
    for patrol_id, latitude, longitude in rows.values_list("patrol_id", "latitude", "longitude"):
        tracks[patrol_id].append((latitude, longitude))
    return tracks


def patrol_today(user, *, now: datetime | None = None) -> Patrol | None:
    """The worker's running patrol, else the latest they started today, else None."""
    mine = with_checkins(Patrol.objects.select_related("worker", "grid").filter(worker=user))
    running = mine.filter(ended_at__isnull=True).first()
    if running:
        return running
    start, end = day_bounds(timezone.localdate(now or timezone.now()))
    return mine.filter(started_at__gte=start, started_at__lt=end).order_by("-started_at").first()


def checkin_compounds(user) -> QuerySet[Compound]:
    """The compounds a grid worker may check in at: those of their grids."""
    return Compound.objects.filter(grid__workers__user=user).select_related("grid").order_by("grid__code", "name")


def workers_without_patrol(day: date, *, grids=None) -> list[GridWorker]:
    """The active grid workers serving a grid (of `grids`, if given) who started no patrol on
    the day, each with their grids."""
    start, end = day_bounds(day)
    patrolled = Patrol.objects.filter(started_at__gte=start, started_at__lt=end).values("worker_id")
    workers = GridWorker.objects.filter(user__is_active=True, user__role=Role.WORKER, grids__isnull=False).exclude(user_id__in=patrolled)
    if grids is not None:
        workers = workers.filter(grids__in=grids)
    workers = workers.select_related("user").prefetch_related(Prefetch("grids", queryset=Grid.objects.order_by("code")))
    return list(workers.distinct().order_by("user__username"))


def coverage_by_worker(first_day: date, last_day: date, workers=None) -> dict[int, float]:
    """Each grid worker's average patrol coverage from `first_day` to `last_day` (town days), 0 to
    100, by user id: the mean of Patrol.coverage over the patrols they started in those days
    that have one (a patrol whose positions have not arrived has none). Days without a patrol
    are not counted: it says how fully a worker walks their grid when they patrol, not how often
    (workers_without_patrol tells that). Workers with no such patrol are left out; `workers`
    (user ids) narrows it to those."""
    start, _ = day_bounds(first_day)
    _, end = day_bounds(last_day)
    patrols = Patrol.objects.filter(started_at__gte=start, started_at__lt=end, coverage__isnull=False)
    if workers is not None:
        patrols = patrols.filter(worker__in=list(workers))
    averages = patrols.order_by().values_list("worker").annotate(average=Avg("coverage"))
    return {worker: round(average * 100, 1) for worker, average in averages}


@dataclass
class GridDay:
    """A grid on a day: the share of its area within reach of any track that day (whoever
    walked it), who walked in it, how many patrols, and the metres walked inside it."""

    grid: Grid
    day: date
    coverage: float = 0.0
    workers: list = field(default_factory=list)  # display names
    patrols: int = 0
    distance_m: float = 0.0


def coverage_by_grid_and_day(date_from: date, date_to: date, grids=None) -> list[GridDay]:
    """Each grid (of `grids`, else every grid) on each day from `date_from` to `date_to`, by
    grid code then day. Coverage is geometric: the union of all the day's tracks, so a grid
    walked by a neighbour's patrol, or by a worker whose patrol counts in their other grid, is
    covered as it was walked. A patrol with no positions yet counts in its own grid.

    Queries: the grids, the patrols, and the positions of the days not in the cache.
    """
    all_grids = list(Grid.objects.select_related("community").order_by("code"))
    wanted_ids = None if grids is None else {grid.pk for grid in grids}
    wanted = [grid for grid in all_grids if wanted_ids is None or grid.pk in wanted_ids]
    start, _ = day_bounds(date_from)
    _, end = day_bounds(date_to)
    patrols = list(Patrol.objects.select_related("worker").filter(started_at__gte=start, started_at__lt=end).order_by("pk"))
    by_day = defaultdict(list)
    for patrol in patrols:
        by_day[timezone.localdate(patrol.started_at)].append(patrol)
    grids_version = _grids_version(all_grids)
    days = [date_from + timedelta(days=n) for n in range((date_to - date_from).days + 1)]
    keys = {day: _day_key(day, by_day[day], grids_version) for day in days}
    known = cache.get_many(list(keys.values()))
    missing = [day for day in days if keys[day] not in known and by_day[day]]
    if missing:
        tracks = patrol_tracks(patrol.pk for day in missing for patrol in by_day[day])
        for day in missing:
            known[keys[day]] = _day_coverage(all_grids, by_day[day], tracks)
        cache.set_many({keys[day]: known[keys[day]] for day in missing}, COVERAGE_CACHE_SECONDS)
    names = {patrol.worker_id: patrol.worker.display_name for patrol in patrols}
    result = []
    for grid in wanted:
        for day in days:
            figures = known.get(keys[day], {}).get(grid.pk)
            if figures is None:
                result.append(GridDay(grid=grid, day=day))
                continue
            coverage, worker_ids, count, distance = figures
            result.append(
                GridDay(grid=grid, day=day, coverage=coverage, workers=sorted({names[pk] for pk in worker_ids}), patrols=count, distance_m=distance)
            )
    return result


def _grids_version(grids: list[Grid]) -> str:
    latest = max((grid.updated_at for grid in grids), default=None)
    return f"{len(grids)}.{max((grid.pk for grid in grids), default=0)}.{latest.timestamp() if latest else 0}"


def _day_key(day: date, patrols: list[Patrol], grids_version: str) -> str:
    signature = ";".join(f"{patrol.pk}.{patrol.updated_at.timestamp()}" for patrol in patrols)
    digest = hashlib.sha256(f"{grids_version}|{settings.PATROL_COVERAGE_METRES}|{signature}".encode()).hexdigest()[:32]
    return f"patrols:coverage:{day.isoformat()}:{digest}"


def _day_coverage(grids: list[Grid], patrols: list[Patrol], tracks: dict) -> dict[int, tuple]:
    """{grid id: (coverage, worker ids, patrol count, metres walked inside)} for the grids any of
    the day's patrols touched, all projected on one plane around the town."""
    areas = [shape(grid.boundary) for grid in grids]
    plane = LocalPlane.around(MultiPolygon([polygon for area in areas for polygon in getattr(area, "geoms", [area])]))
    projected = [plane.project(area) for area in areas]
    lines = {patrol.pk: plane.track(tracks.get(patrol.pk, [])) for patrol in patrols}
    lines = {pk: line.simplify(SIMPLIFY_METRES) for pk, line in lines.items() if line is not None}
    reached = {pk: reach(line) for pk, line in lines.items()}
    order = list(reached)
    tree = STRtree([reached[pk] for pk in order])
    by_pk = {patrol.pk: patrol for patrol in patrols}
    figures = {}
    for grid, area in zip(grids, projected):
        near = [order[i] for i in tree.query(area, predicate="intersects")] if order else []
        # In it, not along its edge: the interiors meet (a track ending on the border walked the other grid).
        walked = [pk for pk in near if lines[pk].relate_pattern(area, "T********")]
        own_without_track = [patrol.pk for patrol in patrols if patrol.grid_id == grid.pk and patrol.pk not in lines]
        if not near and not own_without_track:
            continue
        figures[grid.pk] = (
            share_covered(area, [reached[pk] for pk in near]),
            sorted({by_pk[pk].worker_id for pk in walked + own_without_track}),
            len(walked) + len(own_without_track),
            sum(lines[pk].intersection(area).length for pk in walked),
        )
    return figures
