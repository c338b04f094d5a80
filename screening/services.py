"""Every write to the screening register goes through here: registering an arrival (with its
follow-ups scheduled), marking a follow-up done, and recording who saw personal data in full.

Each change runs in one transaction and writes a ScreeningEvent. The service checks every
field itself, whatever the page or API already parsed: a refusal is InvalidInput with a message
per field, and nothing is stored.

`now` is the server's clock, given only when loading history (the demo town).
"""

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


def _duplicate(existing: Arrival) -> Conflict:
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
    now: datetime | None = None,
) -> Arrival:
    """Register a person arriving in `grid` on `arrived_on` (not after today) and schedule their
    follow-ups SCREENING_FOLLOW_UP_DAYS after it. A grid worker registers in their own grids,
    the command centre anywhere. The same ID number on the same arrival date is a conflict
    naming the entry there is."""
    now = now or timezone.now()
    if not may_register(actor):
        raise NotAllowed(_("Only grid workers and the command centre register arrivals."))
    if not actor.has_role(Role.DISPATCHER) and not grid.workers.filter(user=actor).exists():
        raise NotAllowed(_("You do not serve this grid."), fields={"grid": _("Choose one of your grids.")})
    errors: dict[str, str] = {}
    name = _text(name, field="name", label=_("Full name"), most=50, errors=errors)
    origin = _text(origin, field="origin", label=_("Arriving from"), most=100, errors=errors)
    notes = _text(notes, field="notes", label=_("Notes"), most=2000, errors=errors, required=False)
    phone = _text(phone, field="phone", label=_("Phone"), most=20, errors=errors)
    if phone and "phone" not in errors:
        try:
            phone_validator(phone)
        except ValidationError:
            errors["phone"] = _("Enter a valid phone number.")
    id_number = id_number_normalised(id_number)
    problem = id_number_problem(id_number)
    if problem:
        errors["id_number"] = problem
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
    if existing:
        raise _duplicate(existing)
    try:
        with transaction.atomic():
            arrival = Arrival.objects.create(
                grid=grid, compound=compound, campaign=campaign, name=name, phone=phone, id_number=id_number, origin=origin,
                arrived_on=arrived_on, health_status=health_status, notes=notes, recorded_by=actor, recorded_at=now,
            )
            FollowUp.objects.bulk_create([
                FollowUp(arrival=arrival, day=day, due_on=arrived_on + timedelta(days=day)) for day in settings.SCREENING_FOLLOW_UP_DAYS
            ])
            _record(
                arrival=arrival, action=ScreeningEvent.Action.REGISTERED, actor=actor, at=now,
                data={"grid": grid.code, "arrived_on": arrived_on.isoformat(), "health_status": health_status},
            )
    except IntegrityError:
        # The same person registered by someone else at the same moment.
        existing = Arrival.objects.select_related("grid", "recorded_by").filter(id_number=id_number, arrived_on=arrived_on).first()
        if existing is None:
            raise
        raise _duplicate(existing) from None
    return arrival


def follow_up_done(*, actor, follow_up_id: int, health_status: str, note: str = "", now: datetime | None = None) -> tuple[FollowUp, bool]:
    """Mark a follow-up done with the health status found and a short result; the entry takes
    that status. Returns (follow-up, changed): one done already is returned as it is (a phone's
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
