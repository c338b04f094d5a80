"""Every write to emergency duty goes through here.

Each change runs in one transaction and writes a DutyEvent. Rows read to decide are locked in one
order everywhere: the campaign, then shifts by id, then persons by id; so two command-centre
desks approving swaps, or a swap and a roster run, wait for each other instead of deadlocking.
A person's shifts are only ever changed with that person's row locked: the overlap and rest
checks read them under that lock. The same user or volunteer has a row in each campaign they are
on duty in, and nobody is in two places at once across campaigns either: the checks read the
shifts of all those rows, locked together in id order (`_lock_people`).

`now` is the server's clock, given only when loading history (the demo town).
"""

from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, phone_validator
from accounts.services import notification_create
from govgrid.towntime import day_start, town_minute
from grids.geojson import validate_position
from grids.models import Grid
from grids.spatial import locate_grid_id, validate_near_grids
from incidents.errors import Conflict, InvalidInput, Missing, NotAllowed
from volunteers.models import Team, Volunteer

from . import roster
from .models import Campaign, Checkpoint, DutyEvent, DutyPerson, RosterRun, Shift, Shortfall, SwapRequest

User = get_user_model()

# A shift can be checked in from this long before it starts.
CHECKIN_OPENS = timedelta(minutes=30)
# A check-in or check-out kept on the phone with no signal carries the phone's time; a phone
# clock ahead of the server's by up to this much is still believed.
CLOCK_SLACK = timedelta(minutes=5)
# A roster is generated for at most this many days at once.
MAX_ROSTER_DAYS = 62
SHIFT_LENGTHS = (1, 2, 3, 4, 6, 8, 12, 24)


def _zone():
    return ZoneInfo(settings.TIME_ZONE)


def _record(*, campaign: Campaign, action: str, actor, at: datetime, shift: Shift | None = None, data: dict | None = None) -> DutyEvent:
    return DutyEvent.objects.create(campaign=campaign, shift=shift, action=action, actor=actor, at=at, data=data or {})


def _check_manager(actor) -> None:
    if not actor.is_authenticated or not actor.has_role(Role.DISPATCHER):
        raise NotAllowed(_("Only the command centre manages emergency duty."))


def _lock_campaign(campaign_id: int) -> Campaign:
    campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
    if campaign is None:
        raise Missing(_("No such campaign."))
    return campaign


def _check_rules(*, shift_hours, rest_hours, max_hours_per_day) -> dict:
    errors = {}
    if shift_hours not in SHIFT_LENGTHS:
        errors["shift_hours"] = _("A shift length that divides the day: %(lengths)s hours.") % {"lengths": ", ".join(map(str, SHIFT_LENGTHS))}
    if rest_hours is None or not 0 <= rest_hours <= 72:
        errors["rest_hours"] = _("From 0 to 72 hours.")
    if max_hours_per_day is not None:
        if not 1 <= max_hours_per_day <= 24:
            errors["max_hours_per_day"] = _("From 1 to 24 hours, or empty for no maximum.")
        elif shift_hours in SHIFT_LENGTHS and max_hours_per_day < shift_hours:
            errors["max_hours_per_day"] = _("At least one shift (%(hours)s hours).") % {"hours": shift_hours}
    return errors


def _check_phone(phone: str) -> str | None:
    try:
        phone_validator(phone)
    except ValidationError:
        return _("Enter a valid phone number.")
    return None


def _active_workers():
    return User.objects.filter(role=Role.WORKER, is_active=True).order_by("pk")


def _chosen_volunteers(*, teams=(), volunteers=()) -> list[Volunteer]:
    """The active volunteers of the `teams` and the active ones of `volunteers`, once each, in id order."""
    team_ids = [team.pk if isinstance(team, Team) else team for team in teams]
    chosen = {volunteer.pk: volunteer for volunteer in volunteers if volunteer.active}
    if team_ids:
        chosen.update({volunteer.pk: volunteer for volunteer in Volunteer.objects.filter(team_id__in=team_ids, active=True).select_related("user")})
    return [chosen[pk] for pk in sorted(chosen)]


def _people_rows(campaign: Campaign, *, users, others, volunteers=()) -> tuple[list[DutyPerson], list[DutyPerson]]:
    """The pool rows to create for the users, volunteers and others not in the pool yet, and the
    rows already there that gain their volunteer link. A volunteer with a user account is one
    person with both links, whichever way they came in first: as a grid worker or as a volunteer."""
    existing = list(campaign.people.filter(Q(user__isnull=False) | Q(volunteer__isnull=False)))
    by_user = {person.user_id: person for person in existing if person.user_id}
    by_volunteer = {person.volunteer_id: person for person in existing if person.volunteer_id}
    rows, linked = [], []
    for volunteer in volunteers:
        if volunteer.pk in by_volunteer:
            continue
        person = by_user.get(volunteer.user_id) if volunteer.user_id else None
        if person is None:
            # Named as their account is, as they would be had they come in as a grid worker.
            name = volunteer.user.display_name if volunteer.user_id else volunteer.name
            person = DutyPerson(campaign=campaign, user_id=volunteer.user_id, volunteer=volunteer, name=name, available=True)
            rows.append(person)
            if volunteer.user_id:
                by_user[volunteer.user_id] = person
        elif person.volunteer_id is None:
            person.volunteer = volunteer
            if person.pk:
                linked.append(person)
        by_volunteer[volunteer.pk] = person
    for user in users:
        if user.pk not in by_user:
            by_user[user.pk] = DutyPerson(campaign=campaign, user=user, name=user.display_name, available=True)
            rows.append(by_user[user.pk])
    rows += [DutyPerson(campaign=campaign, name=name, phone=phone, available=True) for name, phone in others]
    return rows, linked


def _save_people(campaign: Campaign, *, users, others, volunteers) -> tuple[list[DutyPerson], list[DutyPerson]]:
    rows, linked = _people_rows(campaign, users=users, others=others, volunteers=volunteers)
    people = DutyPerson.objects.bulk_create(rows)
    DutyPerson.objects.bulk_update(linked, ["volunteer"])
    return people, linked


def _check_others(others) -> list[tuple[str, str]]:
    cleaned, problems = [], []
    for number, (name, phone) in enumerate(others, start=1):
        name, phone = (name or "").strip(), (phone or "").strip()
        if not name:
            problems.append(_("Line %(line)s: a name is needed.") % {"line": number})
        elif phone and _check_phone(phone):
            problems.append(_("Line %(line)s: %(phone)s is not a phone number.") % {"line": number, "phone": phone})
        else:
            cleaned.append((name[:100], phone))
    if problems:
        raise InvalidInput(problems[0], fields={"others": " ".join(problems)})
    return cleaned


def campaign_create(
    *, actor, name: str, kind: str, started: date, shift_hours: int = 8, rest_hours: int = 8, max_hours_per_day: int | None = None,
    all_workers: bool = True, users=(), teams=(), volunteers=(), others=(), now: datetime | None = None,
) -> Campaign:
    """Stand a campaign up with its pool: every active grid worker (`all_workers`), the `users`
    named, every active volunteer of the `teams`, the `volunteers` named, and `others` as
    (name, phone) pairs (helpers from outside the platform)."""
    _check_manager(actor)
    now = now or timezone.now()
    errors = _check_rules(shift_hours=shift_hours, rest_hours=rest_hours, max_hours_per_day=max_hours_per_day)
    if not (name or "").strip():
        errors["name"] = _("A name is needed.")
    if kind not in Campaign.Kind.values:
        errors["kind"] = _("Choose a kind.")
    if started is None:
        errors["started"] = _("A start date is needed.")
    if errors:
        raise InvalidInput(next(iter(errors.values())), fields=errors)
    others = _check_others(others)
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name.strip(), kind=kind, started=started, shift_hours=shift_hours, rest_hours=rest_hours,
            max_hours_per_day=max_hours_per_day, created_by=actor,
        )
        chosen = {user.pk: user for user in (list(_active_workers()) if all_workers else [])}
        chosen.update({user.pk: user for user in users if user.is_active})
        people, _linked = _save_people(
            campaign, users=chosen.values(), others=others, volunteers=_chosen_volunteers(teams=teams, volunteers=volunteers),
        )
        _record(campaign=campaign, action=DutyEvent.Action.CAMPAIGN_CREATED, actor=actor, at=now, data={
            "name": campaign.name, "kind": kind, "shift_hours": shift_hours, "rest_hours": rest_hours, "people": len(people),
            "volunteers": sum(1 for person in people if person.volunteer_id),
        })
    return campaign


def campaign_end(*, actor, campaign_id: int, ended: date | None = None, now: datetime | None = None) -> tuple[Campaign, int]:
    """Stand the campaign down now, recorded as ended on `ended` (today when not given; not a day
    to come): no longer active, its shifts not started yet (and not checked in) removed with
    their swap requests, its open shortfalls still to come dropped, and the people who lose a
    shift told. Returns the campaign and how many shifts were removed."""
    _check_manager(actor)
    now = now or timezone.now()
    ended = ended or timezone.localdate(now)
    with transaction.atomic():
        campaign = _lock_campaign(campaign_id)
        if not campaign.active:
            raise Conflict(_("This campaign has ended already."), fields={"ended": _("Ended on %(day)s.") % {"day": campaign.ended}})
        if ended < campaign.started:
            raise InvalidInput(_("A campaign cannot end before it started."), fields={"ended": _("On or after %(day)s.") % {"day": campaign.started}})
        if ended > timezone.localdate(now):
            raise InvalidInput(_("A campaign ends today or on a day past."), fields={"ended": _("Not a day to come.")})
        _lock_people(campaign.people.values_list("pk", flat=True))
        removed, told = _remove_future_shifts(Shift.objects.filter(checkpoint__campaign=campaign), now=now)
        Shortfall.objects.filter(run__campaign=campaign, filled_at__isnull=True, starts_at__gte=now).delete()
        campaign.ended, campaign.active = ended, False
        campaign.save(update_fields=["ended", "active"])
        _record(campaign=campaign, action=DutyEvent.Action.CAMPAIGN_ENDED, actor=actor, at=now, data={"ended": ended.isoformat(), "shifts_removed": removed})
        if told:
            notification_create(
                recipients=[user for user in told if user.pk != actor.pk], event=None,
                subject=_("%(campaign)s has ended: your shifts to come are cancelled.") % {"campaign": campaign.name}, body="",
            )
    return campaign, removed


def _remove_future_shifts(shifts, *, now: datetime) -> tuple[int, list]:
    """Delete the `shifts` not started yet and not checked in (their swap requests go with
    them); returns how many, and the users who had them. Their persons are locked by the caller."""
    future = shifts.filter(starts_at__gt=now, checked_in_at__isnull=True)
    told = list(User.objects.filter(pk__in=future.filter(person__user__isnull=False).values("person__user_id")).order_by("pk"))
    return future.delete()[1].get("emergency.Shift", 0), told


def people_add(*, actor, campaign_id: int, users=(), teams=(), volunteers=(), others=(), now: datetime | None = None) -> list[DutyPerson]:
    """Add grid workers (users), every active volunteer of `teams`, the `volunteers` named, and
    named others to the pool; someone already in it is left as is (a volunteer already there as
    a grid worker gains the volunteer link). Returns the people added."""
    _check_manager(actor)
    now = now or timezone.now()
    others = _check_others(others)
    with transaction.atomic():
        campaign = _lock_campaign(campaign_id)
        people, linked = _save_people(
            campaign, users=[u for u in users if u.is_active], others=others, volunteers=_chosen_volunteers(teams=teams, volunteers=volunteers),
        )
        if people or linked:
            _record(campaign=campaign, action=DutyEvent.Action.PEOPLE_ADDED, actor=actor, at=now, data={
                "names": [p.name for p in people], "linked_volunteers": [p.name for p in linked],
            })
    return people


def person_set_available(*, actor, person_id: int, available: bool, now: datetime | None = None) -> DutyPerson:
    """Take someone out of the next rosters (ill, on leave) or back in; their shifts stay."""
    _check_manager(actor)
    now = now or timezone.now()
    with transaction.atomic():
        person = DutyPerson.objects.filter(pk=person_id).first()
        if person is None:
            raise Missing(_("No such person on duty."))
        _lock_campaign(person.campaign_id)
        person = DutyPerson.objects.select_for_update().get(pk=person_id)
        if person.available != available:
            person.available = available
            person.save(update_fields=["available"])
            _record(campaign=person.campaign, action=DutyEvent.Action.AVAILABILITY, actor=actor, at=now, data={"person": person.name, "available": available})
    return person


def _checkpoint_errors(*, name, latitude, longitude, grid, round_the_clock, daily_from, daily_to, people_per_shift) -> tuple[dict, Grid | None]:
    """What is wrong with a checkpoint's name, position, hours and people per shift, and its
    grid: the one given, else the one the position is in."""
    errors = {}
    if not (name or "").strip():
        errors["name"] = _("A name is needed.")
    position = validate_position(latitude=latitude, longitude=longitude)
    errors.update(position or validate_near_grids(latitude=latitude, longitude=longitude))
    if grid is None and not position and "latitude" not in errors:
        grid_id = locate_grid_id(latitude=latitude, longitude=longitude)
        grid = Grid.objects.filter(pk=grid_id).first() if grid_id else None
        if grid is None:
            errors["grid"] = _("This position is in no grid: choose the grid the checkpoint belongs to.")
    if not round_the_clock and (daily_from is None or daily_to is None or daily_from == daily_to):
        errors["daily_from"] = _("Give the daily hours (from and to differ), or staff it round the clock.")
    if not isinstance(people_per_shift, int) or not 1 <= people_per_shift <= 20:
        errors["people_per_shift"] = _("From 1 to 20 people.")
    return errors, grid


def _check_days(campaign: Campaign, first_day: date, last_day: date, errors: dict) -> None:
    if not campaign.active:
        errors["campaign"] = _("This campaign has ended: its checkpoints stay as they were.")
    if last_day < first_day:
        errors["last_day"] = _("The last day comes on or after the first.")
    if first_day < campaign.started or (campaign.ended and last_day > campaign.ended):
        errors["first_day"] = _("Within the campaign's dates.")
    if errors:
        raise InvalidInput(next(iter(errors.values())), fields=errors)


def checkpoint_add(
    *, actor, campaign_id: int, name: str, latitude, longitude, grid: Grid | None = None, round_the_clock: bool = True,
    daily_from: time | None = None, daily_to: time | None = None, first_day: date | None = None, last_day: date | None = None,
    people_per_shift: int = 2, now: datetime | None = None,
) -> Checkpoint:
    """A checkpoint at a position near the town; its grid is the one given, else the one the
    position is in (a checkpoint on a road at the edge of the grids needs one given)."""
    _check_manager(actor)
    now = now or timezone.now()
    errors, grid = _checkpoint_errors(
        name=name, latitude=latitude, longitude=longitude, grid=grid, round_the_clock=round_the_clock, daily_from=daily_from,
        daily_to=daily_to, people_per_shift=people_per_shift,
    )
    with transaction.atomic():
        campaign = _lock_campaign(campaign_id)
        first_day = first_day or max(campaign.started, timezone.localdate(now))
        last_day = last_day or campaign.ended or first_day + timedelta(days=13)
        _check_days(campaign, first_day, last_day, errors)
        checkpoint = Checkpoint.objects.create(
            campaign=campaign, name=name.strip(), grid=grid, latitude=latitude, longitude=longitude, round_the_clock=round_the_clock,
            daily_from=time(0) if round_the_clock else daily_from, daily_to=time(0) if round_the_clock else daily_to,
            first_day=first_day, last_day=last_day, people_per_shift=people_per_shift,
        )
        _record(campaign=campaign, action=DutyEvent.Action.CHECKPOINT_ADDED, actor=actor, at=now, data={
            "checkpoint": checkpoint.name, "grid": grid.code, "latitude": latitude, "longitude": longitude,
        })
    return checkpoint


# What a checkpoint's change records, before and after.
CHECKPOINT_FIELDS = ("name", "grid", "latitude", "longitude", "round_the_clock", "daily_from", "daily_to", "first_day", "last_day", "people_per_shift")


def _shown(value) -> object:
    if isinstance(value, Grid):
        return value.code
    if isinstance(value, (date, time)):
        return value.isoformat()
    return value


def checkpoint_update(
    *, actor, checkpoint_id: int, name: str, latitude, longitude, grid: Grid | None = None, round_the_clock: bool = True,
    daily_from: time | None = None, daily_to: time | None = None, first_day: date, last_day: date, people_per_shift: int,
    now: datetime | None = None,
) -> Checkpoint:
    """Change an open checkpoint of a running campaign: name, position (and so its grid), hours,
    dates and people per shift, checked as when it was added. The shifts already rostered stay
    as they are: generating the roster again applies the change. The event keeps what changed,
    before and after."""
    _check_manager(actor)
    now = now or timezone.now()
    found = Checkpoint.objects.filter(pk=checkpoint_id).values_list("campaign_id", flat=True).first()
    if found is None:
        raise Missing(_("No such checkpoint."))
    errors, grid = _checkpoint_errors(
        name=name, latitude=latitude, longitude=longitude, grid=grid, round_the_clock=round_the_clock, daily_from=daily_from,
        daily_to=daily_to, people_per_shift=people_per_shift,
    )
    with transaction.atomic():
        campaign = _lock_campaign(found)
        checkpoint = Checkpoint.objects.select_for_update().select_related("grid").get(pk=checkpoint_id)
        if checkpoint.closed_at is not None:
            errors["name"] = _("This checkpoint is closed.")
        _check_days(campaign, first_day, last_day, errors)
        values = {
            "name": name.strip(), "grid": grid, "latitude": latitude, "longitude": longitude, "round_the_clock": round_the_clock,
            "daily_from": time(0) if round_the_clock else daily_from, "daily_to": time(0) if round_the_clock else daily_to,
            "first_day": first_day, "last_day": last_day, "people_per_shift": people_per_shift,
        }
        changed = {
            field: [_shown(getattr(checkpoint, field)), _shown(value)] for field, value in values.items() if getattr(checkpoint, field) != value
        }
        if changed:
            for field, value in values.items():
                setattr(checkpoint, field, value)
            checkpoint.save(update_fields=list(values))
            _record(campaign=campaign, action=DutyEvent.Action.CHECKPOINT_UPDATED, actor=actor, at=now, data={
                "checkpoint": checkpoint.name, "changed": changed,
            })
    return checkpoint


def checkpoint_close(*, actor, checkpoint_id: int, now: datetime | None = None) -> tuple[Checkpoint, int]:
    """Close a checkpoint now: staffed no more (no roster gives it shifts again), its shifts not
    started yet removed, its open shortfalls to come dropped, its last day today (or its first,
    if it had not begun), the people who lose a shift told. Returns it and how many shifts
    were removed."""
    _check_manager(actor)
    now = now or timezone.now()
    found = Checkpoint.objects.filter(pk=checkpoint_id).values_list("campaign_id", flat=True).first()
    if found is None:
        raise Missing(_("No such checkpoint."))
    with transaction.atomic():
        campaign = _lock_campaign(found)
        checkpoint = Checkpoint.objects.select_for_update().get(pk=checkpoint_id)
        if checkpoint.closed_at is not None:
            raise Conflict(_("This checkpoint is closed already."), fields={"checkpoint": _("Closed at %(time)s.") % {"time": town_minute(checkpoint.closed_at)}})
        if not campaign.active:
            raise Conflict(_("This campaign has ended: its checkpoints stay as they were."), fields={"checkpoint": _("Campaign ended.")})
        _lock_people(checkpoint.shifts.filter(starts_at__gt=now).values_list("person_id", flat=True).distinct())
        removed, told = _remove_future_shifts(checkpoint.shifts.all(), now=now)
        checkpoint.shortfalls.filter(filled_at__isnull=True, starts_at__gte=now).delete()
        checkpoint.closed_at = now
        checkpoint.last_day = max(checkpoint.first_day, min(checkpoint.last_day, timezone.localdate(now)))
        checkpoint.save(update_fields=["closed_at", "last_day"])
        _record(campaign=campaign, action=DutyEvent.Action.CHECKPOINT_CLOSED, actor=actor, at=now, data={
            "checkpoint": checkpoint.name, "shifts_removed": removed,
        })
        if told:
            notification_create(
                recipients=[user for user in told if user.pk != actor.pk], event=None,
                subject=_("Checkpoint %(checkpoint)s is closed: your shifts there are cancelled.") % {"checkpoint": checkpoint.name}, body="",
            )
    return checkpoint, removed


def _hours(checkpoint: Checkpoint) -> roster.Hours:
    return roster.Hours(checkpoint.first_day, checkpoint.last_day, checkpoint.round_the_clock, checkpoint.daily_from, checkpoint.daily_to)


def roster_generate(*, actor, campaign_id: int, first_day: date, last_day: date, now: datetime | None = None) -> RosterRun:
    """Generate the roster of the days from `first_day` to `last_day` (slots starting on them,
    from now on). Shifts there that have not started and have no check-in are replaced; the
    others are kept and count. What cannot be staffed is recorded as the run's shortfalls;
    earlier open shortfalls of those days are closed (filled, or reported again by this run)."""
    _check_manager(actor)
    now = now or timezone.now()
    if last_day < first_day:
        raise InvalidInput(_("The last day comes on or after the first."), fields={"last_day": _("On or after %(day)s.") % {"day": first_day}})
    if (last_day - first_day).days >= MAX_ROSTER_DAYS:
        raise InvalidInput(_("At most %(days)s days at once.") % {"days": MAX_ROSTER_DAYS}, fields={"last_day": _("At most %(days)s days at once.") % {"days": MAX_ROSTER_DAYS}})
    zone = _zone()
    with transaction.atomic():
        campaign = _lock_campaign(campaign_id)
        locked = _lock_people(campaign.people.values_list("pk", flat=True))
        people = sorted((person for person in locked.values() if person.campaign_id == campaign.pk), key=lambda person: person.pk)
        start, end = day_start(first_day), day_start(last_day + timedelta(days=1))
        replaceable = Shift.objects.filter(
            checkpoint__campaign=campaign, starts_at__gte=max(start, now), starts_at__lt=end, checked_in_at__isnull=True,
        )
        # Swap requests of a replaced shift go with it: the shift they were about no longer exists.
        replaced = replaceable.delete()[1].get("emergency.Shift", 0)
        kept = list(Shift.objects.filter(checkpoint__campaign=campaign).values_list("checkpoint_id", "person_id", "starts_at", "ends_at"))
        kept_per_slot = Counter((checkpoint_id, starts_at, ends_at) for checkpoint_id, _person, starts_at, ends_at in kept)
        slots = []
        # A closed checkpoint is staffed no more.
        for checkpoint in campaign.checkpoints.filter(closed_at__isnull=True).order_by("pk"):
            for slot in roster.slots_of(
                checkpoint=checkpoint.pk, hours=_hours(checkpoint), need=checkpoint.people_per_shift, shift_hours=campaign.shift_hours,
                first_day=first_day, last_day=last_day, zone=zone,
            ):
                # A slot under way is staffed for the rest of it; one that has ended is history.
                if slot.ends_at > now:
                    need = slot.need - kept_per_slot[(slot.checkpoint, slot.starts_at, slot.ends_at)]
                    slots.append(roster.Slot(slot.checkpoint, slot.starts_at, slot.ends_at, need))
        result = roster.generate(
            slots=slots, people=[person.pk for person in people if person.available],
            busy=[roster.Assignment(checkpoint_id, person_id, s, e) for checkpoint_id, person_id, s, e in kept]
            + _elsewhere(campaign, people=people, locked=locked, start=start, end=end),
            rest_hours=campaign.rest_hours, max_hours_per_day=campaign.max_hours_per_day, zone=zone,
        )
        Shift.objects.bulk_create([
            Shift(checkpoint_id=a.checkpoint, person_id=a.person, starts_at=a.starts_at, ends_at=a.ends_at) for a in result.assignments
        ])
        run = RosterRun.objects.create(
            campaign=campaign, first_day=first_day, last_day=last_day, shifts_created=len(result.assignments),
            shifts_replaced=replaced, by=actor, at=now,
        )
        earlier = Shortfall.objects.filter(run__campaign=campaign, filled_at__isnull=True, starts_at__gte=start, starts_at__lt=end)
        _close_shortfalls(earlier, now=now, drop_unfilled=True)
        Shortfall.objects.bulk_create([
            Shortfall(run=run, checkpoint_id=gap.checkpoint, starts_at=gap.starts_at, ends_at=gap.ends_at, missing=gap.missing) for gap in result.gaps
        ])
        _record(campaign=campaign, action=DutyEvent.Action.ROSTER_GENERATED, actor=actor, at=now, data={
            "first_day": first_day.isoformat(), "last_day": last_day.isoformat(), "created": len(result.assignments),
            "replaced": replaced, "short_slots": len(result.gaps), "missing": sum(gap.missing for gap in result.gaps),
            "strained": result.strained,
        })
    return run


def _same_people(people) -> Q:
    """The pool rows, in every campaign, of the same users and volunteers as `people` (and theirs)."""
    people = list(people)
    same = Q(pk__in=[person.pk for person in people])
    users = {person.user_id for person in people if person.user_id}
    volunteers = {person.volunteer_id for person in people if person.volunteer_id}
    if users:
        same |= Q(user_id__in=users)
    if volunteers:
        same |= Q(volunteer_id__in=volunteers)
    return same


def _lock_people(person_ids) -> dict[int, DutyPerson]:
    """The persons, and the same users' and volunteers' rows in other campaigns, locked in id
    order (the one order every writer takes them in), by id."""
    people = list(DutyPerson.objects.filter(pk__in=list(person_ids)))
    if not people:
        return {}
    return {person.pk: person for person in DutyPerson.objects.select_for_update().filter(_same_people(people)).order_by("pk")}


def _elsewhere(campaign: Campaign, *, people: list[DutyPerson], locked: dict[int, DutyPerson], start: datetime, end: datetime) -> list[roster.Assignment]:
    """The shifts the campaign's people have in other campaigns around the days being rostered
    (a rest and a day either side), as commitments of their person here: they block that time
    and count towards the hours of the days rostered."""
    here_by_user = {person.user_id: person.pk for person in people if person.user_id}
    here_by_volunteer = {person.volunteer_id: person.pk for person in people if person.volunteer_id}
    elsewhere = {pk: person for pk, person in locked.items() if person.campaign_id != campaign.pk}
    if not elsewhere:
        return []
    margin = timedelta(hours=campaign.rest_hours) + timedelta(days=1)
    busy = []
    for checkpoint_id, person_id, starts_at, ends_at in Shift.objects.filter(
        person_id__in=list(elsewhere), starts_at__lt=end + margin, ends_at__gt=start - margin,
    ).values_list("checkpoint_id", "person_id", "starts_at", "ends_at"):
        twin = elsewhere[person_id]
        here = here_by_user.get(twin.user_id) or here_by_volunteer.get(twin.volunteer_id)
        if here:
            busy.append(roster.Assignment(checkpoint_id, here, starts_at, ends_at))
    return busy


def _staffed(checkpoint_id: int, starts_at: datetime, ends_at: datetime) -> int:
    return Shift.objects.filter(checkpoint_id=checkpoint_id, starts_at=starts_at, ends_at=ends_at).count()


def _close_shortfalls(shortfalls, *, now: datetime, drop_unfilled: bool) -> None:
    """Filled ones get their time; with `drop_unfilled` (a new run, which reports them again)
    the others are dropped, else they stay open."""
    for shortfall in shortfalls.select_related("checkpoint"):
        if _staffed(shortfall.checkpoint_id, shortfall.starts_at, shortfall.ends_at) >= shortfall.checkpoint.people_per_shift:
            shortfall.filled_at = now
            shortfall.save(update_fields=["filled_at"])
        elif drop_unfilled:
            shortfall.delete()


def person_clash(person: DutyPerson, starts_at: datetime, ends_at: datetime, *, rest: timedelta, ignore: tuple[int, ...] = ()) -> Shift | None:
    """The person's shift, in this campaign or another one they are on duty in, that overlaps
    [starts_at, ends_at) or comes within `rest` of it."""
    return (
        Shift.objects.filter(person__in=DutyPerson.objects.filter(_same_people([person])), starts_at__lt=ends_at + rest, ends_at__gt=starts_at - rest)
        .exclude(pk__in=ignore).select_related("checkpoint__campaign").order_by("starts_at").first()
    )


def clash_message(person: DutyPerson, other: Shift, starts_at: datetime, ends_at: datetime) -> str:
    values = {
        "name": person.name, "checkpoint": other.checkpoint.name, "campaign": other.checkpoint.campaign.name,
        "start": town_minute(other.starts_at), "end": town_minute(other.ends_at),
    }
    overlaps = other.starts_at < ends_at and starts_at < other.ends_at
    if other.checkpoint.campaign_id != person.campaign_id:
        if overlaps:
            return _("%(name)s is already on duty for %(campaign)s at %(checkpoint)s from %(start)s to %(end)s.") % values
        return _("%(name)s would not have the campaign's rest: a shift for %(campaign)s at %(checkpoint)s from %(start)s to %(end)s.") % values
    if overlaps:
        return _("%(name)s is already at %(checkpoint)s from %(start)s to %(end)s.") % values
    return _("%(name)s would not have the campaign's rest: a shift at %(checkpoint)s from %(start)s to %(end)s.") % values


def shift_add(*, actor, checkpoint_id: int, person_id: int, starts_at: datetime, now: datetime | None = None) -> Shift:
    """Put one person on one slot of a checkpoint by hand (to fill a shortfall): the slot starting
    at `starts_at`; refused if it would put the person in two places or short of rest."""
    _check_manager(actor)
    now = now or timezone.now()
    checkpoint = Checkpoint.objects.select_related("campaign").filter(pk=checkpoint_id).first()
    if checkpoint is None:
        raise Missing(_("No such checkpoint."))
    if checkpoint.closed_at is not None:
        raise Conflict(_("This checkpoint is closed: it is staffed no more."), fields={"checkpoint": _("Closed.")})
    zone = _zone()
    day = starts_at.astimezone(zone).date()
    slot = next((s for d in (day - timedelta(days=1), day) for s in roster.slots_of(
        checkpoint=checkpoint.pk, hours=_hours(checkpoint), need=checkpoint.people_per_shift, shift_hours=checkpoint.campaign.shift_hours,
        first_day=d, last_day=d, zone=zone,
    ) if s.starts_at == starts_at), None)
    if slot is None:
        raise InvalidInput(_("No shift of this checkpoint starts at %(time)s.") % {"time": town_minute(starts_at)}, fields={"starts_at": _("Not a shift's start.")})
    with transaction.atomic():
        campaign = _lock_campaign(checkpoint.campaign_id)
        person = _lock_people([person_id]).get(person_id)
        if person is None or person.campaign_id != campaign.pk:
            raise InvalidInput(_("Choose someone from this campaign's people."), fields={"person": _("Not in this campaign.")})
        if _staffed(checkpoint.pk, slot.starts_at, slot.ends_at) >= checkpoint.people_per_shift:
            raise Conflict(_("This shift already has its people."), fields={"starts_at": _("Already staffed.")})
        other = person_clash(person, slot.starts_at, slot.ends_at, rest=timedelta(hours=campaign.rest_hours))
        if other:
            message = clash_message(person, other, slot.starts_at, slot.ends_at)
            raise Conflict(message, fields={"person": message})
        shift = Shift.objects.create(checkpoint=checkpoint, person=person, starts_at=slot.starts_at, ends_at=slot.ends_at)
        _record(campaign=campaign, shift=shift, action=DutyEvent.Action.SHIFT_ADDED, actor=actor, at=now, data={
            "person": person.name, "checkpoint": checkpoint.name, "starts_at": town_minute(slot.starts_at),
        })
        _close_shortfalls(Shortfall.objects.filter(checkpoint=checkpoint, starts_at=slot.starts_at, filled_at__isnull=True), now=now, drop_unfilled=False)
    return shift


def _own_shift_locked(*, actor, shift_id: int) -> Shift:
    shift = Shift.objects.select_for_update().filter(pk=shift_id).first()
    if shift is None:
        raise Missing(_("No such shift."))
    person = DutyPerson.objects.filter(pk=shift.person_id).select_related("campaign").first()
    if person.user_id != actor.pk:
        if actor.has_role(Role.DISPATCHER):
            raise NotAllowed(_("Only the person on this shift checks in and out."))
        raise Missing(_("No such shift."))
    shift.person = person
    return shift


def _position(latitude, longitude, accuracy) -> dict:
    """The position as recorded; all empty when the phone gave none ("position not available")."""
    if latitude is None and longitude is None:
        return {"latitude": None, "longitude": None, "accuracy": None}
    errors = validate_position(latitude=latitude, longitude=longitude)
    if accuracy is not None and (not isinstance(accuracy, (int, float)) or accuracy < 0):
        errors["accuracy"] = _("Metres, 0 or more.")
    if errors:
        raise InvalidInput(next(iter(errors.values())), fields=errors)
    return {"latitude": latitude, "longitude": longitude, "accuracy": accuracy}


def _made_at(at: datetime | None, *, now: datetime) -> datetime:
    """When the phone says the check-in or check-out was made (kept on the phone with no signal,
    sent later): believed up to CLOCK_SLACK ahead of the server; now when the phone gave none."""
    if at is None:
        return now
    if timezone.is_naive(at):
        raise InvalidInput(_("The phone's time came without its time zone."), fields={"at": _("Not a time with its zone.")})
    if at > now + CLOCK_SLACK:
        message = _("The phone's time (%(time)s) is later than now: check the phone's clock.") % {"time": town_minute(at)}
        raise InvalidInput(message, fields={"at": message})
    return at


def duration_text(minutes: int) -> str:
    """A length of time as the phone says it: "2 h 21 min", "45 min"."""
    hours, minutes = divmod(max(0, minutes), 60)
    if not hours:
        return _("%(minutes)d min") % {"minutes": minutes}
    if not minutes:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}


def minutes_early(shift: Shift, at: datetime) -> int:
    """Whole minutes (rounded up) from `at` to the shift's end; 0 at or after it."""
    return max(0, -int(-(shift.ends_at - at).total_seconds() // 60))


def shift_check_in(
    *, actor, shift_id: int, latitude=None, longitude=None, accuracy=None, at: datetime | None = None, now: datetime | None = None,
) -> tuple[Shift, bool]:
    """Check in on the person's own shift, from 30 minutes before it starts until it ends, with
    the phone's position or none. `at` is when the phone made it, if it was kept on the phone
    and sent later: it must fall in the check-in window and not after now (CLOCK_SLACK aside).
    Returns (shift, changed): a retry changes nothing."""
    now = now or timezone.now()
    position = _position(latitude, longitude, accuracy)
    made_at = _made_at(at, now=now)
    with transaction.atomic():
        shift = _own_shift_locked(actor=actor, shift_id=shift_id)
        if shift.checked_in_at is not None:
            return shift, False
        if made_at < shift.starts_at - CHECKIN_OPENS:
            message = _("Check-in opens at %(time)s, 30 minutes before the shift.") % {"time": town_minute(shift.starts_at - CHECKIN_OPENS)}
            raise InvalidInput(message, fields={"at" if at else "shift": _("Too early.")})
        if made_at >= shift.ends_at:
            raise InvalidInput(_("This shift ended at %(time)s.") % {"time": town_minute(shift.ends_at)}, fields={"shift": _("Already over.")})
        shift.checked_in_at = made_at
        shift.checkin_latitude, shift.checkin_longitude, shift.checkin_accuracy_m = position["latitude"], position["longitude"], position["accuracy"]
        shift.save(update_fields=["checked_in_at", "checkin_latitude", "checkin_longitude", "checkin_accuracy_m"])
        _record(campaign=shift.person.campaign, shift=shift, action=DutyEvent.Action.CHECKIN, actor=actor, at=now, data={
            **position, "position_available": position["latitude"] is not None, "made_at": made_at.isoformat(),
            "late_minutes": max(0, int((made_at - shift.starts_at).total_seconds() // 60)),
        })
    return shift, True


def shift_check_out(
    *, actor, shift_id: int, latitude=None, longitude=None, accuracy=None, at: datetime | None = None, early: bool = False,
    now: datetime | None = None,
) -> tuple[Shift, bool]:
    """Check out after checking in, with the phone's position or none; `at` as for a check-in.
    Before the shift's end it must be confirmed (`early`): one tap too many on a slow page must
    not end a duty hours early. The minutes early are recorded. A retry changes nothing."""
    now = now or timezone.now()
    position = _position(latitude, longitude, accuracy)
    made_at = _made_at(at, now=now)
    with transaction.atomic():
        shift = _own_shift_locked(actor=actor, shift_id=shift_id)
        if shift.checked_out_at is not None:
            return shift, False
        if shift.checked_in_at is None:
            raise InvalidInput(_("Check in before checking out."), fields={"shift": _("Not checked in.")})
        if made_at < shift.checked_in_at:
            message = _("The check-out (%(out)s) comes before the check-in (%(in)s).") % {
                "out": town_minute(made_at), "in": town_minute(shift.checked_in_at),
            }
            raise InvalidInput(message, fields={"at": message})
        early_by = minutes_early(shift, made_at)
        if early_by and not early:
            message = _("The shift ends at %(end)s: checking out now ends it %(early)s early. Confirm to end the duty early.") % {
                "end": f"{timezone.localtime(shift.ends_at):%H:%M}", "early": duration_text(early_by),
            }
            raise Conflict(message, fields={"early": message})
        shift.checked_out_at = made_at
        shift.checkout_latitude, shift.checkout_longitude, shift.checkout_accuracy_m = position["latitude"], position["longitude"], position["accuracy"]
        shift.save(update_fields=["checked_out_at", "checkout_latitude", "checkout_longitude", "checkout_accuracy_m"])
        _record(campaign=shift.person.campaign, shift=shift, action=DutyEvent.Action.CHECKOUT, actor=actor, at=now, data={
            **position, "position_available": position["latitude"] is not None, "made_at": made_at.isoformat(), "early_minutes": early_by,
        })
    return shift, True


def attendance_load(*, records: list[dict]) -> int:
    """Check-ins and check-outs that happened (the demo town's history), written in bulk with an
    event row each: `records` of {"shift", "checked_in_at", "checked_out_at", "latitude",
    "longitude", "accuracy"} (no position: None), for shifts with no check-in yet. Each is
    checked as a check-in from the phone would be; returns how many were written."""
    shifts, events = [], []
    for record in records:
        shift, arrived, left = record["shift"], record["checked_in_at"], record["checked_out_at"]
        position = _position(record.get("latitude"), record.get("longitude"), record.get("accuracy"))
        if shift.checked_in_at is not None:
            continue
        if shift.person.user_id is None:
            raise InvalidInput(_("Only people with an account check in from the phone."), fields={"shift": str(shift.pk)})
        if not shift.starts_at - CHECKIN_OPENS <= arrived < shift.ends_at or left < arrived:
            raise InvalidInput(_("A check-in outside its shift's hours."), fields={"checked_in_at": town_minute(arrived)})
        shift.checked_in_at, shift.checked_out_at = arrived, left
        shift.checkin_latitude, shift.checkin_longitude, shift.checkin_accuracy_m = position["latitude"], position["longitude"], position["accuracy"]
        shift.checkout_latitude, shift.checkout_longitude, shift.checkout_accuracy_m = position["latitude"], position["longitude"], position["accuracy"]
        shifts.append(shift)
        campaign_id, actor_id = shift.person.campaign_id, shift.person.user_id
        events += [
            DutyEvent(campaign_id=campaign_id, shift=shift, action=DutyEvent.Action.CHECKIN, actor_id=actor_id, at=arrived, data={
                **position, "position_available": position["latitude"] is not None,
            }),
            DutyEvent(campaign_id=campaign_id, shift=shift, action=DutyEvent.Action.CHECKOUT, actor_id=actor_id, at=left, data={
                **position, "position_available": position["latitude"] is not None,
            }),
        ]
    with transaction.atomic():
        Shift.objects.bulk_update(shifts, [
            "checked_in_at", "checked_out_at", "checkin_latitude", "checkin_longitude", "checkin_accuracy_m",
            "checkout_latitude", "checkout_longitude", "checkout_accuracy_m",
        ], batch_size=500)
        DutyEvent.objects.bulk_create(events, batch_size=500)
    return len(shifts)


def _swappable(shift: Shift, *, now: datetime, field: str) -> None:
    if shift.checked_in_at is not None or shift.starts_at <= now:
        raise Conflict(_("A shift that has started cannot change hands."), fields={field: _("Already started.")})


def swap_ask(*, actor, shift_id: int, to_person_id: int, other_shift_id: int | None = None, reason: str = "", now: datetime | None = None) -> SwapRequest:
    """Ask to hand a shift to another person of the campaign, or to exchange it with one of theirs.
    Asked by the shift's person (from the phone) or by the command centre."""
    now = now or timezone.now()
    shift = Shift.objects.select_related("person", "checkpoint").filter(pk=shift_id).first()
    manager = actor.has_role(Role.DISPATCHER)
    if shift is None or not (manager or shift.person.user_id == actor.pk):
        raise Missing(_("No such shift."))
    to_person = DutyPerson.objects.filter(pk=to_person_id, campaign_id=shift.person.campaign_id).first()
    if to_person is None:
        raise InvalidInput(_("Choose someone from this campaign's people."), fields={"to_person": _("Not in this campaign.")})
    if to_person.pk == shift.person_id:
        raise InvalidInput(_("Choose someone else."), fields={"to_person": _("This shift is already theirs.")})
    other = None
    if other_shift_id is not None:
        other = Shift.objects.filter(pk=other_shift_id, person=to_person).first()
        if other is None:
            raise InvalidInput(_("The shift to take back must be one of %(name)s's.") % {"name": to_person.name}, fields={"other_shift": _("Not theirs.")})
    _swappable(shift, now=now, field="shift")
    if other:
        _swappable(other, now=now, field="other_shift")
    with transaction.atomic():
        campaign = _lock_campaign(shift.person.campaign_id)
        if SwapRequest.objects.filter(shift=shift, status=SwapRequest.Status.PENDING).exists():
            raise Conflict(_("A swap of this shift is already waiting for the command centre."), fields={"shift": _("Already asked.")})
        # What approval would refuse is refused now, with the same reason, not after a wait.
        problem = _swap_problem(shift, other, giver=shift.person, taker=to_person, rest=timedelta(hours=campaign.rest_hours))
        if problem:
            raise Conflict(problem, fields={"other_shift" if other else "to_person": problem})
        swap = SwapRequest.objects.create(
            shift=shift, from_person_id=shift.person_id, to_person=to_person, other_shift=other, reason=(reason or "").strip(), asked_by=actor, asked_at=now,
        )
        _record(campaign=campaign, shift=shift, action=DutyEvent.Action.SWAP_ASKED, actor=actor, at=now, data={
            "swap": swap.pk, "to": to_person.name, "exchange": other.pk if other else None,
        })
        if to_person.user_id and to_person.user_id != actor.pk:
            _notify_asked(swap, shift=shift, other=other, giver=shift.person, taker=to_person)
    return swap


def shift_span(shift: Shift) -> str:
    """A shift's day and hours as messages quote them: "2026-11-30 00:00–04:00"."""
    return f"{town_minute(shift.starts_at)}–{timezone.localtime(shift.ends_at):%H:%M}"


def _swap_problem(shift: Shift, other: Shift | None, *, giver: DutyPerson, taker: DutyPerson, rest: timedelta) -> str | None:
    """Why handing `shift` to `taker` (and, in an exchange, `other` to `giver`) would put someone
    in two places or short of rest; None when it would not."""
    ignore = tuple(pk for pk in (shift.pk, other.pk if other else None) if pk)
    for moved, person in [(shift, taker)] + ([(other, giver)] if other else []):
        clash = person_clash(person, moved.starts_at, moved.ends_at, rest=rest, ignore=ignore)
        if clash:
            return clash_message(person, clash, moved.starts_at, moved.ends_at)
    return None


def _notify_asked(swap: SwapRequest, *, shift: Shift, other: Shift | None, giver: DutyPerson, taker: DutyPerson) -> None:
    """The colleague asked hears of it at once, in the words of what they would work."""
    values = {"name": giver.name, "checkpoint": shift.checkpoint.name, "when": shift_span(shift)}
    if other:
        values.update({"their_checkpoint": other.checkpoint.name, "their_when": shift_span(other)})
        subject = _("%(name)s asks to exchange shifts: you would work at %(checkpoint)s, %(when)s; they would take yours at %(their_checkpoint)s, %(their_when)s.") % values
    else:
        subject = _("%(name)s asks you to take their shift at %(checkpoint)s, %(when)s.") % values
    body = "\n".join(filter(None, [swap.reason, _("The command centre decides; you will be told.")]))
    notification_create(recipients=[taker.user], event=None, subject=subject, body=body)


def swap_decide(*, actor, swap_id: int, approve: bool, note: str = "", now: datetime | None = None, notify: bool = True) -> SwapRequest:
    """Approve (the shifts change hands) or refuse a pending swap. Approval checks again, under
    the locks, that nobody ends up in two places or short of rest, and says why when it cannot.
    The asker and both people are notified, unless `notify` is off (history loaded, not news)."""
    _check_manager(actor)
    now = now or timezone.now()
    swap = SwapRequest.objects.select_related("shift__person").filter(pk=swap_id).first()
    if swap is None:
        raise Missing(_("No such swap request."))
    with transaction.atomic():
        campaign = _lock_campaign(swap.shift.person.campaign_id)
        swap = SwapRequest.objects.select_for_update().get(pk=swap_id)
        if swap.status != SwapRequest.Status.PENDING:
            raise Conflict(_("This swap was decided already (%(status)s).") % {"status": swap.get_status_display()}, fields={"swap": _("Already decided.")})
        shift_ids = sorted(pk for pk in (swap.shift_id, swap.other_shift_id) if pk)
        shifts = {shift.pk: shift for shift in Shift.objects.select_for_update().filter(pk__in=shift_ids).order_by("pk")}
        shift, other = shifts[swap.shift_id], shifts.get(swap.other_shift_id)
        person_ids = sorted({shift.person_id, swap.to_person_id})
        persons = _lock_people(person_ids)
        if approve:
            if other is not None and other.person_id != swap.to_person_id:
                raise Conflict(_("The shift to take back is no longer %(name)s's.") % {"name": persons[swap.to_person_id].name}, fields={"swap": _("Changed since.")})
            _swappable(shift, now=now, field="swap")
            if other:
                _swappable(other, now=now, field="swap")
            giver, taker = persons[shift.person_id], persons[swap.to_person_id]
            problem = _swap_problem(shift, other, giver=giver, taker=taker, rest=timedelta(hours=campaign.rest_hours))
            if problem:
                raise Conflict(_("Cannot approve: %(why)s") % {"why": problem}, fields={"swap": problem})
            moves = [(shift, taker)] + ([(other, giver)] if other else [])
            for moved, new_person in moves:
                moved.person = new_person
                moved.save(update_fields=["person"])
        swap.status = SwapRequest.Status.APPROVED if approve else SwapRequest.Status.REFUSED
        swap.decided_by, swap.decided_at, swap.decision_note = actor, now, (note or "").strip()
        swap.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        _record(
            campaign=campaign, shift=shift, action=DutyEvent.Action.SWAP_APPROVED if approve else DutyEvent.Action.SWAP_REFUSED,
            actor=actor, at=now, data={"swap": swap.pk, "note": swap.decision_note},
        )
        if notify:
            giver = persons[swap.from_person_id] if swap.from_person_id in persons else swap.from_person
            _notify_decision(swap, shift=shift, other=other, giver=giver, taker=persons[swap.to_person_id], actor=actor, approve=approve)
    return swap


def _notify_decision(swap: SwapRequest, *, shift: Shift, other: Shift | None, giver: DutyPerson, taker: DutyPerson, actor, approve: bool) -> None:
    """Each person is told in their own words: on approval, the shift they now have to work (and,
    handing one over, that it is no longer theirs); the asker, if someone else, the decision."""
    values = {"checkpoint": shift.checkpoint.name, "when": shift_span(shift)}
    told = {actor.pk}
    if approve:
        taker_subject = _("Swap approved: you now work at %(checkpoint)s, %(when)s.") % values
        if other:
            giver_subject = _("Swap approved: you now work at %(checkpoint)s, %(when)s.") % {"checkpoint": other.checkpoint.name, "when": shift_span(other)}
        else:
            giver_subject = _("Swap approved: your shift at %(checkpoint)s, %(when)s is now %(name)s's.") % {**values, "name": taker.name}
        plain = _("Swap approved: %(checkpoint)s %(when)s") % values
    else:
        taker_subject = giver_subject = plain = _("Swap refused: %(checkpoint)s %(when)s") % values
    for person, subject in ((taker, taker_subject), (giver, giver_subject)):
        if person.user_id and person.user_id not in told:
            notification_create(recipients=[person.user], event=None, subject=subject, body=swap.decision_note)
            told.add(person.user_id)
    if swap.asked_by_id not in told:
        notification_create(recipients=[swap.asked_by], event=None, subject=plain, body=swap.decision_note)
