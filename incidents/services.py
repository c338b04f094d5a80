"""Every write to an incident goes through here.

`incident_report` opens a case; `incident_transition` performs every other step of the loop by
the table in `workflow.py`: it checks the actor and the status, locks the row, writes the event,
saves, and sends the follow-up work once the transaction commits.
"""

import logging
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from PIL import UnidentifiedImageError

from accounts.models import Department, Notification, Role
from accounts.services import notification_create
from grids.geojson import validate_position
from govgrid.text import clean_text
from grids.spatial import locate_grid, locate_grid_id

from .errors import Conflict, InvalidInput, Missing, NotAllowed, NotPossible
from .holidays import load_national_days
from .models import CalendarDay, Category, Incident, IncidentEvent, IncidentPhoto, Source
from .outbox import dispatch_event_on_commit, dispatch_on_commit
from .photos import PreparedPhoto, thumbnail_of
from .timelimits import WorkingCalendar, deadline_and_warning
from .workflow import (
    REPORT_NOTIFY,
    TRANSITIONS,
    WATCH_NOTIFY,
    Action,
    Notify,
    Status,
    action_label,
    acts_as,
    may_report,
)

User = get_user_model()
logger = logging.getLogger(__name__)


# The timestamp each status sets when a case enters it. A rework re-enters `assigned` but
# keeps the first assignment time. Rejected and merged cases are finished, hence closed_at.
TIME_OF = {
    Status.REPORTED: None,
    Status.ASSIGNED: "assigned_at",
    Status.HANDLED: "handled_at",
    Status.INSPECTED: "inspected_at",
    Status.CLOSED: "closed_at",
    Status.REJECTED: "closed_at",
    Status.MERGED: "closed_at",
}


@dataclass
class Photos:
    """Photos by stage, each already prepared by `incidents.photos.prepare_photo`."""

    report: list[PreparedPhoto]
    before: list[PreparedPhoto]
    after: list[PreparedPhoto]

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


def incident_set_deadline(*, incident: Incident, calendar: WorkingCalendar | None = None) -> None:
    category = incident.category
    incident.deadline, incident.warn_at = deadline_and_warning(
        incident.reported_at, float(category.time_limit), category.time_unit, calendar
    )


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
    errors = validate_position(latitude=latitude, longitude=longitude)
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
                client_uuid=client_uuid,
                grid_id=locate_grid_id(latitude=latitude, longitude=longitude),
                reported_at=at,
            )
            incident_set_deadline(incident=incident, calendar=calendar)
            incident.save()
            incident.code = f"{timezone.localtime(at):%Y%m%d}{incident.pk:06d}"
            incident.save(update_fields=["code"])
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
) -> Incident:
    """Apply one row of the transition table. Anything refused raises and changes nothing.

    `check` is the action's own rule about another row (the assignee, the merge target); it
    runs under the case's lock, after the table's checks, and raises to refuse. Rows are locked
    in one order everywhere: cases by id, then people.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise InvalidInput(_("Unknown action “%(action)s”.") % {"action": action})
    at = at or timezone.now()
    with _atomic_with_photos() as written:
        try:
            incident = Incident.objects.select_for_update().get(pk=incident_id)
        except Incident.DoesNotExist:
            raise Missing(_("No such incident.")) from None
        if not any(acts_as(actor, who, incident) for who in transition.actors):
            raise NotAllowed(_("You may not %(action)s this incident.") % {"action": action_label(action)})
        if expected_version is not None and expected_version != incident.version:
            raise Conflict(_("Someone else changed this incident; reload it and try again."))
        if incident.status not in transition.sources:
            raise NotPossible(
                _("Cannot %(action)s an incident that is %(status)s.")
                % {"action": action_label(action), "status": incident.get_status_display()}
            )
        if check:
            check(incident)
        from_status = incident.status
        incident.status = transition.target
        incident.version += 1
        for field, value in (changes or {}).items():
            setattr(incident, field, value)
        updated = {"status", "version", *(changes or {})}
        stamp = TIME_OF[transition.target]
        if stamp and action != Action.REWORK:
            setattr(incident, stamp, at)
            updated.add(stamp)
        incident.save(update_fields=sorted(updated))
        event = _record(incident=incident, actor=actor, action=action, from_status=from_status, note=note, data=data, at=at)
        if photos:
            _attach(incident=incident, event=event, photos=photos, by=actor, written=written)
    return incident


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
    )


def incident_handle(*, incident_id: int, actor, note: str = "", photos: Photos | None = None, expected_version=None, at=None) -> Incident:
    return incident_transition(
        incident_id=incident_id, actor=actor, action=Action.HANDLE, note=note, photos=photos, expected_version=expected_version, at=at
    )


def incident_inspect(*, incident_id: int, actor, passed: bool, note: str = "", expected_version=None, at=None) -> Incident:
    return incident_transition(
        incident_id=incident_id,
        actor=actor,
        action=Action.INSPECT if passed else Action.REWORK,
        note=note,
        data={"passed": passed},
        expected_version=expected_version,
        at=at,
    )


def incident_close(*, incident_id: int, actor, note: str = "", expected_version=None, at=None) -> Incident:
    return incident_transition(
        incident_id=incident_id, actor=actor, action=Action.CLOSE, note=note, expected_version=expected_version, at=at
    )


def incident_reject(*, incident_id: int, actor, reason: str, expected_version=None, at=None) -> Incident:
    if not reason.strip():
        raise InvalidInput(_("Give the reason for rejecting."), fields={"reason": _("This field is required.")})
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
        if target.status in Status.NOT_COUNTED:
            raise NotPossible(
                _("Merge into a live case, not one that is rejected or merged."),
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
    """Warn open cases past 80 % of their limit and escalate those past it, once each.

    Each case is claimed with a conditional update, so a second run, or a second beat racing
    this one, finds nothing left to mark.
    """
    now = now or timezone.now()
    marked = {Action.WARN: 0, Action.ESCALATE: 0}
    for action, due_field, stamp_field in ((Action.WARN, "warn_at", "warned_at"), (Action.ESCALATE, "deadline", "escalated_at")):
        pending = Incident.objects.filter(
            status__in=Status.OPEN, **{f"{due_field}__lte": now, f"{stamp_field}__isnull": True}
        ).values_list("pk", flat=True)
        for incident_id in list(pending):
            with transaction.atomic():
                claimed = Incident.objects.filter(
                    pk=incident_id, status__in=Status.OPEN, **{f"{stamp_field}__isnull": True}
                ).update(**{stamp_field: now})
                if not claimed:
                    continue  # another process got there first
                incident = Incident.objects.get(pk=incident_id)
                _record(incident=incident, actor=None, action=action, from_status=incident.status, at=now)
                marked[action] += 1
    return {"warned": marked[Action.WARN], "escalated": marked[Action.ESCALATE]}


def _recipients(*, incident: Incident, who: str):
    active = User.objects.filter(is_active=True)
    if who == Notify.COMMAND_CENTRE:
        return list(active.filter(role=Role.DISPATCHER))
    if who == Notify.INSPECTORS:
        return list(active.filter(role=Role.INSPECTOR))
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
    if event.action in WATCH_NOTIFY:
        return WATCH_NOTIFY[event.action]
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
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = _notice(event)
        for who in _notify_list(event):
            # Nobody needs telling of what they have just done themselves.
            recipients = [user for user in _recipients(incident=incident, who=who) if user.pk != event.actor_id]
            notification_create(recipients=recipients, event=event, subject=subject, body=body)
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
        return load_national_days(CalendarDay)


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

