"""Every write to a patrol goes through here.

A phone makes each patrol's and each check-in's UUID and keeps what it could not send, so every
call may come twice, late, or out of order: a repeated start, batch, stop or check-in changes
nothing the second time. Each change runs in one transaction with the patrol's row locked (a
start locks the worker's row: there is no patrol yet) and writes a PatrolEvent. Position batches
are data, not changes of state: they update the patrol's figures without an event row.

`now` is the server's clock, given only when loading history (the demo town).
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from uuid import UUID

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _, ngettext
from shapely.geometry import Point, shape

from accounts.models import Role
from accounts.services import notification_create
from grids.geojson import validate_position
from grids.models import Grid
from incidents.errors import Conflict, InvalidInput, Missing, NotAllowed
from incidents.timelimits import WorkingCalendar

from govgrid.towntime import day_bounds, town_minute
from grids.selectors import grids_of
from grids.spatial import metres_between

from .coverage import grid_coverage, track_length_m
from .models import Patrol, PatrolCheckin, PatrolEvent, PatrolPoint, PatrolReminder
from .selectors import checkin_compounds, workers_without_patrol

User = get_user_model()

# A phone's clock may run this far ahead of the server's.
CLOCK_SLACK = timedelta(minutes=5)
# A patrol may reach the server this long after it started (kept on a phone with no signal).
START_MAX_AGE = timedelta(hours=24)
# A position may be this far ahead of the start the phone sent (its first fix came first).
BEFORE_START_SLACK = timedelta(minutes=1)
# Field messages for at most this many bad positions in one answer.
MAX_POINT_ERRORS = 20
# A position's keys as the phone sends them.
WIRE_NAMES = {"latitude": "lat", "longitude": "lng"}


def _iso(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat()


def _record(*, patrol: Patrol, action: str, actor, at: datetime, data: dict | None = None) -> PatrolEvent:
    return PatrolEvent.objects.create(patrol=patrol, action=action, actor=actor, at=at, data=data or {})


def patrol_check_worker(*, worker) -> list[Grid]:
    """The grids the worker serves, by code; NotAllowed for anyone who is not a grid worker
    with a grid. Asked before anything else, so a refusal comes before any complaint about
    the request's body."""
    if not worker.is_authenticated or not worker.is_active or worker.role != Role.WORKER:
        raise NotAllowed(_("Only grid workers patrol."))
    grids = list(grids_of(worker))
    if not grids:
        raise NotAllowed(_("You serve no grid yet: ask the command centre to give you one."))
    return grids


def _same_patrol(existing: Patrol, worker) -> Patrol:
    if existing.worker_id != worker.pk:
        raise Conflict(_("This UUID belongs to another patrol: start with a new one."), fields={"uuid": _("Already used.")})
    return existing


def _check_phone_time(value: datetime, *, field: str, now: datetime, not_before: datetime, before_message: str) -> None:
    if value > now + CLOCK_SLACK:
        raise InvalidInput(
            _("%(time)s is in the future: check the phone's clock.") % {"time": town_minute(value)},
            fields={field: _("Not later than now.")},
        )
    if value < not_before:
        raise InvalidInput(before_message, fields={field: before_message})


def patrol_start(*, worker, uuid, started_at: datetime | None = None, grid: Grid | None = None, now: datetime | None = None) -> tuple[Patrol, bool]:
    """Start a patrol. Returns (patrol, created); the same UUID again returns the first patrol.

    The grid is the one given (one of the worker's), else the worker's first by code, moved to
    the grid of the first position if the worker serves several (see `_refresh`). A patrol the
    worker left running on an earlier day is closed as the watch would close it; one running
    today is a conflict: it must be stopped first.
    """
    now = now or timezone.now()
    grids = patrol_check_worker(worker=worker)
    existing = Patrol.objects.filter(uuid=uuid).first()
    if existing:
        return _same_patrol(existing, worker), False
    started_at = started_at or now
    _check_phone_time(
        started_at, field="started_at", now=now, not_before=now - START_MAX_AGE,
        before_message=_("A patrol must be sent within 24 hours of its start."),
    )
    if grid is not None and grid.pk not in {mine.pk for mine in grids}:
        raise InvalidInput(_("You do not serve this grid."), fields={"grid": _("Choose one of your grids.")})
    try:
        with transaction.atomic():
            # One start at a time per worker: the running patrol is decided on under this lock.
            list(User.objects.select_for_update().filter(pk=worker.pk).values_list("pk", flat=True))
            existing = Patrol.objects.filter(uuid=uuid).first()
            if existing:
                return _same_patrol(existing, worker), False
            running = Patrol.objects.select_for_update().filter(worker=worker, ended_at__isnull=True).first()
            if running and timezone.localdate(running.started_at) < timezone.localdate(started_at):
                _close_forgotten(running, now=now, data={"closed_on_start_of": str(uuid)})
            elif running:
                raise Conflict(
                    _("You already have a patrol running since %(time)s: stop it before starting another.")
                    % {"time": town_minute(running.started_at)},
                    fields={"uuid": _("Another patrol is running.")},
                )
            patrol = Patrol.objects.create(
                uuid=uuid, worker=worker, grid=grid or grids[0], grid_given=grid is not None, started_at=started_at
            )
            _record(
                patrol=patrol, action=PatrolEvent.Action.START, actor=worker, at=now,
                data={"started_at": _iso(started_at), "grid": patrol.grid.code, "grid_given": grid is not None},
            )
    except IntegrityError:
        # The same UUID from another worker, at the same moment.
        existing = Patrol.objects.filter(uuid=uuid).first()
        if existing is None:
            raise
        return _same_patrol(existing, worker), False
    return patrol, True


def _own_locked(*, worker, uuid) -> Patrol:
    """The worker's own patrol, its row locked until the transaction ends; anyone else's is missing."""
    patrol = Patrol.objects.select_for_update().filter(uuid=uuid, worker=worker).first()
    if patrol is None:
        raise Missing(_("No such patrol."))
    return patrol


@dataclass(frozen=True)
class Position:
    at: datetime
    latitude: float
    longitude: float
    accuracy: float
    index: int


def _number(value) -> bool:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # a JSON integer of a thousand digits
        return False


def _parse_position(item, index: int, *, patrol: Patrol, now: datetime) -> tuple[Position | None, list[str]]:
    if not isinstance(item, dict):
        return None, [_("A position is an object: {t, lat, lng, accuracy}.")]
    problems = []
    for key in ("t", "lat", "lng", "accuracy"):
        if key not in item:
            problems.append(_("%(key)s: This field is required.") % {"key": key})
        elif not _number(item[key]):
            problems.append(_("%(key)s: Must be a number.") % {"key": key})
    if problems:
        return None, problems
    for key, message in validate_position(latitude=item["lat"], longitude=item["lng"]).items():
        problems.append(f"{WIRE_NAMES[key]}: {message}")
    if item["accuracy"] < 0:
        problems.append(_("accuracy: Must not be negative."))
    try:
        at = datetime.fromtimestamp(item["t"] / 1000, tz=dt_timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None, problems + [_("t: Not a time in milliseconds since 1970.")]
    if at > now + CLOCK_SLACK:
        problems.append(_("t: %(time)s is in the future: check the phone's clock.") % {"time": town_minute(at)})
    elif at < patrol.started_at - BEFORE_START_SLACK:
        problems.append(_("t: %(time)s is before the patrol started (%(start)s).") % {"time": town_minute(at), "start": town_minute(patrol.started_at)})
    if problems:
        return None, problems
    return Position(at=at, latitude=float(item["lat"]), longitude=float(item["lng"]), accuracy=float(item["accuracy"]), index=index), []


def _parse_positions(points, *, patrol: Patrol, now: datetime) -> list[Position]:
    """Every position, or InvalidInput with the messages of each bad one by its index: one bad
    position refuses the batch, so the phone shows the reason rather than losing part of it."""
    if not isinstance(points, list):
        raise InvalidInput(_("Send the positions as a list."), fields={"points": _("A list of {t, lat, lng, accuracy}.")})
    if len(points) > settings.PATROL_MAX_POINTS:
        raise InvalidInput(
            _("At most %(count)d positions at a time.") % {"count": settings.PATROL_MAX_POINTS},
            fields={"points": _("At most %(count)d positions at a time.") % {"count": settings.PATROL_MAX_POINTS}},
        )
    parsed, errors = [], {}
    for index, item in enumerate(points):
        position, problems = _parse_position(item, index, patrol=patrol, now=now)
        if problems:
            errors[str(index)] = problems
        else:
            parsed.append(position)
    if errors:
        shown = dict(list(errors.items())[:MAX_POINT_ERRORS])
        raise InvalidInput(
            ngettext(
                "%(count)d position is not valid; nothing was stored.", "%(count)d positions are not valid; nothing was stored.", len(errors)
            ) % {"count": len(errors)},
            fields={"points": shown},
        )
    return parsed


def patrol_add_points(*, worker, uuid, points, now: datetime | None = None) -> dict:
    """Add a batch of positions, {t (epoch milliseconds), lat, lng, accuracy (m)} each, to the
    worker's patrol; returns {"accepted", "dropped", "patrol"}.

    Kept: positions at most PATROL_MAX_ACCURACY_M uncertain and at least PATROL_THIN_METRES from
    the previous position kept (in time order, starting from the stored position just before
    the batch). A stopped patrol takes the positions up to its end (a batch the phone kept while
    offline); a batch wholly after the end is a conflict. Positions already stored count as
    accepted, so a batch sent twice gets the same answer and adds nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        patrol = _own_locked(worker=worker, uuid=uuid)
        positions = _parse_positions(points, patrol=patrol, now=now)
        if patrol.ended_at and positions and all(position.at > patrol.ended_at for position in positions):
            raise Conflict(
                _("This patrol was stopped at %(time)s: positions recorded after that are not taken.") % {"time": town_minute(patrol.ended_at)}
            )
        candidates = {}
        for position in sorted(positions, key=lambda p: (p.at, p.index)):
            usable = position.accuracy <= settings.PATROL_MAX_ACCURACY_M and (patrol.ended_at is None or position.at <= patrol.ended_at)
            if usable:
                candidates.setdefault(position.at, position)  # one position per instant: the first sent
        kept = _thinned(patrol, list(candidates.values()))
        PatrolPoint.objects.bulk_create(
            [
                PatrolPoint(patrol=patrol, recorded_at=p.at, latitude=p.latitude, longitude=p.longitude, accuracy_m=p.accuracy)
                for p in kept
            ],
            ignore_conflicts=True,  # the ones stored from the same batch sent before
        )
        if kept:
            _refresh(patrol, worker=worker, now=now)
    return {"accepted": len(kept), "dropped": len(points) - len(kept), "patrol": patrol}


def _thinned(patrol: Patrol, positions: list[Position]) -> list[Position]:
    """Positions at least PATROL_THIN_METRES from the previous one kept: a worker standing still
    sends a fix every few seconds, and each would add GPS jitter to the distance."""
    if not positions:
        return []
    previous = (
        patrol.points.filter(recorded_at__lt=positions[0].at).order_by("-recorded_at").values_list("latitude", "longitude").first()
    )
    kept = []
    for position in positions:
        here = (position.latitude, position.longitude)
        if previous is None or metres_between(previous, here) >= settings.PATROL_THIN_METRES:
            kept.append(position)
            previous = here
    return kept


def _refresh(patrol: Patrol, *, worker, now: datetime) -> None:
    """Recompute the patrol's figures from all its positions (a late batch may fall between
    stored ones). The first positions of a patrol whose grid was not chosen settle its grid."""
    rows = list(patrol.points.order_by("recorded_at").values_list("latitude", "longitude", "recorded_at"))
    positions = [(latitude, longitude) for latitude, longitude, _at in rows]
    updated = ["distance_m", "point_count", "last_point_at", "coverage", "updated_at"]
    if patrol.point_count == 0 and not patrol.grid_given:
        grid = _grid_of_first_position(worker, positions[0])
        if grid is not None and grid.pk != patrol.grid_id:
            _record(
                patrol=patrol, action=PatrolEvent.Action.GRID, actor=worker, at=now,
                data={"from": patrol.grid.code, "to": grid.code},
            )
            patrol.grid = grid
            updated.append("grid")
    patrol.distance_m = track_length_m(positions)
    patrol.point_count = len(rows)
    patrol.last_point_at = rows[-1][2]
    patrol.coverage = grid_coverage(patrol.grid.boundary, [positions])
    patrol.save(update_fields=updated)


def _grid_of_first_position(worker, position: tuple[float, float]) -> Grid | None:
    grids = list(grids_of(worker))
    if len(grids) < 2:
        return None
    here = Point(position[1], position[0])
    return next((grid for grid in grids if shape(grid.boundary).covers(here)), None)


def patrol_stop(*, worker, uuid, ended_at: datetime | None = None, now: datetime | None = None) -> Patrol:
    """Stop the worker's patrol at `ended_at` (now if not given); a stopped one is returned as it
    is. The end is never before the last position stored: the worker was still walking then."""
    now = now or timezone.now()
    with transaction.atomic():
        patrol = _own_locked(worker=worker, uuid=uuid)
        if patrol.ended_at is not None:
            return patrol  # stopped already: by an earlier request, or by the watch
        ended_at = ended_at or now
        _check_phone_time(
            ended_at, field="ended_at", now=now, not_before=patrol.started_at,
            before_message=_("The end is before the patrol started (%(time)s).") % {"time": town_minute(patrol.started_at)},
        )
        patrol.ended_at = max(ended_at, patrol.last_point_at or ended_at)
        patrol.save(update_fields=["ended_at", "updated_at"])
        _record(patrol=patrol, action=PatrolEvent.Action.STOP, actor=worker, at=now, data={"ended_at": _iso(patrol.ended_at)})
    return patrol


def patrol_checkin(
    *, worker, uuid, checkin_uuid, compound_id: int, latitude: float, longitude: float, at: datetime | None = None, now: datetime | None = None
) -> tuple[PatrolCheckin, bool]:
    """Check in (打卡) at a compound of one of the worker's grids, within PATROL_CHECKIN_RADIUS_M
    of it, on the worker's patrol. Returns (check-in, created); the same check-in UUID again
    returns the first."""
    now = now or timezone.now()
    errors = validate_position(latitude=latitude, longitude=longitude)
    if errors:
        raise InvalidInput(_("The position is not valid."), fields=errors)
    try:
        with transaction.atomic():
            patrol = _own_locked(worker=worker, uuid=uuid)
            existing = PatrolCheckin.objects.select_related("compound", "patrol").filter(uuid=checkin_uuid).first()
            if existing:
                return _same_checkin(existing, patrol_uuid=patrol.uuid), False
            compound = checkin_compounds(worker).filter(pk=compound_id).first()
            if compound is None:
                raise InvalidInput(_("Check in at a compound of your grids."), fields={"compound": _("Choose a compound of your grids.")})
            at = at or now
            _check_phone_time(
                at, field="at", now=now, not_before=patrol.started_at - BEFORE_START_SLACK,
                before_message=_("The check-in is before the patrol started (%(time)s).") % {"time": town_minute(patrol.started_at)},
            )
            if patrol.ended_at and at > patrol.ended_at:
                raise Conflict(_("This patrol was stopped at %(time)s: start a new one to check in.") % {"time": town_minute(patrol.ended_at)})
            distance = metres_between((latitude, longitude), (compound.latitude, compound.longitude))
            radius = settings.PATROL_CHECKIN_RADIUS_M
            if distance > radius:
                message = _("You are %(distance)d m from %(compound)s; check in within %(radius)d m.") % {
                    "distance": round(distance), "compound": compound.name, "radius": radius
                }
                raise InvalidInput(message, fields={"compound": message})
            checkin = PatrolCheckin.objects.create(
                uuid=checkin_uuid, patrol=patrol, compound=compound, at=at, latitude=latitude, longitude=longitude, distance_m=distance
            )
            _record(
                patrol=patrol, action=PatrolEvent.Action.CHECKIN, actor=worker, at=now,
                data={"checkin": str(checkin_uuid), "compound": compound.pk, "at": _iso(at), "distance_m": round(distance)},
            )
    except IntegrityError:
        # The same check-in UUID from another patrol, at the same moment.
        existing = PatrolCheckin.objects.select_related("compound", "patrol").filter(uuid=checkin_uuid).first()
        if existing is None:
            raise
        return _same_checkin(existing, patrol_uuid=uuid), False
    return checkin, True


def _same_checkin(existing: PatrolCheckin, *, patrol_uuid) -> PatrolCheckin:
    """The first check-in, when this is the same one sent again; a conflict when its UUID was
    used on another patrol."""
    if existing.patrol.uuid != UUID(str(patrol_uuid)):
        raise Conflict(_("This check-in UUID belongs to another check-in: send a new one."), fields={"uuid": _("Already used.")})
    return existing


def _close_forgotten(patrol: Patrol, *, now: datetime, data: dict | None = None) -> None:
    """End a patrol left running at its last position (at its start, if it has none)."""
    patrol.ended_at = patrol.last_point_at or patrol.started_at
    patrol.save(update_fields=["ended_at", "updated_at"])
    _record(
        patrol=patrol, action=PatrolEvent.Action.CLOSED_BY_WATCH, actor=None, at=now,
        data={"ended_at": _iso(patrol.ended_at), **(data or {})},
    )


def patrols_close_forgotten(*, now: datetime | None = None) -> int:
    """From beat, after midnight: close the patrols left running from an earlier day (the phone
    was switched off, or the worker forgot to stop), ended at their last position."""
    now = now or timezone.now()
    today_starts, _end = day_bounds(timezone.localdate(now))
    forgotten = Patrol.objects.filter(ended_at__isnull=True, started_at__lt=today_starts).order_by("pk").values_list("pk", flat=True)
    closed = 0
    for patrol_id in list(forgotten):
        with transaction.atomic():
            patrol = Patrol.objects.select_for_update().filter(pk=patrol_id, ended_at__isnull=True).first()
            if patrol is None:
                continue  # stopped meanwhile, or another process got there first
            _close_forgotten(patrol, now=now)
            closed += 1
    return closed


def patrols_remind_missing(*, now: datetime | None = None) -> int:
    """From beat at PATROL_REMINDER_HOUR, on working days: tell the command centre (the active
    dispatchers), in one notification, which grid workers have started no patrol today. Once a
    day, however often it runs: the day is claimed first. Returns how many workers were listed."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not WorkingCalendar.load(today, days=1).is_working_day(today):
        return 0
    missing = workers_without_patrol(today)
    with transaction.atomic():
        try:
            with transaction.atomic():
                PatrolReminder.objects.create(date=today, workers=[worker.user.username for worker in missing])
        except IntegrityError:
            return 0  # another process got there first
        if missing:
            with translation.override(settings.LANGUAGE_CODE):
                subject = ngettext(
                    "%(count)d grid worker has not patrolled today (%(date)s)",
                    "%(count)d grid workers have not patrolled today (%(date)s)",
                    len(missing),
                ) % {"count": len(missing), "date": today.isoformat()}
                body = "\n".join(
                    f"{worker.user.display_name} ({worker.user.username}): {'、'.join(grid.name for grid in worker.grids.all())}"
                    for worker in missing
                )
            dispatchers = User.objects.filter(is_active=True, role=Role.DISPATCHER)
            notification_create(recipients=list(dispatchers), event=None, subject=subject, body=body)
    return len(missing)

