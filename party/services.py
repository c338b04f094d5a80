"""Every write to the party's records goes through here.

Each change runs in one transaction, with the rows it decides on locked in a fixed order
(member, then check-in; meeting, then follow-up), and writes a PartyEvent. A check-in's UUID
is made where it is recorded, so a phone's retry is the same check-in. Mail leaves on commit.

`now` is the server's clock, given only when loading history (the demo town) and in tests.
"""

import uuid as uuid_module
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _, ngettext

from accounts.models import Role
from accounts.services import notification_create
from grids.models import Community, Grid
from grids.selectors import grids_of
from incidents.errors import Conflict, InvalidInput, Missing, NotAllowed
from incidents.models import Category, Source
from incidents.services import incident_report
from incidents.timelimits import WorkingCalendar

from .models import Meeting, MeetingFollowUp, MemberCheckIn, PartyEvent, PartyMember, PartyReminder
from .selectors import compliance, may_manage, required_per_year

MAX_HOURS = Decimal(24)
# Follow-ups' cases get a UUID derived from the follow-up: a second opening, even one that
# slipped past the follow-up's lock, finds the first case.
FOLLOW_UP_CASES = uuid_module.UUID("5b7c1d7e-2f38-4a55-9d7e-7d1a3c0e6a10")


def _record(*, action: str, actor, at: datetime, checkin=None, meeting=None, follow_up=None, data: dict | None = None) -> PartyEvent:
    return PartyEvent.objects.create(action=action, actor=actor, at=at, checkin=checkin, meeting=meeting, follow_up=follow_up, data=data or {})


def _may_work_at(actor, grid: Grid) -> bool:
    """The command centre and administrators anywhere; a grid worker at their own grids."""
    allowed = _grids_worked_at(actor)
    return allowed is None or grid.pk in allowed


def _require_manager(actor) -> None:
    if not may_manage(actor):
        raise NotAllowed(_("Only the command centre records the party's meetings."))


# Check-ins -----------------------------------------------------------------------------------


def _hours(value) -> Decimal | None:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return hours if hours.is_finite() else None


def checkin_record(
    *, actor, member: PartyMember, grid: Grid, day: date | None, activity: str, hours, uuid, now: datetime | None = None,
) -> tuple[MemberCheckIn, bool]:
    """Record an in-service member's check-in at a grid. Returns (check-in, created); the same
    UUID again returns the first check-in. The date is the town's today when not given."""
    now = now or timezone.now()
    if not isinstance(grid, Grid):
        raise InvalidInput(_("Choose a grid."), fields={"grid": _("Choose a grid.")})
    if not _may_work_at(actor, grid):
        raise NotAllowed(_("You may record check-ins only at your own grids."))
    existing = MemberCheckIn.objects.filter(uuid=uuid).first()
    if existing:
        return _same_checkin(existing, member=member, grid=grid), False
    day = day or timezone.localdate(now)
    amount = _hours(hours)
    errors = _checkin_errors(member=member, day=day, amount=amount, activity=activity, today=timezone.localdate(now))
    if errors:
        raise InvalidInput(_("The check-in has errors."), fields=errors)
    # The grid's own worker vouches for what they record: confirmed at once, not put back in
    # their own list to confirm. Recorded by the command centre, it waits for the grid's worker.
    confirmed_now = actor.role == Role.WORKER and not may_manage(actor)
    try:
        with transaction.atomic():
            # The member's check-ins are counted against the rule: one writer at a time.
            PartyMember.objects.select_for_update().filter(pk=member.pk).first()
            # The same form's retry, done while this one waited for the lock.
            existing = MemberCheckIn.objects.filter(uuid=uuid).first()
            if existing:
                return _same_checkin(existing, member=member, grid=grid), False
            first = _same_day_checkin(member=member, day=day)
            if first is not None:
                raise Conflict(first, fields={"date": first})
            checkin = MemberCheckIn.objects.create(
                uuid=uuid, member=member, grid=grid, date=day, activity=activity.strip(), hours=amount,
                recorded_by=actor, recorded_at=now,
                **({"status": MemberCheckIn.Status.CONFIRMED, "decided_by": actor, "decided_at": now} if confirmed_now else {}),
            )
            _record(
                action=PartyEvent.Action.CHECKIN_RECORDED, actor=actor, at=now, checkin=checkin,
                data={"member": member.pk, "grid": grid.code, "date": day.isoformat(), "hours": str(amount)},
            )
            if confirmed_now:
                _record(action=PartyEvent.Action.CHECKIN_CONFIRMED, actor=actor, at=now, checkin=checkin, data={"recorded_by_grid_worker": True})
    except IntegrityError:
        # The same UUID sent twice at once: the other request made it.
        existing = MemberCheckIn.objects.filter(uuid=uuid).first()
        if existing is None:
            raise
        return _same_checkin(existing, member=member, grid=grid), False
    return checkin, True


def _same_day_checkin(*, member: PartyMember, day: date) -> str | None:
    """Why a second check-in of the member on `day` is refused (naming the first), or None: one
    a day counts towards the rule. A refused one does not stand in the way."""
    first = (
        MemberCheckIn.objects.filter(member=member, date=day).exclude(status=MemberCheckIn.Status.REFUSED)
        .select_related("grid", "recorded_by").order_by("pk").first()
    )
    if first is None:
        return None
    return _("%(name)s already has a check-in on %(date)s: %(activity)s at %(grid)s, recorded by %(by)s (%(status)s).") % {
        "name": member.name, "date": day.isoformat(), "activity": first.activity[:40], "grid": first.grid.name,
        "by": first.recorded_by.display_name, "status": first.get_status_display(),
    }


def _checkin_errors(*, member: PartyMember, day: date, amount: Decimal | None, activity: str, today: date) -> dict[str, str]:
    """What is wrong with a check-in, by field: the rules every check-in is held to."""
    errors = {}
    if not member.in_service:
        errors["member"] = _("Only in-service members check in at a grid.")
    elif not member.active:
        errors["member"] = _("This member is no longer active.")
    if day > today:
        errors["date"] = _("A check-in cannot be in the future.")
    elif day < member.joined_on:
        errors["date"] = _("%(name)s joined the party on %(joined)s: a check-in cannot be earlier.") % {
            "name": member.name, "joined": member.joined_on.isoformat()
        }
    if amount is None:
        errors["hours"] = _("Enter the hours as a number, such as 2 or 1.5.")
    elif not Decimal(0) < amount <= MAX_HOURS:
        errors["hours"] = _("More than 0 and at most 24 hours.")
    if not (activity or "").strip():
        errors["activity"] = _("Say what the member did.")
    return errors


@dataclass(frozen=True)
class PastCheckIn:
    """A check-in that was recorded and confirmed by `actor` (the grid's worker, or the command
    centre) at the moments given: history loaded in one go (`checkins_record_confirmed`)."""

    member: PartyMember
    grid: Grid
    day: date
    activity: str
    hours: Decimal | float | int | str
    uuid: uuid_module.UUID
    actor: object
    recorded_at: datetime
    confirmed_at: datetime


def checkins_record_confirmed(*, entries: list[PastCheckIn], now: datetime | None = None) -> list[MemberCheckIn]:
    """Record many check-ins already confirmed, such as a year's history, at once: each held to
    the rules of `checkin_record` (one a day per member; and recorded on or after its day, confirmed after it was
    recorded, neither after `now`; its UUID unused), any error refusing the whole list, naming
    the entry as `<n>.<field>` (from 0). Then the check-ins and their two events each are
    written in bulk, the members locked first (by id, as one check-in locks its member)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    grids_by_actor: dict[int, set[int] | None] = {}
    seen, errors = set(), {}
    used = set(MemberCheckIn.objects.filter(uuid__in=[entry.uuid for entry in entries]).values_list("uuid", flat=True))
    days_taken = set(
        MemberCheckIn.objects.filter(member__in={entry.member.pk for entry in entries}, date__in={entry.day for entry in entries})
        .exclude(status=MemberCheckIn.Status.REFUSED).values_list("member_id", "date")
    )
    for index, entry in enumerate(entries):
        problems = _checkin_errors(
            member=entry.member, day=entry.day, amount=_hours(entry.hours), activity=entry.activity, today=today
        )
        if entry.actor.pk not in grids_by_actor:
            grids_by_actor[entry.actor.pk] = _grids_worked_at(entry.actor)
        allowed = grids_by_actor[entry.actor.pk]
        if not isinstance(entry.grid, Grid):
            problems["grid"] = _("Choose a grid.")
        elif allowed is not None and entry.grid.pk not in allowed:
            problems["grid"] = _("You may record check-ins only at your own grids.")
        if not timezone.localdate(entry.recorded_at) >= entry.day or not entry.recorded_at <= entry.confirmed_at <= now:
            problems["recorded_at"] = _("Recorded on or after the check-in's day, confirmed after that and not in the future.")
        if entry.uuid in used or entry.uuid in seen:
            problems["uuid"] = _("Already used.")
        seen.add(entry.uuid)
        if (entry.member.pk, entry.day) in days_taken:
            problems["day"] = _("%(name)s already has a check-in on %(date)s.") % {"name": entry.member.name, "date": entry.day.isoformat()}
        days_taken.add((entry.member.pk, entry.day))
        errors.update({f"{index}.{name}": message for name, message in problems.items()})
    if errors:
        raise InvalidInput(
            _("%(count)d of the %(total)d check-ins have errors: nothing was recorded.") % {
                "count": len({name.split(".")[0] for name in errors}), "total": len(entries)
            },
            fields=errors,
        )
    with transaction.atomic():
        list(PartyMember.objects.select_for_update().filter(pk__in={entry.member.pk for entry in entries}).order_by("pk").values_list("pk"))
        checkins = MemberCheckIn.objects.bulk_create([
            MemberCheckIn(
                uuid=entry.uuid, member=entry.member, grid=entry.grid, date=entry.day, activity=entry.activity.strip(),
                hours=_hours(entry.hours), status=MemberCheckIn.Status.CONFIRMED, recorded_by=entry.actor,
                recorded_at=entry.recorded_at, decided_by=entry.actor, decided_at=entry.confirmed_at,
            )
            for entry in entries
        ])
        events = []
        for entry, checkin in zip(entries, checkins):
            events.append(PartyEvent(
                action=PartyEvent.Action.CHECKIN_RECORDED, actor=entry.actor, at=entry.recorded_at, checkin=checkin,
                data={"member": entry.member.pk, "grid": entry.grid.code, "date": entry.day.isoformat(), "hours": str(checkin.hours)},
            ))
            events.append(PartyEvent(action=PartyEvent.Action.CHECKIN_CONFIRMED, actor=entry.actor, at=entry.confirmed_at, checkin=checkin))
        PartyEvent.objects.bulk_create(events)
    return checkins


def _grids_worked_at(actor) -> set[int] | None:
    """The grids where `actor` records and confirms check-ins: None for anywhere (the command
    centre and administrators), else a worker's own grids (none for anyone else)."""
    if not actor.is_authenticated or not actor.is_active:
        return set()
    if may_manage(actor):
        return None
    if actor.role != Role.WORKER:
        return set()
    return set(grids_of(actor).values_list("pk", flat=True))


def grids_deciding_checkins(actor) -> set[int] | None:
    """The grids where `actor` may confirm or refuse a check-in, by the rule `_decide` applies
    (None: anywhere): pages offer the two buttons only there."""
    return _grids_worked_at(actor)


def _same_checkin(existing: MemberCheckIn, *, member: PartyMember, grid: Grid) -> MemberCheckIn:
    if existing.member_id != member.pk or existing.grid_id != grid.pk:
        raise Conflict(_("This UUID belongs to another check-in: record it with a new one."), fields={"uuid": _("Already used.")})
    return existing


def _decide(*, actor, checkin_id: int, status: str, reason: str = "", now: datetime | None) -> MemberCheckIn:
    now = now or timezone.now()
    with transaction.atomic():
        checkin = MemberCheckIn.objects.select_for_update().filter(pk=checkin_id).select_related("grid").first()
        if checkin is None:
            raise Missing(_("No such check-in."))
        if not _may_work_at(actor, checkin.grid):
            raise NotAllowed(_("Only the grid's worker or the command centre confirms a check-in."))
        if checkin.status == status:
            return checkin  # the same answer sent twice
        if checkin.status != MemberCheckIn.Status.RECORDED:
            raise Conflict(
                _("This check-in was already %(status)s.") % {"status": checkin.get_status_display()},
                fields={"status": checkin.get_status_display()},
            )
        checkin.status = status
        checkin.refusal_reason = reason
        checkin.decided_by = actor
        checkin.decided_at = now
        checkin.save(update_fields=["status", "refusal_reason", "decided_by", "decided_at"])
        action = PartyEvent.Action.CHECKIN_CONFIRMED if status == MemberCheckIn.Status.CONFIRMED else PartyEvent.Action.CHECKIN_REFUSED
        _record(action=action, actor=actor, at=now, checkin=checkin, data={"reason": reason} if reason else {})
    return checkin


def checkin_confirm(*, actor, checkin_id: int, now: datetime | None = None) -> MemberCheckIn:
    """The grid's worker (or the command centre) confirms the member was there; it now counts."""
    return _decide(actor=actor, checkin_id=checkin_id, status=MemberCheckIn.Status.CONFIRMED, now=now)


def checkin_refuse(*, actor, checkin_id: int, reason: str, now: datetime | None = None) -> MemberCheckIn:
    """The grid's worker refuses a check-in they cannot vouch for, saying why."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the check-in is refused."), fields={"reason": _("Say why the check-in is refused.")})
    return _decide(actor=actor, checkin_id=checkin_id, status=MemberCheckIn.Status.REFUSED, reason=reason[:200], now=now)


# Meetings and follow-ups ---------------------------------------------------------------------


def meeting_errors(
    *, body: str | None, community: Community | None, grid: Grid | None, day: date | None, title: str | None, topics: str | None,
    today: date,
) -> dict[str, str]:
    """What is wrong with a meeting, by field: the rules `meeting_record` holds a meeting to, also
    asked by a form whose other fields are wrong, so every message shows at once. None is a field
    left empty (or one the form already refused)."""
    errors = {}
    if body not in Meeting.Body.values:
        errors["body"] = _("Choose the party organisation or one of the three councils.")
    if community is None:
        errors["community"] = _("Choose the community the meeting was held in.")
    if day is None:
        errors["date"] = _("Give the day the meeting was held.")
    elif day > today:
        errors["date"] = _("The date cannot be in the future: a meeting is recorded once it has been held (%(today)s at the latest).") % {
            "today": today.isoformat()
        }
    if grid is not None and community is not None and grid.community_id != community.pk:
        errors["grid"] = _("This grid is not in the meeting's community.")
    if not (title or "").strip():
        errors["title"] = _("Give the meeting a title.")
    if not (topics or "").strip():
        errors["topics"] = _("List the topics discussed.")
    return errors


def meeting_record(
    *, actor, body: str, community: Community, day: date, title: str, topics: str, decisions: str = "",
    grid: Grid | None = None, attendees=(), other_attendees: str = "", now: datetime | None = None,
) -> Meeting:
    """Record a meeting of the party organisation or one of the three councils."""
    now = now or timezone.now()
    _require_manager(actor)
    errors = meeting_errors(body=body, community=community, grid=grid, day=day, title=title, topics=topics, today=timezone.localdate(now))
    if errors:
        raise InvalidInput(_("The meeting has errors."), fields=errors)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            body=body, community=community, grid=grid, date=day, title=title.strip(), topics=topics.strip(),
            decisions=decisions.strip(), other_attendees=other_attendees.strip(), recorded_by=actor, recorded_at=now,
        )
        meeting.attendees.set(attendees)
        _record(action=PartyEvent.Action.MEETING_RECORDED, actor=actor, at=now, meeting=meeting, data={"body": body, "date": day.isoformat()})
    return meeting


def follow_up_add(
    *, actor, meeting: Meeting, what: str, due_on: date, owner=None, owner_name: str = "", grid: Grid | None = None,
    now: datetime | None = None,
) -> MeetingFollowUp:
    """A follow-up of the meeting's decisions, with an owner (an account or a name) and a due date."""
    now = now or timezone.now()
    _require_manager(actor)
    errors = {}
    if not what.strip():
        errors["what"] = _("Say what is to be done.")
    if owner is None and not owner_name.strip():
        errors["owner"] = _("Name who will do it.")
    if due_on < meeting.date:
        errors["due_on"] = _("Due on or after the meeting's day.")
    if grid is not None and grid.community_id != meeting.community_id:
        errors["grid"] = _("This grid is not in the meeting's community.")
    if errors:
        raise InvalidInput(_("The follow-up has errors."), fields=errors)
    with transaction.atomic():
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        follow_up = MeetingFollowUp.objects.create(
            meeting=meeting, what=what.strip(), owner=owner, owner_name="" if owner else owner_name.strip(), due_on=due_on, grid=grid
        )
        _record(
            action=PartyEvent.Action.FOLLOW_UP_ADDED, actor=actor, at=now, meeting=meeting, follow_up=follow_up,
            data={"due_on": due_on.isoformat(), "grid": grid.code if grid else None},
        )
    return follow_up


def _locked_follow_up(follow_up_id: int) -> MeetingFollowUp:
    follow_up = MeetingFollowUp.objects.filter(pk=follow_up_id).select_related("meeting").first()
    if follow_up is None:
        raise Missing(_("No such follow-up."))
    Meeting.objects.select_for_update().filter(pk=follow_up.meeting_id).first()
    # Only the follow-up's row: PostgreSQL locks no row on the nullable side of the grid's outer join.
    return MeetingFollowUp.objects.select_for_update(of=("self",)).select_related("meeting", "grid__community").get(pk=follow_up_id)


def follow_up_done(*, actor, follow_up_id: int, done_on: date, now: datetime | None = None) -> MeetingFollowUp:
    """Mark a follow-up done on a day (not before its meeting, not in the future)."""
    now = now or timezone.now()
    _require_manager(actor)
    with transaction.atomic():
        follow_up = _locked_follow_up(follow_up_id)
        if follow_up.done_on == done_on:
            return follow_up
        if done_on > timezone.localdate(now) or done_on < follow_up.meeting.date:
            raise InvalidInput(
                _("The follow-up has errors."), fields={"done_on": _("Between the meeting's day and today.")}
            )
        follow_up.done_on = done_on
        follow_up.save(update_fields=["done_on"])
        _record(
            action=PartyEvent.Action.FOLLOW_UP_DONE, actor=actor, at=now, meeting=follow_up.meeting, follow_up=follow_up,
            data={"done_on": done_on.isoformat()},
        )
    return follow_up


def follow_up_open_case(
    *, actor, follow_up_id: int, category: Category, latitude: float, longitude: float, description: str = "",
    address: str = "", now: datetime | None = None,
):
    """Open a case in the loop for a follow-up that is a problem in a grid. Returns (incident,
    created); a follow-up that already opened one returns it, so opening twice opens one case.
    The case's address is `address` (a compound's name), else the follow-up's grid; its
    description starts with the meeting it came from, e.g. 【一委三会·议事会 2026-11-26】."""
    now = now or timezone.now()
    _require_manager(actor)
    with transaction.atomic():
        follow_up = _locked_follow_up(follow_up_id)
        if follow_up.incident_id:
            return follow_up.incident, False
        if follow_up.grid_id is None:
            raise InvalidInput(
                _("Only a follow-up in a grid opens a case."), fields={"grid": _("Set the follow-up's grid first.")}
            )
        meeting = follow_up.meeting
        text = _("[One committee, three councils · %(body)s %(date)s] %(text)s") % {
            "body": meeting.get_body_display(), "date": meeting.date.isoformat(), "text": (description or "").strip() or follow_up.what,
        }
        place = (address or "").strip() or f"{follow_up.grid.community.name} {follow_up.grid.name}"
        incident, created = incident_report(
            reporter=actor, category=category, description=text, latitude=latitude, longitude=longitude,
            address=place[:200], source=Source.OTHER, note=_("From a meeting's follow-up: %(title)s") % {"title": meeting.title},
            client_uuid=uuid_module.uuid5(FOLLOW_UP_CASES, str(follow_up.pk)), at=now,
        )
        follow_up.incident = incident
        follow_up.save(update_fields=["incident"])
        _record(
            action=PartyEvent.Action.CASE_OPENED, actor=actor, at=now, meeting=meeting, follow_up=follow_up,
            data={"incident": incident.pk, "code": incident.code},
        )
    return incident, created


# Monthly reminders ---------------------------------------------------------------------------


def first_working_day(month: date) -> date:
    """The first working day of the month, by the town's calendar (holidays and make-up days)."""
    first = month.replace(day=1)
    calendar = WorkingCalendar.load(first, days=31)
    day = first
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def party_remind_behind(*, now: datetime | None = None) -> int:
    """From beat every morning; acts only on the month's first working day. Reminds each
    in-service member behind for the year (`selectors.is_behind`, as the compliance page shows
    them: so nobody on January's first working day, and in December whoever still has no
    check-in) in the app when they have an account (mailed too when it has an address), else by
    e-mail, and sends each employer with an address one summary of its members behind. Once a
    month: the month is claimed first. Returns members reminded."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if first_working_day(today) != today:
        return 0
    behind = [row for row in compliance(year=today.year, today=today) if row.behind]
    with transaction.atomic():
        try:
            with transaction.atomic():
                PartyReminder.objects.create(
                    month=today.replace(day=1), sent_on=today,
                    members=[row.member.pk for row in behind],
                    employers=sorted({row.member.employer_id for row in behind if row.member.employer.email}),
                )
        except IntegrityError:
            return 0  # another process got there first
        mails = []
        with translation.override(settings.LANGUAGE_CODE):
            for row in behind:
                subject, body = _member_reminder(row, year=today.year)
                member = row.member
                if member.user_id and member.user.is_active:
                    notification_create(recipients=[member.user], event=None, subject=subject, body=body)
                elif member.email:
                    mails.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [member.email]))
            by_employer = {}
            for row in behind:
                by_employer.setdefault(row.member.employer, []).append(row)
            for employer, rows in sorted(by_employer.items(), key=lambda item: item[0].name):
                if employer.email:
                    subject, body = _employer_summary(employer, rows, year=today.year)
                    mails.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [employer.email]))
        if mails:
            transaction.on_commit(lambda: get_connection().send_messages(mails))
    return len(behind)


def _member_reminder(row, *, year: int) -> tuple[str, str]:
    subject = _("Check-in reminder: %(count)d of %(required)d check-ins at a grid in %(year)d") % {
        "count": row.count, "required": row.required, "year": year
    }
    body = ngettext(
        "%(name)s, you have %(missing)d more check-in to make at a grid (%(grid)s) by 31 December %(year)d.",
        "%(name)s, you have %(missing)d more check-ins to make at a grid (%(grid)s) by 31 December %(year)d.",
        row.missing,
    ) % {"name": row.member.name, "missing": row.missing, "grid": row.member.grid.name, "year": year}
    return subject, body


def _employer_summary(employer, rows, *, year: int) -> tuple[str, str]:
    subject = ngettext(
        "%(employer)s: %(count)d in-service member behind on the check-ins at a grid in %(year)d",
        "%(employer)s: %(count)d in-service members behind on the check-ins at a grid in %(year)d",
        len(rows),
    ) % {"employer": employer.name, "count": len(rows), "year": year}
    lines = [
        _("%(name)s: %(count)d of %(required)d (%(grid)s)") % {"name": row.member.name, "count": row.count, "required": required_per_year(), "grid": row.member.grid.name}
        for row in rows
    ]
    return subject, "\n".join(lines)
