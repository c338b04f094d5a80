"""Every write to teams, volunteers and activities goes through here.

Each change runs in one transaction and writes one Event row. The rows a decision is read from
are locked first, always in the same order (team, then volunteers by id), so two recordings
naming the same volunteers never wait on each other in a circle. Photos are checked and shrunk
(`incidents.photos.prepare_photo`) before the transaction; their files are deleted if it rolls
back.
"""

import uuid
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Community, Compound, Grid
from incidents.errors import Conflict, InvalidInput, Missing, NotAllowed
from incidents.photos import PhotoRefused, PreparedPhoto, prepare_photo

from .models import MAX_HOURS_PER_ACTIVITY, Activity, ActivityPhoto, ActivityVolunteer, Event, Team, Volunteer
from .selectors import may_manage, may_record_in

MAX_AUDIENCE = 100_000
MAX_VOLUNTEERS = 200


def _record(*, action: str, actor, at: datetime, data: dict | None = None, **subject) -> Event:
    return Event.objects.create(action=action, actor=actor, at=at, data=data or {}, **subject)


def _check_manager(actor) -> None:
    if not may_manage(actor):
        raise NotAllowed(_("Only the command centre manages volunteer teams and volunteers."))


def _required_text(value: str, *, field: str, errors: dict, message: str) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = message
    return value


def team_create(*, actor, name: str, kind: str, community: Community | None = None, now: datetime | None = None) -> Team:
    _check_manager(actor)
    errors = {}
    name = _required_text(name, field="name", errors=errors, message=_("Give the team a name."))
    if kind not in Team.Kind.values:
        errors["kind"] = _("Choose one of the kinds of team.")
    if name and Team.objects.filter(name=name).exists():
        errors["name"] = _("There is a team of this name already.")
    if errors:
        raise InvalidInput(_("The team was not created: see the fields."), fields=errors)
    now = now or timezone.now()
    with transaction.atomic():
        team = Team.objects.create(name=name, kind=kind, community=community, created_at=now)
        _record(action=Event.Action.TEAM_CREATE, actor=actor, at=now, team=team, data={"name": name, "kind": kind})
    return team


def _changed(instance, changes: dict) -> dict:
    """The changes that change something, applied to `instance`, as {field: new value} for the
    event row (related rows by id)."""
    changed = {}
    for name, value in changes.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed[name] = getattr(value, "pk", value)
    return changed


def team_update(*, actor, team: Team, changes: dict, now: datetime | None = None) -> Team:
    """Change a team's name, kind, leader or community (the admin's form, checked there)."""
    _check_manager(actor)
    now = now or timezone.now()
    leader = changes.get("leader")
    if leader is not None and leader.team_id != team.pk:
        raise InvalidInput(_("The leader must be a member of the team."), fields={"leader": _("Choose a member of this team.")})
    with transaction.atomic():
        team = Team.objects.select_for_update().get(pk=team.pk)
        changed = _changed(team, changes)
        if changed:
            team.save(update_fields=list(changed))
            _record(action=Event.Action.TEAM_CHANGE, actor=actor, at=now, team=team, data={key: str(value) for key, value in changed.items()})
    return team


def volunteer_update(*, actor, volunteer: Volunteer, changes: dict, now: datetime | None = None) -> Volunteer:
    """Change a volunteer's details, team or account (the admin's form, checked there). Their
    hours stay theirs: they are the activities', whatever team they are in now."""
    _check_manager(actor)
    now = now or timezone.now()
    with transaction.atomic():
        volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        changed = _changed(volunteer, changes)
        if changed:
            volunteer.save(update_fields=list(changed))
            # A phone number is personal data: the trail says it changed, not what to.
            data = {key: ("…" if key == "phone" else str(value)) for key, value in changed.items()}
            _record(action=Event.Action.VOLUNTEER_CHANGE, actor=actor, at=now, volunteer=volunteer, data=data)
    return volunteer


def _volunteer_errors(*, name: str, profession: str, phone: str, errors: dict) -> None:
    """Each problem under its field; the first volunteer's problem with a field is the one told."""
    if not (name or "").strip():
        errors.setdefault("name", _("Give the volunteer's name."))
    if profession not in Volunteer.Profession.values:
        errors.setdefault("profession", _("Choose one of the professions."))
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 20):
        errors.setdefault("phone", _("A phone number has 7 to 20 digits, digits only."))


def volunteers_register(*, actor, team: Team, people: list[dict], now: datetime | None = None) -> list[Volunteer]:
    """Register volunteers in a team: each of `people` a dict of name, profession, and optionally
    skills, phone, user. One event row per volunteer; all or none are registered."""
    _check_manager(actor)
    now = now or timezone.now()
    errors = {}
    for person in people:
        _volunteer_errors(
            name=person.get("name", ""), profession=person.get("profession", ""), phone=(person.get("phone") or "").strip(), errors=errors,
        )
    users = [person["user"].pk for person in people if person.get("user") is not None]
    if len(set(users)) < len(users) or Volunteer.objects.filter(user_id__in=users).exists():
        errors["user"] = _("A user account can be one volunteer only.")
    if errors:
        raise InvalidInput(_("No volunteer was registered: %(problem)s") % {"problem": next(iter(errors.values()))}, fields=errors)
    with transaction.atomic():
        team = Team.objects.select_for_update().get(pk=team.pk)
        volunteers = Volunteer.objects.bulk_create([
            Volunteer(
                name=person["name"].strip(), team=team, profession=person["profession"], skills=(person.get("skills") or "").strip(),
                phone=(person.get("phone") or "").strip(), user=person.get("user"), created_at=now,
            )
            for person in people
        ])
        Event.objects.bulk_create([
            Event(action=Event.Action.VOLUNTEER_CREATE, actor=actor, at=now, volunteer=volunteer, data={"team": team.pk})
            for volunteer in volunteers
        ])
    return volunteers


def volunteer_register(*, actor, team: Team, name: str, profession: str, skills: str = "", phone: str = "", user=None,
                       now: datetime | None = None) -> Volunteer:
    return volunteers_register(
        actor=actor, team=team, people=[{"name": name, "profession": profession, "skills": skills, "phone": phone, "user": user}], now=now,
    )[0]


def _hours(value) -> Decimal | None:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return hours if hours.is_finite() else None


def _prepared(photos: list) -> list[PreparedPhoto]:
    if len(photos) > settings.PHOTO_MAX_COUNT:
        raise InvalidInput(
            _("At most %(count)d photos an activity.") % {"count": settings.PHOTO_MAX_COUNT},
            fields={"photos": _("At most %(count)d photos an activity.") % {"count": settings.PHOTO_MAX_COUNT}},
        )
    prepared = []
    for upload in photos:
        try:
            prepared.append(prepare_photo(upload))
        except PhotoRefused as refused:
            raise InvalidInput(str(refused), fields={"photos": f"{upload.name}: {refused}"}) from None
    return prepared


@contextmanager
def _atomic_with_photos():
    """A transaction, and the photo files written in it: deleted if it rolls back."""
    written: list[str] = []
    try:
        with transaction.atomic():
            yield written
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise


def _attach(*, activity: Activity, photos: list[PreparedPhoto], by, at: datetime, written: list[str]) -> None:
    for prepared in photos:
        photo = ActivityPhoto(
            activity=activity, uploaded_by=by, created_at=at, width=prepared.width, height=prepared.height, taken_at=prepared.taken_at,
        )
        photo.image.save(prepared.content.name, prepared.content, save=False)
        written.append(photo.image.name)
        photo.save()


def activity_record(
    *,
    actor,
    kind: str,
    title: str,
    team: Team | None,
    day: date | None,
    grid: Grid | None,
    audience,
    volunteer_hours: list[tuple[int, object]],
    compound_ids: list[int] = (),
    notes: str = "",
    photos: list = (),
    client_uuid: uuid.UUID | None = None,
    now: datetime | None = None,
) -> Activity:
    """Record an activity held in a grid: the volunteers who served at it with their hours
    (`volunteer_hours`: (volunteer id, hours) pairs), the compounds of that grid it reached, its
    photos.

    The command centre records in any grid, a grid worker in their own grids only. Nothing is
    written unless everything is right; each wrong field gets its own message. `client_uuid` is
    made on the phone: the same form sent again (its answer lost on a weak signal) returns the
    activity it recorded, and nothing more is stored, its photos neither.
    """
    now = now or timezone.now()
    if grid is not None and not may_record_in(actor, grid):
        raise NotAllowed(_("You may record activities in your own grids only."), fields={"grid": _("Choose one of your grids.")})
    if grid is None and not may_record_in(actor, None):
        raise NotAllowed(_("Your role does not record volunteer activities."))
    if client_uuid is not None:
        sent_before = _sent_before(client_uuid, actor=actor)
        if sent_before is not None:
            return sent_before
    errors = {}
    if kind not in Activity.Kind.values:
        errors["kind"] = _("Choose one of the kinds of activity.")
    title = _required_text(title, field="title", errors=errors, message=_("Give the activity a title."))
    if team is None:
        errors["team"] = _("Choose the team that held it.")
    if grid is None:
        errors["grid"] = _("Choose the grid it was held in.")
    if day is None:
        errors["date"] = _("Give the day it was held.")
    elif day > timezone.localdate(now):
        errors["date"] = _("An activity cannot be recorded before the day it is held.")
    try:
        audience = int(audience)
    except (TypeError, ValueError):
        errors["audience"] = _("The audience is a whole number of people.")
    else:
        if audience < 0:
            errors["audience"] = _("The audience cannot be below zero.")
        elif audience > MAX_AUDIENCE:
            errors["audience"] = _("At most %(count)d people.") % {"count": MAX_AUDIENCE}
    hours_by_volunteer = {}
    if not volunteer_hours:
        errors["volunteers"] = _("Name at least one volunteer who served at it.")
    elif len(volunteer_hours) > MAX_VOLUNTEERS:
        errors["volunteers"] = _("At most %(count)d volunteers an activity.") % {"count": MAX_VOLUNTEERS}
    for volunteer_id, value in volunteer_hours:
        hours = _hours(value)
        if volunteer_id in hours_by_volunteer:
            errors["volunteers"] = _("Each volunteer is named once.")
        elif hours is None or not 0 < hours <= MAX_HOURS_PER_ACTIVITY:
            errors["hours"] = _("Hours are more than 0 and at most %(most)d for each volunteer.") % {"most": MAX_HOURS_PER_ACTIVITY}
        hours_by_volunteer[volunteer_id] = hours
    compound_ids = sorted(set(compound_ids))
    compounds = list(Compound.objects.filter(pk__in=compound_ids).order_by("pk")) if compound_ids else []
    if len(compounds) < len(compound_ids):
        errors["compounds"] = _("No such compound: choose compounds from the list.")
    elif grid is not None and any(compound.grid_id != grid.pk for compound in compounds):
        # A compound counts as reached for its own grid's coverage: one of another grid would
        # be counted where the activity was not held.
        outside = "、".join(compound.name for compound in compounds if compound.grid_id != grid.pk)
        errors["compounds"] = _("%(compounds)s: not in %(grid)s. Choose only compounds of the grid the activity was held in.") % {
            "compounds": outside, "grid": grid.name,
        }
    if errors:
        raise InvalidInput(_("The activity was not recorded: see the fields."), fields=errors)
    prepared = _prepared(list(photos))
    try:
        return _activity_create(
            actor=actor, kind=kind, title=title, team=team, day=day, grid=grid, audience=audience, notes=notes,
            hours_by_volunteer=hours_by_volunteer, compounds=compounds, prepared=prepared, client_uuid=client_uuid, now=now,
        )
    except IntegrityError:
        # The same form's retry got there first.
        sent_before = _sent_before(client_uuid, actor=actor) if client_uuid is not None else None
        if sent_before is None:
            raise
        return sent_before


def _sent_before(client_uuid: uuid.UUID, *, actor) -> Activity | None:
    """The activity recorded by an earlier sending of the same form; a UUID of someone else's is a conflict."""
    activity = Activity.objects.filter(client_uuid=client_uuid).first()
    if activity is not None and activity.recorded_by_id != actor.pk:
        message = _("This form's UUID belongs to another activity: send it again as a new form.")
        raise Conflict(message, fields={"uuid": message})
    return activity


def _activity_create(*, actor, kind, title, team, day, grid, audience, notes, hours_by_volunteer, compounds, prepared, client_uuid, now) -> Activity:
    with _atomic_with_photos() as written:
        team = Team.objects.select_for_update().filter(pk=team.pk).first()
        if team is None:
            raise Missing(_("No such team."), fields={"team": _("No such team.")})
        volunteers = list(Volunteer.objects.select_for_update().filter(pk__in=list(hours_by_volunteer)).order_by("pk"))
        if len(volunteers) < len(hours_by_volunteer):
            raise InvalidInput(_("The activity was not recorded: see the fields."), fields={"volunteers": _("No such volunteer.")})
        stopped = [volunteer.name for volunteer in volunteers if not volunteer.active]
        if stopped:
            raise InvalidInput(
                _("The activity was not recorded: see the fields."),
                fields={"volunteers": _("No longer volunteering: %(names)s.") % {"names": "、".join(stopped)}},
            )
        activity = Activity.objects.create(
            kind=kind, title=title, team=team, date=day, grid=grid, audience=audience, notes=(notes or "").strip(),
            recorded_by=actor, created_at=now, client_uuid=client_uuid,
        )
        ActivityVolunteer.objects.bulk_create([
            ActivityVolunteer(activity=activity, volunteer=volunteer, hours=hours_by_volunteer[volunteer.pk]) for volunteer in volunteers
        ])
        activity.compounds.set(compounds)
        _attach(activity=activity, photos=prepared, by=actor, at=now, written=written)
        _record(
            action=Event.Action.ACTIVITY_RECORD, actor=actor, at=now, activity=activity,
            data={
                "volunteers": {str(volunteer.pk): str(hours_by_volunteer[volunteer.pk]) for volunteer in volunteers},
                "compounds": [compound.pk for compound in compounds], "photos": len(prepared),
            },
        )
    return activity


def activity_add_photos(*, actor, activity: Activity, photos: list, now: datetime | None = None) -> list[ActivityPhoto]:
    """Photos added after the activity was recorded, by whoever may record in its grid."""
    now = now or timezone.now()
    if not may_record_in(actor, activity.grid):
        raise NotAllowed(_("You may add photos to activities in your own grids only."))
    if not photos:
        raise InvalidInput(_("Choose at least one photo."), fields={"photos": _("Choose at least one photo.")})
    prepared = _prepared(list(photos))
    with _atomic_with_photos() as written:
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        if activity.photos.count() + len(prepared) > settings.PHOTO_MAX_COUNT:
            message = _("At most %(count)d photos an activity.") % {"count": settings.PHOTO_MAX_COUNT}
            raise InvalidInput(message, fields={"photos": message})
        _attach(activity=activity, photos=prepared, by=actor, at=now, written=written)
        _record(action=Event.Action.PHOTO_ADD, actor=actor, at=now, activity=activity, data={"photos": len(prepared)})
    return list(activity.photos.all())
