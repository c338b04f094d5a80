"""Every write to the screening register goes through here: registering an arrival (with its
follow-ups scheduled), marking a follow-up done, and recording who saw personal data in full.

Each change runs in one transaction and writes a ScreeningEvent. The service checks every
field itself, whatever the page or API already parsed: a refusal is InvalidInput with a message
per field, and nothing is stored.

`now` is the server's clock, given only when loading history (the demo town).
"""

import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, phone_validator
from accounts.privacy import id_number_normalised, id_number_problem, mask_id_number, mask_phone
from accounts.services import personal_data_views_record
from govgrid.towntime import town_minute
from grids.models import Compound, Grid
from incidents.errors import Conflict, InvalidInput, Missing, NotAllowed

from .models import Arrival, FollowUp, HealthStatus, ScreeningEvent
from .selectors import arrivals_visible_to, full_view_grids, may_register

# The fields of an entry that are personal data, as the record of views names them.
PERSONAL_FIELDS = ("phone", "id_number")


def _record(*, arrival: Arrival, action: str, actor, at: datetime, follow_up: FollowUp | None = None, data: dict | None = None) -> ScreeningEvent:
    return ScreeningEvent.objects.create(arrival=arrival, follow_up=follow_up, action=action, actor=actor, at=at, data=data or {})


def _text(value, *, field: str, label: str, most: int, errors: dict, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[field] = _("%(field)s is required.") % {"field": label}
    elif len(value) > most:
        errors[field] = _("At most %(count)d characters.") % {"count": most}
    return value


def _person_fields(*, name: str, phone: str, id_number: str, origin: str, notes: str, errors: dict) -> tuple[str, str, str, str, str]:
    """An entry's own fields, cleaned (the phone's digits, the ID number normalised) and checked
    (the ID number by its check digit); each problem put in `errors` under its field."""
    name = _text(name, field="name", label=_("Full name"), most=50, errors=errors)
    origin = _text(origin, field="origin", label=_("Arriving from"), most=100, errors=errors)
    notes = _text(notes, field="notes", label=_("Notes"), most=2000, errors=errors, required=False)
    phone = _text(phone_normalised(phone), field="phone", label=_("Phone"), most=20, errors=errors)
    if phone and "phone" not in errors:
        try:
            phone_validator(phone)
        except ValidationError:
            errors["phone"] = _("Enter a valid phone number.")
    id_number = id_number_normalised(id_number)
    problem = id_number_problem(id_number)
    if problem:
        errors["id_number"] = problem
    return name, phone, id_number, origin, notes


def _duplicate(existing: Arrival, *, actor) -> Conflict:
    """The refusal of an ID number registered already for the date. Only those who may see the
    entry there are told whose it is: to anyone else an ID number would be a way to look a
    person up in other grids."""
    grids = full_view_grids(actor)
    if grids is not None and existing.grid_id not in grids:
        message = _("This ID number is registered already for %(date)s in another grid: ask the command centre.") % {
            "date": existing.arrived_on.isoformat(),
        }
        return Conflict(message, fields={"id_number": message})
    message = _(
        "This ID number is registered already for %(date)s: %(name)s, entry %(id)s in %(grid)s, recorded by %(by)s at %(at)s."
    ) % {
        "date": existing.arrived_on.isoformat(), "name": existing.name, "id": existing.pk, "grid": existing.grid.name,
        "by": existing.recorded_by.display_name, "at": town_minute(existing.recorded_at),
    }
    return Conflict(message, fields={"id_number": message})


def arrival_register(
    *, actor, grid: Grid, name: str, phone: str, id_number: str, origin: str, arrived_on: date,
    health_status: str = HealthStatus.HEALTHY, compound: Compound | None = None, notes: str = "", campaign=None,
    client_uuid: uuid.UUID | None = None, now: datetime | None = None,
) -> tuple[Arrival, bool]:
    """Register a person arriving in `grid` on `arrived_on` (not after today) and schedule their
    follow-ups SCREENING_FOLLOW_UP_DAYS after it. A grid worker registers in their own grids,
    the command centre anywhere. The same ID number on the same arrival date is a conflict,
    naming the entry there is to those who may see it.

    Returns (entry, created). `client_uuid` is made on the phone: the same form sent again (its
    answer lost on a weak signal) returns the entry it made, created False, and stores nothing."""
    now = now or timezone.now()
    if not may_register(actor):
        raise NotAllowed(_("Only grid workers and the command centre register arrivals."))
    if not actor.has_role(Role.DISPATCHER) and not grid.workers.filter(user=actor).exists():
        raise NotAllowed(_("You do not serve this grid."), fields={"grid": _("Choose one of your grids.")})
    if client_uuid is not None:
        sent_before = _sent_before(client_uuid, actor=actor)
        if sent_before is not None:
            return sent_before, False
    errors: dict[str, str] = {}
    name, phone, id_number, origin, notes = _person_fields(
        name=name, phone=phone, id_number=id_number, origin=origin, notes=notes, errors=errors
    )
    today = timezone.localdate(now)
    if arrived_on > today:
        errors["arrived_on"] = _("The arrival date %(date)s is in the future.") % {"date": arrived_on.isoformat()}
    if health_status not in HealthStatus.values:
        errors["health_status"] = _("Choose one of the health statuses.")
    if compound is not None and compound.grid_id != grid.pk:
        errors["compound"] = _("%(compound)s is not in %(grid)s.") % {"compound": compound.name, "grid": grid.name}
    if errors:
        raise InvalidInput(_("The entry has errors; nothing was stored."), fields=errors)
    existing = Arrival.objects.select_related("grid", "recorded_by").filter(id_number=id_number, arrived_on=arrived_on).first()
    if existing and client_uuid is not None and existing.client_uuid == client_uuid:
        return _sent_before(client_uuid, actor=actor), False  # the same form's retry, here since the check above
    if existing:
        raise _duplicate(existing, actor=actor)
    try:
        with transaction.atomic():
            arrival = Arrival.objects.create(
                grid=grid, compound=compound, campaign=campaign, name=name, phone=phone, id_number=id_number, origin=origin,
                arrived_on=arrived_on, health_status=health_status, notes=notes, recorded_by=actor, recorded_at=now,
                client_uuid=client_uuid,
            )
            scheduled, skipped = follow_up_days(arrived_on, registered_on=today)
            FollowUp.objects.bulk_create([FollowUp(arrival=arrival, day=day, due_on=arrived_on + timedelta(days=day)) for day in scheduled])
            _record(
                arrival=arrival, action=ScreeningEvent.Action.REGISTERED, actor=actor, at=now,
                data={"grid": grid.code, "arrived_on": arrived_on.isoformat(), "health_status": health_status, "skipped_days": skipped},
            )
    except IntegrityError:
        # The same form's retry got there first, or the same person registered by someone else
        # at the same moment.
        sent_before = _sent_before(client_uuid, actor=actor) if client_uuid is not None else None
        if sent_before is not None:
            return sent_before, False
        existing = Arrival.objects.select_related("grid", "recorded_by").filter(id_number=id_number, arrived_on=arrived_on).first()
        if existing is None:
            raise
        raise _duplicate(existing, actor=actor) from None
    return arrival, True


def _sent_before(client_uuid: uuid.UUID, *, actor) -> Arrival | None:
    """The entry made by an earlier sending of the same form; a UUID of someone else's entry is a conflict."""
    arrival = Arrival.objects.filter(client_uuid=client_uuid).first()
    if arrival is not None and arrival.recorded_by_id != actor.pk:
        message = _("This form's UUID belongs to another entry: send it again as a new form.")
        raise Conflict(message, fields={"uuid": message})
    return arrival


def phone_normalised(value: str) -> str:
    """A phone number as typed on a phone's keyboard, spaces, dashes, dots and brackets left out
    (full-width characters of a Chinese input method read as their ASCII twins): the digits
    kept, and a leading +."""
    value = unicodedata.normalize("NFKC", value or "").strip()
    return re.sub(r"[\s\-.()]", "", value)


def _before_after(field: str, before, after) -> list:
    """A change as the event keeps it: phone and ID number masked (the history is read by more
    people than the register's full view), dates as text, records by name."""
    if field == "phone":
        return [mask_phone(before), mask_phone(after)]
    if field == "id_number":
        return [mask_id_number(before), mask_id_number(after)]
    return [value.isoformat() if isinstance(value, date) else (str(value) if value is not None else "") for value in (before, after)]


def arrival_correct(
    *, actor, arrival_id: int, grid: Grid, name: str, phone: str, id_number: str, origin: str, arrived_on: date,
    compound: Compound | None = None, campaign=None, notes: str = "", now: datetime | None = None,
) -> tuple[Arrival, list[str]]:
    """Correct an entry typed wrong: grid, compound, campaign, name, phone, ID number (checked
    again), origin, arrival date and notes, checked as when it was registered. By the command
    centre, or a worker of the entry's grid (and of the new one, if it moves). A new arrival
    date moves the follow-ups not done yet (those now due before the registration are dropped,
    those now due after it added); the done ones stay as they were. The event keeps what
    changed, phone and ID number masked. Returns the entry and the names of the fields changed."""
    now = now or timezone.now()
    if not may_register(actor):
        raise NotAllowed(_("Only the grid's workers and the command centre correct entries."))
    errors: dict[str, str] = {}
    name, phone, id_number, origin, notes = _person_fields(
        name=name, phone=phone, id_number=id_number, origin=origin, notes=notes, errors=errors
    )
    if compound is not None and compound.grid_id != grid.pk:
        errors["compound"] = _("%(compound)s is not in %(grid)s.") % {"compound": compound.name, "grid": grid.name}
    if not actor.has_role(Role.DISPATCHER) and not grid.workers.filter(user=actor).exists():
        errors["grid"] = _("Choose one of your grids.")
    try:
        with transaction.atomic():
            arrival = arrivals_visible_to(actor).select_for_update(of=("self",)).filter(pk=arrival_id).first()
            if arrival is None:
                raise Missing(_("No such entry."))
            registered_on = timezone.localdate(arrival.recorded_at)
            if arrived_on > registered_on:
                errors["arrived_on"] = _("The arrival date comes on or before the registration (%(date)s).") % {"date": registered_on.isoformat()}
            if errors:
                raise InvalidInput(_("The correction has errors; nothing was changed."), fields=errors)
            existing = (
                Arrival.objects.select_related("grid", "recorded_by").filter(id_number=id_number, arrived_on=arrived_on).exclude(pk=arrival.pk).first()
            )
            if existing:
                raise _duplicate(existing, actor=actor)
            values = {
                "grid": grid, "compound": compound, "campaign": campaign, "name": name, "phone": phone, "id_number": id_number,
                "origin": origin, "arrived_on": arrived_on, "notes": notes,
            }
            changed = {field: _before_after(field, getattr(arrival, field), value) for field, value in values.items() if getattr(arrival, field) != value}
            if not changed:
                return arrival, []
            for field, value in values.items():
                setattr(arrival, field, value)
            arrival.save(update_fields=[*values, "updated_at"])
            if "arrived_on" in changed:
                _reschedule(arrival, registered_on=registered_on)
            _record(arrival=arrival, action=ScreeningEvent.Action.CORRECTED, actor=actor, at=now, data={"changed": changed})
    except IntegrityError:
        existing = Arrival.objects.select_related("grid", "recorded_by").filter(id_number=id_number, arrived_on=arrived_on).exclude(pk=arrival_id).first()
        if existing is None:
            raise
        raise _duplicate(existing, actor=actor) from None
    return arrival, list(changed)


def _reschedule(arrival: Arrival, *, registered_on: date) -> None:
    """The open follow-ups on the days the arrival date now gives; done ones are history."""
    scheduled, _skipped = follow_up_days(arrival.arrived_on, registered_on=registered_on)
    follow_ups = {follow_up.day: follow_up for follow_up in FollowUp.objects.select_for_update().filter(arrival=arrival)}
    FollowUp.objects.filter(arrival=arrival, done_at__isnull=True).exclude(day__in=scheduled).delete()
    moved = []
    for day in scheduled:
        follow_up = follow_ups.get(day)
        if follow_up is not None and not follow_up.done:
            follow_up.due_on = arrival.arrived_on + timedelta(days=day)
            moved.append(follow_up)
    FollowUp.objects.bulk_update(moved, ["due_on"])
    FollowUp.objects.bulk_create([
        FollowUp(arrival=arrival, day=day, due_on=arrival.arrived_on + timedelta(days=day)) for day in scheduled if day not in follow_ups
    ])


def follow_up_days(arrived_on: date, *, registered_on: date) -> tuple[list[int], list[int]]:
    """The follow-up days (SCREENING_FOLLOW_UP_DAYS after the arrival) to schedule, and those
    skipped: a visit due before the person was registered cannot have been made, so it is not
    scheduled at all (the registration is the first contact) instead of being overdue from
    the start."""
    scheduled = [day for day in settings.SCREENING_FOLLOW_UP_DAYS if arrived_on + timedelta(days=day) >= registered_on]
    return scheduled, [day for day in settings.SCREENING_FOLLOW_UP_DAYS if day not in scheduled]


def follow_up_done(*, actor, follow_up_id: int, health_status: str, note: str = "", now: datetime | None = None) -> tuple[FollowUp, bool]:
    """Mark a follow-up done, on its due day or later, with the health status found and a short
    result; the entry takes that status. Returns (follow-up, changed): one done already is returned as it is (a phone's
    second tap, or a colleague's), changed False. Missing if the actor may not see the entry;
    NotAllowed for those who only read the register."""
    now = now or timezone.now()
    errors = {}
    if health_status not in HealthStatus.values:
        errors["health_status"] = _("Choose one of the health statuses.")
    note = _text(note, field="note", label=_("Result"), most=200, errors=errors, required=False)
    with transaction.atomic():
        arrival_id = FollowUp.objects.filter(pk=follow_up_id).values_list("arrival_id", flat=True).first()
        # Entry first, then its follow-up: the order every change of an entry locks in.
        arrival = arrivals_visible_to(actor).select_for_update(of=("self",)).filter(pk=arrival_id).first() if arrival_id else None
        if arrival is None:
            raise Missing(_("No such follow-up visit."))
        if not may_register(actor):
            raise NotAllowed(_("Only the grid's workers and the command centre follow people up."))
        if errors:
            raise InvalidInput(_("The follow-up has errors; nothing was stored."), fields=errors)
        follow_up = FollowUp.objects.select_for_update().get(pk=follow_up_id)
        if follow_up.done:
            return follow_up, False
        if follow_up.due_on > timezone.localdate(now):
            # A visit marked days early reports a health status the person is not yet known to have.
            message = _("This follow-up is due on %(date)s: it can be marked done from that day on.") % {"date": follow_up.due_on.isoformat()}
            raise Conflict(message, fields={"due_on": message})
        follow_up.done_at, follow_up.done_by, follow_up.health_status, follow_up.note = now, actor, health_status, note
        follow_up.save(update_fields=["done_at", "done_by", "health_status", "note"])
        before = arrival.health_status
        if before != health_status:
            arrival.health_status = health_status
            arrival.save(update_fields=["health_status", "updated_at"])
        _record(
            arrival=arrival, follow_up=follow_up, action=ScreeningEvent.Action.FOLLOW_UP_DONE, actor=actor, at=now,
            data={"day": follow_up.day, "due_on": follow_up.due_on.isoformat(), "from": before, "to": health_status, "note": note},
        )
    return follow_up, True


@dataclass(frozen=True)
class Shown:
    """An entry's personal data as one viewer is shown it."""

    arrival: Arrival
    phone: str
    id_number: str
    full: bool


def arrivals_disclose(*, viewer, arrivals, where: str, fields: tuple[str, ...] = PERSONAL_FIELDS) -> list[Shown]:
    """Phone and ID number of each entry, in full for the grid's own workers and the command
    centre, masked for everyone else; each entry shown in full is recorded as seen by `viewer`
    at `where` (one record for the whole list), the `fields` of it the response shows. Call once
    per response, with every entry it shows."""
    arrivals = list(arrivals)
    grids = full_view_grids(viewer)
    shown = []
    for arrival in arrivals:
        full = grids is None or arrival.grid_id in grids
        if full:
            shown.append(Shown(arrival, arrival.phone, arrival.id_number, True))
        else:
            shown.append(Shown(arrival, mask_phone(arrival.phone), mask_id_number(arrival.id_number), False))
    personal_data_views_record(viewer=viewer, records=[item.arrival for item in shown if item.full], fields=fields, where=where)
    return shown
