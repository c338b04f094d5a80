"""The demo town's patrols: each grid worker's last few working days, and this morning's patrols
still running, made through the services as the phones would have sent them.

Kept small so the seed stays quick: a walk of two to four kilometres with a fix every 40 m
(thinned already, as a phone's track is after the server's thinning), one batch, a check-in or
two at the compounds on the way. Workers serving several grids leave the grid to their first
position, as the phone does.
"""

import math
import random
import uuid
from datetime import datetime, time, timedelta

from django.db.models import Prefetch
from django.utils import timezone
from shapely.geometry import Point, shape

from grids.models import Compound, Grid, GridWorker
from grids.spatial import metres_between
from incidents.timelimits import WorkingCalendar

from . import services

WORKING_DAYS = 3  # before today
PATROLLED = 0.9  # of the workers, on a working day
THIS_MORNING = 0.6  # of the workers, out already when the demo is seeded after 09:00
STEP_METRES = 40
WALKING_SPEED = 0.7  # metres a second, stops to look and talk included
WAYPOINTS = (8, 14)
GPS_NOISE_DEGREES = 0.00002  # about 2 m
CHECKINS = (0, 2)


def build(*, rng: random.Random, now: datetime, working_days: int = WORKING_DAYS) -> dict[str, int]:
    """Patrols for the `working_days` working days before today, and today's since 08:30."""
    today = timezone.localdate(now)
    calendar = WorkingCalendar.load(today - timedelta(days=30), days=31)
    days = []
    day = today - timedelta(days=1)
    while len(days) < working_days:
        if calendar.is_working_day(day):
            days.append(day)
        day -= timedelta(days=1)
    compounds = Prefetch("compounds", queryset=Compound.objects.order_by("name"))
    workers = list(
        GridWorker.objects.filter(user__is_active=True, grids__isnull=False).distinct()
        .select_related("user").prefetch_related(Prefetch("grids", queryset=Grid.objects.order_by("code").prefetch_related(compounds)))
        .order_by("user__username")
    )
    made = {"patrols": 0, "points": 0, "checkins": 0}
    for day in reversed(days):
        for worker in workers:
            if rng.random() < PATROLLED:
                afternoon = rng.random() < 0.3
                begin = _at(day, time(14, 0) if afternoon else time(8, 30)) + timedelta(minutes=rng.uniform(0, 90))
                _patrol(rng, worker, begin, now=now, made=made)
    if calendar.is_working_day(today):
        for worker in workers:
            begin = _at(today, time(8, 30)) + timedelta(minutes=rng.uniform(0, 30))
            if begin + timedelta(minutes=5) < now and rng.random() < THIS_MORNING:
                _patrol(rng, worker, begin, now=now, made=made)
    return made


def _at(day, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


def _patrol(rng: random.Random, worker: GridWorker, begin: datetime, *, now: datetime, made: dict) -> None:
    grids = list(worker.grids.all())
    grid = rng.choice(grids)
    area = shape(grid.boundary)
    stops = [_inside(rng, area) for _ in range(rng.randint(*WAYPOINTS))]
    visits = rng.sample(list(grid.compounds.all()), min(rng.randint(*CHECKINS), len(grid.compounds.all())))
    for compound in visits:
        stops.insert(rng.randint(1, len(stops)), (compound.latitude, compound.longitude))
    fixes, passing = _walk(rng, stops, begin)
    planned_end = fixes[-1][0]
    sent = [fix for fix in fixes if fix[0] <= now]  # today's, as far as the walk has got
    user = worker.user
    patrol, _ = services.patrol_start(worker=user, uuid=uuid.UUID(int=rng.getrandbits(128), version=4), started_at=begin, now=begin)
    last = sent[-1][0]
    points = [{"t": round(at.timestamp() * 1000), "lat": lat, "lng": lng, "accuracy": round(rng.uniform(4, 20), 1)} for at, lat, lng in sent]
    made["points"] += services.patrol_add_points(worker=user, uuid=patrol.uuid, points=points, now=last)["accepted"]
    for compound in visits:
        at = passing[compound.latitude, compound.longitude]
        if at <= now:
            services.patrol_checkin(
                worker=user, uuid=patrol.uuid, checkin_uuid=uuid.UUID(int=rng.getrandbits(128), version=4), compound_id=compound.pk,
                latitude=compound.latitude + rng.uniform(-1, 1) * 0.0002, longitude=compound.longitude + rng.uniform(-1, 1) * 0.0002,
                at=at, now=at,
            )
            made["checkins"] += 1
    if planned_end <= now:
        services.patrol_stop(worker=user, uuid=patrol.uuid, ended_at=planned_end, now=planned_end)
    made["patrols"] += 1


def _inside(rng: random.Random, area) -> tuple[float, float]:
    west, south, east, north = area.bounds
    while True:
        longitude, latitude = rng.uniform(west, east), rng.uniform(south, north)
        if area.contains(Point(longitude, latitude)):
            return latitude, longitude


def _walk(rng: random.Random, stops: list[tuple[float, float]], begin: datetime):
    """Fixes every STEP_METRES along straight legs between the stops, with GPS noise, at walking
    pace; and when each stop was passed."""
    fixes = [(begin, *stops[0])]
    passing = {stops[0]: begin}
    at = begin
    for (lat1, lng1), (lat2, lng2) in zip(stops, stops[1:]):
        length = metres_between((lat1, lng1), (lat2, lng2))
        steps = max(1, math.ceil(length / STEP_METRES))
        for n in range(1, steps + 1):
            at += timedelta(seconds=length / steps / WALKING_SPEED)
            noise = (0, 0) if n == steps else (rng.gauss(0, GPS_NOISE_DEGREES), rng.gauss(0, GPS_NOISE_DEGREES))
            fixes.append((at, lat1 + (lat2 - lat1) * n / steps + noise[0], lng1 + (lng2 - lng1) * n / steps + noise[1]))
        passing[(lat2, lng2)] = at
    return fixes, passing
