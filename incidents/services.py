"""Every write to an incident goes through here.

`incident_report` opens a case; `incident_transition` performs every other step of the loop by
the table in `workflow.py`: it checks the actor and the status, locks the row, writes the event,
saves, and sends the follow-up work once the transaction commits.
"""

import logging
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from PIL import UnidentifiedImageError

from accounts.models import Department, Notification, Role
from accounts.services import notification_create
from grids.geojson import validate_position
from govgrid.text import clean_text
from govgrid.towntime import day_bounds, town_minute
from grids.spatial import grid_index, locate_grid, validate_near_grids

from . import clocks, stats
from .errors import Conflict, InvalidInput, Missing, NotAllowed, NotPossible
from .holidays import load_national_days
from .models import (
    CalendarDay, Category, DailyCount, Incident, IncidentEvent, IncidentPhoto, IncidentStage, RollupDay, Source, SupervisionCard,
)
from .outbox import dispatch_event_on_commit, dispatch_on_commit, held
from .photos import PreparedPhoto, thumbnail_of
from .timelimits import WorkingCalendar, forget_calendar
from .workflow import (
    CARD_NOTIFY,
    REPORT_NOTIFY,
    STAGE_OF,
    TRANSITIONS,
    Action,
    Appeal,
    Card,
    Closure,
    Notify,
    Stage,
    Status,
    action_label,
    is_late,
    may_report,
    refusal,
    watch_notify,
)

User = get_user_model()
logger = logging.getLogger(__name__)


# The timestamp each status sets when a case enters it. Rejected and merged cases are
# finished, hence closed_at. A case sent back (rework, return, resume, reopen) keeps the time
# it first got there.
TIME_OF = {
    Status.REPORTED: None,
    Status.ACCEPTED: "accepted_at",
    Status.ASSIGNED: "assigned_at",
    Status.HANDLED: "handled_at",
    Status.INSPECTED: "inspected_at",
    Status.SUSPENDED: "suspended_at",
    Status.CLOSED: "closed_at",
    Status.REJECTED: "closed_at",
    Status.MERGED: "closed_at",
}
SENT_BACK = frozenset({Action.REWORK, Action.RETURN, Action.RESUME, Action.REOPEN})
# A suspension is looked at again within this many days (a works project in next year's budget).
REVIEW_WITHIN_DAYS = 731


@dataclass
class Photos:
    """Photos by stage, each already prepared by `incidents.photos.prepare_photo`."""

    report: list[PreparedPhoto]
    before: list[PreparedPhoto]
    after: list[PreparedPhoto]
    inspection: list[PreparedPhoto] = field(default_factory=list)

    @classmethod
    def none(cls) -> "Photos":
        return cls(report=[], before=[], after=[])


def _record(*, incident, actor, action, from_status, note="", data=None, at=None) -> IncidentEvent:
    event = IncidentEvent.objects.create(
        incident=incident,
        actor=actor,
        action=action,
        from_status=from_status or "",
        to_status=incident.status,
        note=note,
        data=data or {},
        created_at=at or timezone.now(),
    )
    dispatch_event_on_commit(event.pk)
    rollup_mark_changed(incident)
    return event


@contextmanager
def _atomic_with_photos():
    """A transaction, and the list of photo files written in it: if it rolls back, the files
    are deleted too, so a failed request leaves nothing on disk."""
    written: list[str] = []
    try:
        with transaction.atomic():
            yield written
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise


def _attach(*, incident, event, photos: Photos, by, written: list[str]) -> None:
    for stage, prepared in (
        *((IncidentPhoto.Stage.REPORT, photo) for photo in photos.report),
        *((IncidentPhoto.Stage.BEFORE, photo) for photo in photos.before),
        *((IncidentPhoto.Stage.AFTER, photo) for photo in photos.after),
        *((IncidentPhoto.Stage.INSPECTION, photo) for photo in photos.inspection),
    ):
        photo = IncidentPhoto(
            incident=incident, event=event, stage=stage, uploaded_by=by, created_at=event.created_at,
            width=prepared.width, height=prepared.height,
            taken_at=prepared.taken_at, latitude=prepared.latitude, longitude=prepared.longitude,
        )
        photo.image.save(prepared.content.name, prepared.content, save=False)
        written.append(photo.image.name)
        photo.save()
        dispatch_on_commit("incidents.tasks.make_thumbnail", photo.pk)


def photo_make_thumbnail(*, photo_id: int) -> bool:
    """The photo's thumbnail, made once: a second run, or the sweep racing the task, finds it
    made and changes nothing."""
    photo = IncidentPhoto.objects.filter(pk=photo_id, thumbnail="").first()
    if photo is None:
        return False
    try:
        with photo.image.open("rb") as image:
            content = thumbnail_of(image)
    except (OSError, UnidentifiedImageError):
        # Unreadable (stored before photos were checked, or lost): the photo stands for itself.
        logger.warning("photo %s: no thumbnail, %s cannot be read", photo_id, photo.image.name, exc_info=True)
        return bool(IncidentPhoto.objects.filter(pk=photo_id, thumbnail="").update(thumbnail=photo.image.name))
    photo.thumbnail.save(content.name, content, save=False)
    claimed = IncidentPhoto.objects.filter(pk=photo_id, thumbnail="").update(thumbnail=photo.thumbnail.name)
    if not claimed:
        photo.thumbnail.delete(save=False)  # another process got there first
    return bool(claimed)


def photos_sweep_thumbnails(*, now: datetime | None = None) -> int:
    """Thumbnails whose task was lost with the broker, or held while history was loaded."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.EVENT_SWEEP_AFTER_SECONDS)
    pending = IncidentPhoto.objects.filter(thumbnail="", created_at__lte=cutoff).order_by("id").values_list("pk", flat=True)
    return sum(photo_make_thumbnail(photo_id=photo_id) for photo_id in list(pending[:1000]))


def incident_report(
    *,
    reporter,
    category: Category,
    description: str,
    latitude: float,
    longitude: float,
    address: str = "",
    source: str = Source.PATROL,
    contact_phone: str = "",
    contact_name: str = "",
    client_uuid=None,
    handled_on_spot: bool = False,
    note: str = "",
    photos: Photos | None = None,
    at: datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> tuple[Incident, bool]:
    """Open a case. Returns (incident, created); a repeated client_uuid returns the first case.

    The grid and the deadline are settled here, in the request, so the reporter sees them at
    once; the worker's follow-up re-routes a case that fell outside every grid.
    """
    if reporter is not None and not may_report(reporter):
        raise NotAllowed(_("Your role may not report incidents."))
    # One look at the grids (one query for their version) serves the check and the routing.
    index = grid_index()
    errors = validate_position(latitude=latitude, longitude=longitude) or validate_near_grids(
        latitude=latitude, longitude=longitude, index=index
    )
    if not category.is_minor or not category.active:
        errors["category"] = _("Choose an active minor category (小类).")
    if not description.strip():
        errors["description"] = _("Describe the problem.")
    photos = photos or Photos.none()
    if handled_on_spot and not (photos.before and photos.after):
        errors["photos"] = _("A problem handled on the spot needs photos from before and after.")
    if errors:
        raise InvalidInput(_("The report has errors."), fields=errors)
    # As it will be stored, to compare with a case already made under the same client_uuid.
    sent = {"category_id": category.pk, "description": clean_text(description.strip()), "latitude": latitude, "longitude": longitude}
    if client_uuid:
        existing = Incident.objects.filter(client_uuid=client_uuid).first()
        if existing:
            return _same_report(existing, reporter, sent), False

    at = at or timezone.now()
    try:
        with _atomic_with_photos() as written:
            incident = Incident(
                category=category,
                description=description.strip(),
                latitude=latitude,
                longitude=longitude,
                address=address,
                source=source,
                reporter=reporter,
                contact_phone=contact_phone,
                contact_name=contact_name,
                client_uuid=client_uuid,
                grid_id=index.locate(latitude=latitude, longitude=longitude),
                reported_at=at,
            )
            calendar = calendar or clocks.calendar_from(at)
            limits = clocks.stage_limits(category)
            incident.deadline, incident.warn_at = clocks.case_deadline(at, limits, calendar)
            incident.save()
            incident.code = f"{timezone.localtime(at):%Y%m%d}{incident.pk:06d}"
            # Fixed on the spot, it was never accepted or dispatched: its first clock is inspection.
            first = Stage.INSPECT if handled_on_spot else Stage.ACCEPT
            incident.current_stage = clocks.stage_open(incident, first, at, limits, calendar)
            incident.save(update_fields=["code", "current_stage"])
            event = _record(incident=incident, actor=reporter, action=Action.REPORT, from_status="", note=note, at=at)
            _attach(incident=incident, event=event, photos=Photos(report=photos.report, before=[], after=[]), by=reporter, written=written)
            if handled_on_spot:
                incident.status = Status.HANDLED
                incident.handled_on_spot = True
                incident.assignee = reporter
                incident.assigned_at = incident.handled_at = at
                incident.save(update_fields=["status", "handled_on_spot", "assignee", "assigned_at", "handled_at"])
                handled = _record(
                    incident=incident, actor=reporter, action=Action.HANDLE, from_status=Status.REPORTED,
                    note=_("Handled on the spot."), data={"on_spot": True}, at=at,
                )
                _attach(
                    incident=incident, event=handled, photos=Photos(report=[], before=photos.before, after=photos.after),
                    by=reporter, written=written,
                )
    except IntegrityError:
        # Another request with the same client_uuid got there first.
        existing = Incident.objects.filter(client_uuid=client_uuid).first() if client_uuid else None
        if existing is None:
            raise
        return _same_report(existing, reporter, sent), False
    return incident, True


def _same_report(existing: Incident, reporter, sent: dict) -> Incident:
    """The first case, when this is the same report sent again (a phone retrying after a lost
    answer); a conflict when the UUID comes with another reporter or another problem, which
    would otherwise be lost without a word."""
    if existing.reporter_id != (reporter.pk if reporter else None):
        raise Conflict(_("This client_uuid belongs to another reporter's incident."), fields={"client_uuid": _("Already used.")})
    differs = [
        field for field, value in sent.items()
        if (abs(getattr(existing, field) - value) > 1e-7 if field in ("latitude", "longitude") else getattr(existing, field) != value)
    ]
    if differs:
        raise Conflict(
            _("This client_uuid was already used for case %(code)s, which differs in: %(fields)s. Send a new problem with a new UUID.")
            % {"code": existing.code, "fields": ", ".join(differs).replace("_id", "")},
            fields={"client_uuid": _("Already used for case %(code)s.") % {"code": existing.code}},
        )
    return existing


def incident_transition(
    *,
    incident_id: int,
    actor,
    action: str,
    note: str = "",
    changes: dict | None = None,
    data: dict | None = None,
    photos: Photos | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
    check: Callable[[Incident], None] | None = None,
    update: Callable[[Incident], dict] | None = None,
) -> Incident:
    """Apply one row of the transition table. Anything refused raises and changes nothing.

    `check` is the action's own rule about another row (the assignee, the merge target); it
    runs under the case's lock, after the table's checks, and raises to refuse. `update` gives
    the changes that depend on the locked case (its counts, its clock). Rows are locked in one
    order everywhere: cases by id, then people; a case's lock covers its stage rows.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise InvalidInput(_("Unknown action “%(action)s”.") % {"action": action})
    at = at or timezone.now()
    with _atomic_with_photos() as written:
        try:
            # The case's lock guards its stage rows too: they are written only under it. The
            # stage is read once the lock is held (incident.current_stage, on first use), never
            # joined here: a row joined to a locking read that waited is the one seen before.
            incident = Incident.objects.select_for_update(of=("self",)).select_related("category").get(pk=incident_id)
        except Incident.DoesNotExist:
            raise Missing(_("No such incident.")) from None
        incident_check_action(incident=incident, actor=actor, action=action, at=at, expected_version=expected_version)
        if check:
            check(incident)
        from_status = incident.status
        changes = {**(changes or {}), **(update(incident) if update else {})}
        if transition.target:
            incident.status = transition.target
        incident.version += 1
        for name, value in changes.items():
            setattr(incident, name, value)
        updated = {"status", "version", *changes}
        stamp = TIME_OF[incident.status] if transition.target else None
        if stamp and (getattr(incident, stamp) is None or action not in SENT_BACK):
            setattr(incident, stamp, at)
            updated.add(stamp)
        if transition.target:
            updated |= _move_clocks(incident, action=action, from_status=from_status, at=at)
        incident.save(update_fields=sorted(updated))
        event = _record(incident=incident, actor=actor, action=action, from_status=from_status, note=note, data=data, at=at)
        if photos:
            _attach(incident=incident, event=event, photos=photos, by=actor, written=written)
    return incident


def incident_check_action(*, incident: Incident, actor, action: str, at: datetime, expected_version: int | None = None) -> None:
    """Refuse, by the table, an action this actor may not take (403) or not now (409). The
    service asks it of the locked case; the API asks it first, so that a refusal comes before
    any complaint about the body of the request."""
    refused = refusal(action, actor, incident, at)
    if refused == "actor":
        raise NotAllowed(_("You may not %(action)s this incident.") % {"action": action_label(action)})
    if expected_version is not None and expected_version != incident.version:
        raise Conflict(_("Someone else changed this incident; reload it and try again."))
    if refused == "status":
        raise NotPossible(
            _("Cannot %(action)s an incident that is %(status)s.")
            % {"action": action_label(action), "status": incident.get_status_display()}
        )
    if refused:
        raise NotPossible(refused)


def _move_clocks(incident: Incident, *, action: str, from_status: str, at: datetime) -> set[str]:
    """End the stage the case leaves and start the one it enters. Suspending keeps the stage
    open with its clock stopped; resuming restarts it with the time that was left."""
    if action == Action.SUSPEND:
        return set()
    current = incident.current_stage
    calendar = clocks.calendar_from(min(current.started_at, at) if current else at, at)
    if action == Action.RESUME:
        clocks.stage_shift_for_pause(current, incident.suspended_at, at, calendar)
        clocks.case_shift_for_pause(incident, incident.suspended_at, at, calendar)
        incident.suspended_at = incident.review_on = None
        return {"deadline", "warn_at", "suspended_at", "review_on"}
    updated = {"current_stage"}
    if current:
        clocks.stage_end(current, action, at, calendar)
        if current.stage == Stage.HANDLE and incident.extension_requested_until:
            incident.extension_requested_until = None  # asked of a clock that has stopped
            updated.add("extension_requested_until")
    limits = clocks.stage_limits(incident.category)
    if action == Action.ASSIGN and from_status == Status.REPORTED:
        # Accepted and dispatched in one step: the dispatch took no time.
        incident.accepted_at = at
        updated.add("accepted_at")
        clocks.stage_open(incident, Stage.DISPATCH, at, limits, calendar, done_at_once_by=action)
    if action == Action.REOPEN:
        # Back in the loop with a clock of its own from here: dispatch, handling, inspection.
        incident.deadline, incident.warn_at = clocks.case_deadline(at, limits, calendar, stages=Stage.ORDER[1:])
        updated |= {"deadline", "warn_at"}
    stage = STAGE_OF.get(incident.status)
    incident.current_stage = clocks.stage_open(incident, stage, at, limits, calendar) if stage else None
    return updated


def _required(text: str, field: str, message: str) -> str:
    if not text or not text.strip():
        raise InvalidInput(message, fields={field: _("This field is required.")})
    return text.strip()


def _local_iso(moment: datetime) -> str:
    """A time kept in an event's data: in the town's time, as the API gives every other time
    (a time read back from the database is in UTC)."""
    return timezone.localtime(moment).isoformat()


def incident_accept(*, incident_id: int, actor, note: str = "", expected_version=None, at=None) -> Incident:
    """受理: the command centre takes the report as a case, to be dispatched."""
    return incident_transition(incident_id=incident_id, actor=actor, action=Action.ACCEPT, note=note, expected_version=expected_version, at=at)


def incident_assign(*, incident_id: int, actor, assignee=None, department: Department | None = None, note: str = "", expected_version=None, at=None) -> Incident:
    if (assignee is None) == (department is None):
        raise InvalidInput(_("Assign to one worker or one department."), fields={"assignee": _("Give either assignee or department.")})

    def assignee_can_handle(_incident):
        if assignee is None:
            return
        # Locked until the assignment commits, so nobody is deactivated half-way through it.
        person = User.objects.select_for_update().filter(pk=assignee.pk).first()
        if person is None or not person.is_active or person.role not in (Role.WORKER, Role.DEPARTMENT):
            raise InvalidInput(_("The assignee must be an active grid worker or department member."), fields={"assignee": _("Not a handler.")})

    def resent(incident):
        # Taken from one handler and sent to another: against the accurate dispatch rate. A
        # returned case was counted when it came back.
        return {"resend_count": incident.resend_count + 1} if incident.status == Status.ASSIGNED else {}

    return incident_transition(
        incident_id=incident_id,
        actor=actor,
        action=Action.ASSIGN,
        note=note,
        changes={"assignee": assignee, "assigned_department": department},
        data={"assignee": assignee.pk if assignee else None, "department": department.pk if department else None},
        expected_version=expected_version,
        at=at,
        check=assignee_can_handle,
        update=resent,
    )


def incident_return(*, incident_id: int, actor, reason: str, expected_version=None, at=None) -> Incident:
    """退回: not the handler's case. Back to the command centre for dispatch; the handler's
    clock stops without counting against them."""
    reason = _required(reason, "reason", _("Give the reason for returning the case."))
    data = {}

    def back_to_dispatch(incident):
        data.update(assignee=incident.assignee_id, department=incident.assigned_department_id)
        return {
            "assignee": None, "assigned_department": None,
            "return_count": incident.return_count + 1, "resend_count": incident.resend_count + 1,
        }

    return incident_transition(
        incident_id=incident_id, actor=actor, action=Action.RETURN, note=reason, data=data,
        expected_version=expected_version, at=at, update=back_to_dispatch,
    )


def incident_request_extension(*, incident_id: int, actor, reason: str, until: datetime, expected_version=None, at=None) -> Incident:
    """延期: the handler asks for more time, to `until`; one request at a time."""
    reason = _required(reason, "reason", _("Give the reason for asking more time."))
    at = at or timezone.now()

    def later_than_now(incident):
        _refuse_unless_later(until, incident.current_stage.deadline, at)

    return incident_transition(
        incident_id=incident_id, actor=actor, action=Action.REQUEST_EXTENSION, note=reason,
        changes={"extension_requested_until": until}, data={"until": _local_iso(until)},
        expected_version=expected_version, at=at, check=later_than_now,
    )


def _refuse_unless_later(until: datetime, deadline: datetime, at: datetime) -> None:
    """More time is a deadline after the present one and, for a stage already overdue, after now."""
    if until > max(deadline, at):
        return
    if deadline >= at:
        message = _("Ask for a deadline later than the present one, %(deadline)s.") % {"deadline": town_minute(deadline)}
    else:
        message = _("The present deadline, %(deadline)s, has passed: ask for a deadline later than now (%(now)s).") % {
            "deadline": town_minute(deadline), "now": town_minute(at)
        }
    raise InvalidInput(message, fields={"until": _("Later than %(time)s.") % {"time": town_minute(max(deadline, at))}})


def incident_decide_extension(
    *, incident_id: int, actor, approve: bool, note: str = "", until: datetime | None = None, expected_version=None, at=None
) -> Incident:
    """The command centre approves the request (to the time asked, or to `until`) or refuses
    it with a note. Approved, the handling deadline and the case's move by the same time, and
    the watch warns again before the new deadline."""
    at = at or timezone.now()
    if not approve:
        note = _required(note, "note", _("Say why the extension is refused."))
        return incident_transition(
            incident_id=incident_id, actor=actor, action=Action.REFUSE_EXTENSION, note=note,
            changes={"extension_requested_until": None}, expected_version=expected_version, at=at,
        )
    data = {}

    def extend(incident):
        stage = incident.current_stage
        new_deadline = until or incident.extension_requested_until
        _refuse_unless_later(new_deadline, stage.deadline, at)
        moved = new_deadline - stage.deadline
        data.update(until=_local_iso(new_deadline), requested=_local_iso(incident.extension_requested_until))
        clocks.stage_extend(stage, new_deadline, at)
        return {
            "deadline": incident.deadline + moved, "warn_at": incident.warn_at + moved,
            "extension_count": incident.extension_count + 1, "extension_requested_until": None,
        }

    return incident_transition(
        incident_id=incident_id, actor=actor, action=Action.APPROVE_EXTENSION, note=note, data=data,
        expected_version=expected_version, at=at, update=extend,
    )


def incident_suspend(*, incident_id: int, actor, reason: str, review_on: date, expected_version=None, at=None) -> Incident:
    """挂账: the case cannot be handled now (budget, a works project). Its clocks stop until it
    is resumed; on `review_on` the command centre is reminded of it."""
    reason = _required(reason, "reason", _("Give the reason for suspending the case."))
    at = at or timezone.now()
    today = timezone.localdate(at)
    if not today < review_on <= today + timedelta(days=REVIEW_WITHIN_DAYS):
        raise InvalidInput(
            _("The review date must be after today and within two years."), fields={"review_on": _("A date after today, within two years.")}
        )
    return incident_transition(
        incident_id=incident_id, actor=actor, action=Action.SUSPEND, note=reason,
        changes={"review_on": review_on, "review_reminded_at": None}, data={"review_on": review_on.isoformat()},
        expected_version=expected_version, at=at,
    )


def incident_resume(*, incident_id: int, actor, note: str = "", expected_version=None, at=None) -> Incident:
    """Back to handling; the clocks restart with the time they had left."""
    return incident_transition(incident_id=incident_id, actor=actor, action=Action.RESUME, note=note, expected_version=expected_version, at=at)


def incident_appeal(*, incident_id: int, actor, reason: str, expected_version=None, at=None) -> Incident:
    """申诉: the handler contests a judgement on the case (overdue, or sent back for rework)."""
    reason = _required(reason, "reason", _("Give the grounds of the appeal."))
    at = at or timezone.now()
    data = {}

    def judged(incident):
        data["judgement"] = [name for name, holds in (("overdue", is_late(incident, at)), ("rework", incident.rework_count > 0)) if holds]
        return {"appeal": Appeal.PENDING}

    return incident_transition(
        incident_id=incident_id, actor=actor, action=Action.APPEAL, note=reason, data=data,
        expected_version=expected_version, at=at, update=judged,
    )


def incident_decide_appeal(*, incident_id: int, actor, uphold: bool, note: str, expected_version=None, at=None) -> Incident:
    """An official upholds the appeal, which exempts the case from the time measures, or
    dismisses it; either way with the reasons."""
    note = _required(note, "note", _("Give the reasons for the decision."))

    def decided(incident):
        if not uphold:
            return {"appeal": Appeal.DISMISSED}
        # Excused: a case closed late is closed on time for every measure, its closure type too.
        return {"appeal": Appeal.UPHELD, **({"closure": Closure.NORMAL} if incident.closure == Closure.OVERDUE else {})}

    return incident_transition(
        incident_id=incident_id, actor=actor, action=Action.UPHOLD_APPEAL if uphold else Action.DISMISS_APPEAL, note=note,
        expected_version=expected_version, at=at, update=decided,
    )


def incident_card(*, incident_id: int, actor, level: str, note: str, expected_version=None, at=None) -> Incident:
    """督办 by hand: a dispatcher or an official issues a card with a note."""
    if level not in dict(Card.CHOICES):
        raise InvalidInput(_("Choose an ordinary, yellow or red card."), fields={"level": _("Not a card.")})
    note = _required(note, "note", _("Say what the card is for."))
    at = at or timezone.now()

    def issue(incident):
        SupervisionCard.objects.create(incident=incident, level=level, issued_by=actor, note=note, created_at=at)
        return {}

    return incident_transition(
        incident_id=incident_id, actor=actor, action=Action.CARD, note=note, data={"level": level},
        expected_version=expected_version, at=at, update=issue,
    )


def incident_reopen(*, incident_id: int, actor, reason: str, expected_version=None, at=None) -> Incident:
    """The problem is back within REOPEN_DAYS of closing: the case is dispatched again, counts
    as reworked, and keeps its one history."""
    reason = _required(reason, "reason", _("Give the reason for reopening."))

    def reopened(incident):
        return {
            "closed_at": None, "closure": "", "assignee": None, "assigned_department": None,
            "rework_count": incident.rework_count + 1,
            # A new round: the old round's appeal does not excuse it.
            "appeal": "",
        }

    return incident_transition(
        incident_id=incident_id, actor=actor, action=Action.REOPEN, note=reason,
        expected_version=expected_version, at=at, update=reopened,
    )


def incident_handle(*, incident_id: int, actor, note: str = "", photos: Photos | None = None, expected_version=None, at=None) -> Incident:
    return incident_transition(
        incident_id=incident_id, actor=actor, action=Action.HANDLE, note=note, photos=photos, expected_version=expected_version, at=at
    )


def incident_inspect(
    *, incident_id: int, actor, passed: bool, note: str = "", photos: Photos | None = None, expected_version=None, at=None
) -> Incident:
    def counted(incident):
        return {} if passed else {"rework_count": incident.rework_count + 1}

    return incident_transition(
        incident_id=incident_id,
        actor=actor,
        action=Action.INSPECT if passed else Action.REWORK,
        note=note,
        data={"passed": passed},
        photos=photos,
        expected_version=expected_version,
        at=at,
        update=counted,
    )


def incident_close(*, incident_id: int, actor, note: str = "", expected_version=None, at=None) -> Incident:
    """销号: normal, or overdue when closed after the case's deadline."""
    at = at or timezone.now()

    def closure(incident):
        late = is_late(incident, at) and not incident.time_exempt
        return {"closure": Closure.OVERDUE if late else Closure.NORMAL}

    return incident_transition(
        incident_id=incident_id, actor=actor, action=Action.CLOSE, note=note, expected_version=expected_version, at=at, update=closure
    )


def incident_close_erroneous(*, incident_id: int, actor, reason: str, expected_version=None, at=None) -> Incident:
    """Closed because the report turned out wrong after it was dispatched."""
    reason = _required(reason, "reason", _("Say what was wrong with the report."))
    return incident_transition(
        incident_id=incident_id, actor=actor, action=Action.CLOSE_ERRONEOUS, note=reason,
        changes={"closure": Closure.ERRONEOUS}, expected_version=expected_version, at=at,
    )


def incident_close_special(*, incident_id: int, actor, reason: str, expected_version=None, at=None) -> Incident:
    """Closed by an official's decision, from any live status, with the reason."""
    reason = _required(reason, "reason", _("Give the reason for the decision."))
    return incident_transition(
        incident_id=incident_id, actor=actor, action=Action.CLOSE_SPECIAL, note=reason,
        changes={"closure": Closure.SPECIAL}, expected_version=expected_version, at=at,
    )


def incident_reject(*, incident_id: int, actor, reason: str, expected_version=None, at=None) -> Incident:
    reason = _required(reason, "reason", _("Give the reason for rejecting."))
    return incident_transition(
        incident_id=incident_id, actor=actor, action=Action.REJECT, note=reason, expected_version=expected_version, at=at
    )


def incident_merge(*, incident_id: int, actor, duplicate_of: Incident, note: str = "", expected_version=None, at=None) -> Incident:
    """Merge a case into the live case it duplicates.

    Both cases are locked, the lower id first, before either is read: two merges crossing each
    other (A into B, B into A) then queue instead of deadlocking, and the target's status is
    read under its lock, so a case rejected or merged a moment ago is refused (409). As a merge
    target must be live, and a merged case is not, merges never form a cycle.
    """
    target_id = duplicate_of.pk
    if target_id == incident_id:
        raise InvalidInput(_("A case cannot be a duplicate of itself."), fields={"duplicate_of": _("Choose another incident.")})

    def target_is_live(_incident):
        target = Incident.objects.get(pk=target_id)
        if target.status not in Status.LIVE:
            raise NotPossible(
                _("Merge into a live case, not one that is closed, rejected or merged."),
                fields={"duplicate_of": _("%(code)s is %(status)s.") % {"code": target.code, "status": target.get_status_display()}},
            )

    with transaction.atomic():
        locked = Incident.objects.select_for_update().filter(pk__in=[incident_id, target_id]).order_by("pk")
        if target_id not in set(locked.values_list("pk", flat=True)):
            raise InvalidInput(_("No such incident to merge into."), fields={"duplicate_of": _("Choose another incident.")})
        return incident_transition(
            incident_id=incident_id,
            actor=actor,
            action=Action.MERGE,
            note=note,
            changes={"duplicate_of_id": target_id},
            data={"duplicate_of": target_id},
            expected_version=expected_version,
            at=at,
            check=target_is_live,
        )


def incident_mark_deadlines(*, now: datetime | None = None) -> dict[str, int]:
    """The deadline watch, from beat: warn each running stage past 80 % of its limit and
    escalate it past the limit, once each; then issue the supervision cards due by rule.

    Each stage is decided on under its case's lock, so a case that moves on meanwhile is
    judged as it now is, and a second run, or a second beat racing this one, finds nothing
    left to do.
    """
    now = now or timezone.now()
    marked = {"warned": 0, "escalated": 0, "cards": 0}
    for action, due_field, stamp_field, count in (
        (Action.WARN, "warn_at", "warned_at", "warned"),
        (Action.ESCALATE, "deadline", "escalated_at", "escalated"),
    ):
        pending = IncidentStage.objects.filter(
            ended_at__isnull=True, incident__status__in=Status.OPEN, **{f"{due_field}__lte": now, f"{stamp_field}__isnull": True}
        ).order_by("incident_id").values_list("incident_id", "pk")
        for incident_id, stage_id in list(pending):
            with transaction.atomic():
                incident = Incident.objects.select_for_update().get(pk=incident_id)
                stage = incident.current_stage  # read now, under the lock
                if incident.current_stage_id != stage_id or incident.status not in Status.OPEN or getattr(stage, stamp_field):
                    continue  # moved on, or another process got there first
                setattr(stage, stamp_field, now)
                stage.save(update_fields=[stamp_field])
                _record(incident=incident, actor=None, action=action, from_status=incident.status, data={"stage": stage.stage}, at=now)
                marked[count] += 1
    marked["cards"] = _issue_cards_by_rule(now=now)
    return marked


def _issue_cards_by_rule(*, now: datetime) -> int:
    """Cards on handling (the handler's clock): ordinary once overdue, yellow once overdue by
    more than CARD_YELLOW_OVERDUE_FRACTION of the limit, red at CARD_RED_LIMIT_MULTIPLE times
    the limit or after CARD_RED_REWORKS failed inspections. Each colour once per case: not
    again where the command centre or an official has already given the case that card."""
    handling = Incident.objects.filter(status=Status.ASSIGNED, current_stage__stage=Stage.HANDLE)
    reworked = Incident.objects.filter(status__in=Status.OPEN, rework_count__gte=settings.CARD_RED_REWORKS)
    issued = 0
    for rule, level in CARD_RULES.items():
        due_field = DUE_BY_RULE.get(rule)
        incidents = handling.filter(**{f"current_stage__{due_field}__lte": now}) if due_field else reworked
        carded = SupervisionCard.objects.filter(level=level).values("incident_id")
        for incident_id in list(incidents.exclude(pk__in=carded).exclude(appeal=Appeal.UPHELD).order_by("pk").values_list("pk", flat=True)):
            with transaction.atomic():
                incident = Incident.objects.select_for_update().get(pk=incident_id)
                # Every card is written under its case's lock, by hand or here: decided now, it
                # is not given twice, and the partial unique constraint stands behind that.
                if not _card_is_due(incident, incident.current_stage, rule, now) or incident.cards.filter(level=level).exists():
                    continue  # handled, suspended, exempted, carded by hand, or by another watch
                SupervisionCard.objects.create(incident=incident, level=level, rule=rule, created_at=now)
                _record(incident=incident, actor=None, action=Action.CARD, from_status=incident.status, data={"level": level, "rule": rule}, at=now)
                issued += 1
    return issued


# Each rule, the card it brings, and the time on the handling stage from which it is due (the
# second failed inspection has none: it is counted).
CARD_RULES = {
    SupervisionCard.Rule.OVERDUE: Card.ORDINARY,
    SupervisionCard.Rule.FAR_OVERDUE: Card.YELLOW,
    SupervisionCard.Rule.TWICE_LIMIT: Card.RED,
    SupervisionCard.Rule.SECOND_REWORK: Card.RED,
}
DUE_BY_RULE = {
    SupervisionCard.Rule.OVERDUE: "deadline",
    SupervisionCard.Rule.FAR_OVERDUE: "yellow_card_at",
    SupervisionCard.Rule.TWICE_LIMIT: "red_card_at",
}


def _card_is_due(incident: Incident, stage: IncidentStage | None, rule: str, now: datetime) -> bool:
    if incident.time_exempt or incident.status not in Status.OPEN:
        return False
    if rule not in DUE_BY_RULE:
        return incident.rework_count >= settings.CARD_RED_REWORKS
    if incident.status != Status.ASSIGNED or stage is None or stage.stage != Stage.HANDLE:
        return False
    return getattr(stage, DUE_BY_RULE[rule]) <= now


def incident_remind_suspended(*, now: datetime | None = None) -> int:
    """From beat, each morning: tell the command centre of the suspended cases whose review
    date has come, once per suspension."""
    now = now or timezone.now()
    due = Incident.objects.filter(status=Status.SUSPENDED, review_on__lte=timezone.localdate(now), review_reminded_at__isnull=True)
    reminded = 0
    for incident_id in list(due.order_by("pk").values_list("pk", flat=True)):
        with transaction.atomic():
            claimed = Incident.objects.filter(pk=incident_id, status=Status.SUSPENDED, review_reminded_at__isnull=True).update(
                review_reminded_at=now
            )
            if not claimed:
                continue  # resumed, or another process got there first
            incident = Incident.objects.get(pk=incident_id)
            _record(
                incident=incident, actor=None, action=Action.REVIEW_DUE, from_status=incident.status,
                data={"review_on": incident.review_on.isoformat()}, at=now,
            )
            reminded += 1
    return reminded


def _recipients(*, incident: Incident, who: str):
    active = User.objects.filter(is_active=True)
    if who == Notify.COMMAND_CENTRE:
        return list(active.filter(role=Role.DISPATCHER))
    if who == Notify.INSPECTORS:
        return list(active.filter(role=Role.INSPECTOR))
    if who == Notify.OFFICIALS:
        return list(active.filter(role=Role.OFFICIAL))
    if who == Notify.DEPARTMENT_HEAD:
        department_id = incident.assigned_department_id or (incident.assignee.department_id if incident.assignee_id else None)
        return list(active.filter(department_id=department_id, is_department_head=True)) if department_id else []
    if who == Notify.GRID_WORKERS:
        return list(active.filter(grid_worker__grids=incident.grid_id).distinct()) if incident.grid_id else []
    if who == Notify.REPORTER:
        return [incident.reporter] if incident.reporter and incident.reporter.is_active else []
    if who == Notify.ASSIGNEE:
        if incident.assignee_id:
            return [incident.assignee] if incident.assignee.is_active else []
        if incident.assigned_department_id:
            return list(active.filter(department_id=incident.assigned_department_id))
    return []


def _notice(event: IncidentEvent) -> tuple[str, str]:
    incident = event.incident
    where = incident.grid.name if incident.grid else _("outside every grid: route it by hand")
    subject = _("%(code)s %(category)s: %(action)s") % {
        "code": incident.code, "category": incident.category.name, "action": action_label(event.action)
    }
    lines = [incident.description, where]
    if event.note:
        lines.append(event.note)
    if incident.deadline:
        lines.append(_("Deadline: %(deadline)s") % {"deadline": f"{timezone.localtime(incident.deadline):%Y-%m-%d %H:%M}"})
    return subject, "\n".join(lines)


def _notify_list(event: IncidentEvent) -> tuple[str, ...]:
    if event.action == Action.REPORT:
        return REPORT_NOTIFY
    if event.action in (Action.WARN, Action.ESCALATE):
        return watch_notify(event.action, event.data.get("stage", Stage.HANDLE))
    if event.action == Action.REVIEW_DUE:
        return (Notify.COMMAND_CENTRE,)
    if event.action == Action.CARD:
        return CARD_NOTIFY[event.data["level"]]
    return TRANSITIONS[event.action].notify


def event_process(*, event_id: int) -> bool:
    """The follow-up work of one event, done once: route a case that has no grid yet, and notify.

    Safe to run any number of times, from the task or from the sweep: the event row is locked
    and marked processed in the same transaction as the notifications it creates.
    """
    with transaction.atomic():
        event = (
            IncidentEvent.objects.select_for_update(of=("self",))
            .select_related("incident__category", "incident__grid", "incident__assignee", "incident__reporter")
            .filter(pk=event_id)
            .first()
        )
        if event is None or event.processed_at is not None:
            return False  # gone, or another process got there first
        incident = event.incident
        if event.action == Action.REPORT and incident.grid_id is None:
            grid = locate_grid(latitude=incident.latitude, longitude=incident.longitude)
            if grid is not None:
                Incident.objects.filter(pk=incident.pk, grid__isnull=True).update(grid=grid)
                incident.grid = grid
                rollup_mark_changed(incident)
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = _notice(event)
        # Each person once, though they belong to two of the groups told (a department's head
        # is also its member); nobody needs telling of what they have just done themselves.
        recipients = {user.pk: user for who in _notify_list(event) for user in _recipients(incident=incident, who=who)}
        recipients.pop(event.actor_id, None)
        notification_create(recipients=list(recipients.values()), event=event, subject=subject, body=body)
        event.processed_at = timezone.now()
        event.save(update_fields=["processed_at"])
    return True


def events_sweep(*, now: datetime | None = None) -> int:
    """Do the follow-up work of events whose message never arrived (the broker was down)."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.EVENT_SWEEP_AFTER_SECONDS)
    stale = IncidentEvent.objects.filter(processed_at__isnull=True, created_at__lte=cutoff).order_by("id")
    return sum(event_process(event_id=event_id) for event_id in list(stale.values_list("pk", flat=True)[:1000]))


def calendar_load_national() -> dict[str, int]:
    """The State Council's holidays and make-up days that the installed chinese-calendar knows
    and the database lacks; local days are kept."""
    with transaction.atomic():
        loaded = load_national_days(CalendarDay)
    forget_calendar()  # written in bulk, without the signals that would have
    return loaded


def calendar_watch(*, today: date | None = None) -> dict:
    """Daily, from beat: load what a newer chinese-calendar knows, and from 1 December, while
    next year's holidays are still unknown, tell the administrators (on the 1st, then Mondays)."""
    today = today or timezone.localdate()
    loaded = calendar_load_national()
    next_year = today.year + 1
    known = WorkingCalendar.load(date(next_year, 1, 1), days=1).known_until is not None
    told = []
    if today.month == 12 and not known and (today.day == 1 or today.weekday() == 0):
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("The holidays of %(year)s are not in the working calendar yet") % {"year": next_year}
            body = _(
                "From 1 January %(year)s, deadlines counted in working time will count its public holidays as "
                "working days. Once the State Council has announced them, upgrade the chinese-calendar package and "
                "run manage.py load_calendar (beat also loads it every morning), or enter the holidays and make-up "
                "working days in the admin, under the working calendar."
            ) % {"year": next_year}
        # Once a day, even if beat runs the watch twice.
        recent = timezone.now() - timedelta(hours=20)
        already = Notification.objects.filter(subject=subject, created_at__gte=recent).values_list("recipient_id", flat=True)
        administrators = User.objects.filter(Q(role=Role.ADMIN) | Q(is_superuser=True), is_active=True).exclude(pk__in=already)
        told = notification_create(recipients=list(administrators), event=None, subject=subject, body=body)
    return {**loaded, "next_year_known": known, "administrators_told": len(told)}



# The daily counts behind the dashboard (incidents.stats): a past day's finished cases, summed
# once, and summed again whenever one of them changes.

ROLLUP_DIMENSIONS = ("grid", "category", "department", "source", "status")
# Each breakdown of DailyCount, by the dimensions it keeps (the outcome is always kept).
BREAKDOWN_KEEPS = {
    DailyCount.Breakdown.TOWN: ("status",),
    DailyCount.Breakdown.GRID: ("grid", "status"),
    DailyCount.Breakdown.CATEGORY: ("category", "status"),
    DailyCount.Breakdown.DEPARTMENT: ("department", "status"),
    DailyCount.Breakdown.SOURCE: ("source", "status"),
    DailyCount.Breakdown.CELL: ROLLUP_DIMENSIONS,
}


def rollup_mark_changed(incident: Incident) -> None:
    """Called with every event, in its transaction: a change to a case of a past day makes the
    dashboard read that day from the cases until it is summed again. The day's row is written
    (inserted if need be) and so held locked until this transaction ends: a sum of the day that
    starts meanwhile waits, and then sees this change."""
    day = timezone.localdate(incident.reported_at)
    if day >= timezone.localdate(timezone.now()) or held():
        return  # today is always read from the cases; history loaded in bulk is summed after
    table = RollupDay._meta.db_table
    with connection.cursor() as cursor:
        # One statement, the same on SQLite and PostgreSQL: an upsert that counts.
        cursor.execute(
            f"INSERT INTO {table} (day, changes) VALUES (%s, 1) ON CONFLICT (day) DO UPDATE SET changes = {table}.changes + 1",
            [day],
        )
    dispatch_on_commit("incidents.tasks.refresh_rollup_day", day.isoformat())


def rollup_refresh_day(*, day: date, now: datetime | None = None, force: bool = False) -> bool:
    """Sum one past day's cases into DailyCount, unless it is summed and unchanged.

    The day's row is created first, marked changed, in a transaction of its own; the sum then
    reads the cases under the row's lock. A change made before it committed marked the row (and
    held it), so the sum waited for it and sees it; a change that commits after waits for the
    lock and leaves the day marked for another sum.
    """
    now = now or timezone.now()
    if day >= timezone.localdate(now):
        return False  # today is always read from the cases
    if not force and RollupDay.objects.filter(day=day, changes=0).exists():
        return False  # summed, and unchanged since: a second refresh sent for the same change
    RollupDay.objects.get_or_create(day=day, defaults={"changes": 1})
    with transaction.atomic():
        summed = RollupDay.objects.select_for_update().get(day=day)
        if summed.changes == 0 and not force:
            return False  # another process got there first
        start, end = day_bounds(day)
        cells = stats.count_cases(Incident.objects.filter(reported_at__gte=start, reported_at__lt=end), now=now, by=ROLLUP_DIMENSIONS)
        DailyCount.objects.filter(day=day).delete()
        DailyCount.objects.bulk_create(_daily_counts(day, cells), batch_size=500)
        summed.changes, summed.summed_at = 0, now
        summed.save(update_fields=["changes", "summed_at"])
    return True


def _daily_counts(day: date, cells: dict[tuple, dict]) -> list[DailyCount]:
    rows = []
    for breakdown, keeps in BREAKDOWN_KEEPS.items():
        folded: dict[tuple, dict] = {}
        for key, counts in cells.items():
            kept = tuple(value for name, value in zip(ROLLUP_DIMENSIONS, key) if name in keeps)
            totals = folded.setdefault(kept, dict.fromkeys(stats.STORED_COUNTERS, 0))
            for name in stats.STORED_COUNTERS:
                totals[name] += counts.get(name, 0)
        for kept, totals in folded.items():
            dimensions = dict(zip(keeps, kept))
            rows.append(DailyCount(
                day=day, breakdown=breakdown,
                grid_id=dimensions.get("grid"), category_id=dimensions.get("category"),
                department_id=dimensions.get("department"), source=dimensions.get("source", ""),
                status=dimensions["status"], **totals,
            ))
    return rows


def rollups_sum_days(*, first: date | None = None, last: date | None = None, force: bool = False, now: datetime | None = None, progress=None) -> int:
    """Sum the past days from `first` to `last` (by default from the first case up to
    yesterday) that are not summed, or changed since (with `force`: every one). Returns the
    days summed."""
    now = now or timezone.now()
    last = min(last or date.max, timezone.localdate(now) - timedelta(days=1))
    first = first or stats.first_reported_day() or last + timedelta(days=1)
    days = [first + timedelta(days=i) for i in range(max((last - first).days + 1, 0))]
    if not force:
        clean = set(RollupDay.objects.filter(day__gte=first, day__lte=last, changes=0).values_list("day", flat=True))
        days = [day for day in days if day not in clean]
    summed = 0
    for day in progress(days) if progress else days:
        summed += rollup_refresh_day(day=day, now=now, force=force)
    return summed
