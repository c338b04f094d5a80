"""Every read of emergency duty that depends on who is asking goes through here.

The command centre, inspectors, officials and administrators read every campaign; a grid worker
reads the campaigns they are on duty in, their checkpoints and their own shifts; department
members nothing.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from accounts.models import Role
from govgrid.towntime import day_start
from incidents.selectors import TOWN_WIDE_ROLES

from . import roster
from .models import Campaign, Checkpoint, DutyPerson, Shift, Shortfall, SwapRequest

# A check-in this long after the start is late; a check-out this long before the end, early.
LATE_AFTER = timedelta(minutes=10)
EARLY_BEFORE = timedelta(minutes=10)
# The phone lists a worker's shifts ending from this long ago on.
RECENT = timedelta(hours=12)

SHIFT_STATES = {
    "upcoming": gettext_lazy("upcoming"),
    "open": gettext_lazy("check-in open"),
    "not_in": gettext_lazy("not checked in"),
    "on_duty": gettext_lazy("on duty"),
    "late": gettext_lazy("on duty, late"),
    "done": gettext_lazy("done"),
    "left_early": gettext_lazy("left early"),
    "missed": gettext_lazy("missed"),
    "no_checkout": gettext_lazy("no check-out"),
    "no_phone": gettext_lazy("no account to check in"),
}


def may_manage(user) -> bool:
    return user.is_authenticated and user.has_role(Role.DISPATCHER)


def may_read_all(user) -> bool:
    return user.is_authenticated and user.has_role(*TOWN_WIDE_ROLES)


def campaigns_visible_to(user) -> QuerySet[Campaign]:
    campaigns = Campaign.objects.all()
    if not user.is_authenticated:
        return campaigns.none()
    if may_read_all(user):
        return campaigns
    if user.role == Role.WORKER:
        return campaigns.filter(people__user=user).distinct()
    return campaigns.none()


def campaign_get_for_user(*, user, campaign_id) -> Campaign:
    campaign = campaigns_visible_to(user).filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404(_("No such campaign."))
    return campaign


def campaigns_with_counts(user) -> QuerySet[Campaign]:
    return campaigns_visible_to(user).annotate(
        checkpoint_count=Count("checkpoints", distinct=True), people_count=Count("people", distinct=True),
    ).order_by("-active", "-started", "-id")


def checkpoints_visible_to(user) -> QuerySet[Checkpoint]:
    return Checkpoint.objects.filter(campaign__in=campaigns_visible_to(user)).select_related("campaign", "grid")


def shifts_visible_to(user) -> QuerySet[Shift]:
    shifts = Shift.objects.select_related("checkpoint__campaign", "checkpoint__grid", "person__user")
    if not user.is_authenticated:
        return shifts.none()
    if may_read_all(user):
        return shifts
    if user.role == Role.WORKER:
        return shifts.filter(person__user=user)
    return shifts.none()


def shift_state(shift: Shift, now: datetime) -> str:
    """Where a shift stands for the command centre and its person (a key of SHIFT_STATES). A
    volunteer with no user account cannot check in from the phone: their shift that has begun
    is "no_phone", not missed. Reads `shift.person`: load it with the shift."""
    if shift.checked_in_at is None:
        if shift.person.user_id is None and now >= shift.starts_at + LATE_AFTER:
            return "no_phone"
        if now < shift.starts_at - timedelta(minutes=30):
            return "upcoming"
        if now < shift.starts_at + LATE_AFTER:
            return "open"
        return "not_in" if now < shift.ends_at else "missed"
    if shift.checked_out_at is not None:
        return "left_early" if left_early(shift) else "done"
    if now >= shift.ends_at:
        return "no_checkout"
    return "late" if shift.checked_in_at > shift.starts_at + LATE_AFTER else "on_duty"


def is_late(shift: Shift) -> bool:
    return shift.checked_in_at is not None and shift.checked_in_at > shift.starts_at + LATE_AFTER


def left_early(shift: Shift) -> bool:
    """Checked out more than EARLY_BEFORE before the shift's end: the checkpoint was left unstaffed."""
    return shift.checked_out_at is not None and shift.checked_out_at < shift.ends_at - EARLY_BEFORE


def _days(first_day: date, last_day: date) -> list[date]:
    return [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]


@dataclass
class RosterCell:
    shifts: list[Shift] = field(default_factory=list)
    shortfalls: list[Shortfall] = field(default_factory=list)

    @property
    def entries(self) -> list[Shift | Shortfall]:
        """The shifts and the shortfalls together in time order, a slot's shortfall after its people."""
        return sorted([*self.shifts, *self.shortfalls], key=lambda entry: (entry.starts_at, isinstance(entry, Shortfall)))


@dataclass
class RosterRow:
    checkpoint: Checkpoint
    cells: list[RosterCell] = field(default_factory=list)


def roster_table(*, campaign: Campaign, first_day: date, last_day: date, now: datetime) -> tuple[list[date], list[RosterRow]]:
    """Checkpoints × days, each cell the shifts starting that day (time order), each shift with
    its `state`, and the day's open shortfalls there. Three queries whatever the number of shifts."""
    days = _days(first_day, last_day)
    index = {day: n for n, day in enumerate(days)}
    checkpoints = list(campaign.checkpoints.select_related("grid").order_by("name", "pk"))
    rows = {checkpoint.pk: RosterRow(checkpoint, [RosterCell() for _ in days]) for checkpoint in checkpoints}
    start, end = day_start(first_day), day_start(last_day + timedelta(days=1))
    shifts = Shift.objects.filter(checkpoint__campaign=campaign, starts_at__gte=start, starts_at__lt=end).select_related("person").order_by("starts_at", "person__name", "pk")
    for shift in shifts:
        shift.state = shift_state(shift, now)
        shift.state_label = SHIFT_STATES[shift.state]
        rows[shift.checkpoint_id].cells[index[timezone.localdate(shift.starts_at)]].shifts.append(shift)
    for shortfall in open_shortfalls(campaign).filter(starts_at__gte=start, starts_at__lt=end):
        rows[shortfall.checkpoint_id].cells[index[timezone.localdate(shortfall.starts_at)]].shortfalls.append(shortfall)
    return days, list(rows.values())


def pool(campaign: Campaign) -> list[DutyPerson]:
    """The campaign's people, each with `shift_count` and `hours` of their shifts: two queries."""
    people = list(campaign.people.select_related("user", "volunteer__team").order_by("-available", "name", "pk"))
    hours, counts = defaultdict(float), defaultdict(int)
    for person_id, starts_at, ends_at in Shift.objects.filter(person__campaign=campaign).values_list("person_id", "starts_at", "ends_at"):
        hours[person_id] += (ends_at - starts_at).total_seconds() / 3600
        counts[person_id] += 1
    for person in people:
        person.hours, person.shift_count = round(hours[person.pk], 1), counts[person.pk]
    return people


def contact_phone(person: DutyPerson) -> str:
    """The person's phone: their own record's, else their volunteer record's, else their user's."""
    return person.phone or (person.volunteer.phone if person.volunteer_id else "") or (person.user.phone if person.user_id else "")


def open_shortfalls(campaign: Campaign) -> QuerySet[Shortfall]:
    return Shortfall.objects.filter(run__campaign=campaign, filled_at__isnull=True).select_related("checkpoint").order_by("starts_at", "checkpoint__name")


def swaps_of(campaign: Campaign) -> QuerySet[SwapRequest]:
    return (
        SwapRequest.objects.filter(shift__checkpoint__campaign=campaign)
        .select_related("shift__checkpoint", "from_person", "to_person", "other_shift__checkpoint", "asked_by", "decided_by")
        .order_by("status", "-asked_at", "-id")
    )


def attendance_problems(*, campaign: Campaign, now: datetime, days: int = 2) -> list[Shift]:
    """The last `days` days' shifts checked in late, started with no check-in (missed once
    over), or checked out early (the checkpoint left unstaffed), of people with an account to
    check in with."""
    shifts = Shift.objects.filter(
        checkpoint__campaign=campaign, person__user__isnull=False, starts_at__gte=now - timedelta(days=days), starts_at__lte=now,
    ).select_related("checkpoint", "person").order_by("-starts_at", "pk")
    found = []
    for shift in shifts:
        late_or_missed = shift.starts_at <= now - LATE_AFTER and (shift.checked_in_at is None or is_late(shift))
        if late_or_missed or left_early(shift):
            shift.state = shift_state(shift, now)
            shift.state_label = SHIFT_STATES[shift.state]
            found.append(shift)
    return found


def my_shifts(*, user, now: datetime, limit: int = 10) -> list[Shift]:
    """A worker's shifts still to do or just done (to check out), soonest first, with their state."""
    shifts = list(
        shifts_visible_to(user).filter(person__user=user, ends_at__gte=now - RECENT).filter(checkpoint__campaign__active=True)
        .prefetch_related(Prefetch("swap_requests", queryset=SwapRequest.objects.filter(status=SwapRequest.Status.PENDING), to_attr="pending_swaps"))
        .order_by("starts_at", "pk")[:limit]
    )
    for shift in shifts:
        shift.state = shift_state(shift, now)
        shift.state_label = SHIFT_STATES[shift.state]
    return shifts


def colleagues(*, shift: Shift, now: datetime) -> list[DutyPerson]:
    """The people of the shift's campaign it could be handed to, each with `tradeable`: how many
    of their shifts could be taken back in exchange (see `exchangeable_shifts`). Two queries."""
    people = list(DutyPerson.objects.filter(campaign_id=shift.person.campaign_id, available=True).exclude(pk=shift.person_id).order_by("name", "pk"))
    counts = dict(
        _exchangeable(Shift.objects.filter(person__in=people), now=now).values("person_id").annotate(n=Count("pk")).values_list("person_id", "n")
    )
    for person in people:
        person.tradeable = counts.get(person.pk, 0)
    return people


def _exchangeable(shifts: QuerySet[Shift], *, now: datetime) -> QuerySet[Shift]:
    return (
        shifts.filter(starts_at__gt=now, checked_in_at__isnull=True)
        .exclude(swap_requests__status=SwapRequest.Status.PENDING).exclude(swap_counterparts__status=SwapRequest.Status.PENDING)
    )


def _same_people_shifts(person: DutyPerson) -> list[Shift]:
    """The shifts of the person's rows in every campaign (the same user or volunteer)."""
    same = Q(pk=person.pk)
    if person.user_id:
        same |= Q(user_id=person.user_id)
    if person.volunteer_id:
        same |= Q(volunteer_id=person.volunteer_id)
    return list(Shift.objects.filter(person__in=DutyPerson.objects.filter(same)).select_related("checkpoint__campaign"))


def _clash(shifts: list[Shift], starts_at: datetime, ends_at: datetime, *, rest: timedelta, ignore: set[int]) -> Shift | None:
    found = [s for s in shifts if s.pk not in ignore and s.starts_at < ends_at + rest and s.ends_at > starts_at - rest]
    return min(found, key=lambda s: s.starts_at) if found else None


def exchangeable_shifts(*, shift: Shift, person: DutyPerson, now: datetime, limit: int = 20) -> list[Shift]:
    """A colleague's shifts that could be taken back in exchange for `shift`: not started, not
    checked in, not already in a pending swap; soonest first. Each carries `clash`, the shift
    that the exchange would overlap or come too close to (for either of the two; None when the
    exchange keeps both in one place at a time and rested), and `clash_person` whose it is.
    Four queries whatever the number of shifts."""
    rest = timedelta(hours=shift.checkpoint.campaign.rest_hours)
    theirs = list(_exchangeable(Shift.objects.filter(person=person), now=now).select_related("checkpoint__grid").order_by("starts_at", "pk")[:limit])
    mine_all, theirs_all = _same_people_shifts(shift.person), _same_people_shifts(person)
    for other in theirs:
        ignore = {shift.pk, other.pk}
        mine_clash = _clash(mine_all, other.starts_at, other.ends_at, rest=rest, ignore=ignore)
        their_clash = _clash(theirs_all, shift.starts_at, shift.ends_at, rest=rest, ignore=ignore)
        other.clash, other.clash_person = (mine_clash, shift.person) if mine_clash else (their_clash, person if their_clash else None)
    return theirs


def shifts_by_day(shifts) -> list[tuple[date, list[Shift]]]:
    """Shifts grouped by the town-local day they start, for the printed rosters."""
    grouped = defaultdict(list)
    for shift in shifts:
        grouped[timezone.localdate(shift.starts_at)].append(shift)
    return sorted(grouped.items())


@dataclass
class PrintSlot:
    """One slot of a printed checkpoint roster: its people, and how many places it still lacks."""

    starts_at: datetime
    ends_at: datetime
    shifts: list[Shift]
    missing: int


def rostered_days(campaign: Campaign) -> set[date]:
    """The days some roster run of the campaign covered."""
    days = set()
    for first_day, last_day in campaign.roster_runs.values_list("first_day", "last_day"):
        days.update(_days(first_day, last_day))
    return days


def checkpoint_print_slots(checkpoint: Checkpoint) -> tuple[list[tuple[date, list[PrintSlot]]], list[date]]:
    """The checkpoint's slots by day, each with its people (user and volunteer loaded, for their
    phones) and the places left unfilled, on the days that were rostered or have shifts; and
    the checkpoint's days not rostered yet. Three queries."""
    zone = timezone.get_default_timezone()
    campaign = checkpoint.campaign
    shifts = defaultdict(list)
    for shift in checkpoint.shifts.select_related("person__user", "person__volunteer").order_by("starts_at", "person__name", "pk"):
        shifts[(shift.starts_at, shift.ends_at)].append(shift)
    rostered = rostered_days(campaign) | {timezone.localdate(starts_at) for starts_at, _end in shifts}
    hours = roster.Hours(checkpoint.first_day, checkpoint.last_day, checkpoint.round_the_clock, checkpoint.daily_from, checkpoint.daily_to)
    slots = {
        (slot.starts_at, slot.ends_at): slot.need
        for slot in roster.slots_of(
            checkpoint=checkpoint.pk, hours=hours, need=checkpoint.people_per_shift, shift_hours=campaign.shift_hours,
            first_day=checkpoint.first_day, last_day=checkpoint.last_day, zone=zone,
        )
        if timezone.localdate(slot.starts_at) in rostered and (checkpoint.closed_at is None or slot.starts_at < checkpoint.closed_at)
    }
    by_day = defaultdict(list)
    for starts_at, ends_at in sorted(set(slots) | set(shifts)):
        people = shifts.get((starts_at, ends_at), [])
        by_day[timezone.localdate(starts_at)].append(PrintSlot(starts_at, ends_at, people, max(0, slots.get((starts_at, ends_at), 0) - len(people))))
    not_rostered = [day for day in _days(checkpoint.first_day, checkpoint.last_day) if day not in rostered]
    return sorted(by_day.items()), not_rostered


def free_people(*, campaign: Campaign, people: list[DutyPerson], windows: dict) -> dict:
    """For each window (a key → (starts_at, ends_at, ids of shifts to leave out)), those of
    `people` who could take it: no shift then, in this campaign or another they are on duty in,
    and the campaign's rest either side (the check the services make). One query."""
    if not windows or not people:
        return {key: [] for key in windows}
    rest = timedelta(hours=campaign.rest_hours)
    ids = {person.pk for person in people}
    by_user = {person.user_id: person.pk for person in people if person.user_id}
    by_volunteer = {person.volunteer_id: person.pk for person in people if person.volunteer_id}
    earliest = min(starts_at for starts_at, _end, _ignore in windows.values()) - rest
    latest = max(ends_at for _start, ends_at, _ignore in windows.values()) + rest
    busy = defaultdict(list)
    for shift_id, person_id, user_id, volunteer_id, starts_at, ends_at in Shift.objects.filter(
        Q(person_id__in=ids) | Q(person__user_id__in=list(by_user)) | Q(person__volunteer_id__in=list(by_volunteer)),
        starts_at__lt=latest, ends_at__gt=earliest,
    ).values_list("pk", "person_id", "person__user_id", "person__volunteer_id", "starts_at", "ends_at"):
        here = person_id if person_id in ids else by_user.get(user_id) or by_volunteer.get(volunteer_id)
        if here:
            busy[here].append((shift_id, starts_at, ends_at))
    return {
        key: [
            person for person in people
            if not any(shift_id not in ignore and starts_at < ends_at + rest and ends_at > starts_at - rest for shift_id, starts_at, ends_at in busy[person.pk])
        ]
        for key, (starts_at, ends_at, ignore) in windows.items()
    }


def person_print_shifts(person: DutyPerson) -> list[tuple[date, list[Shift]]]:
    return shifts_by_day(person.shifts.select_related("checkpoint__grid").order_by("starts_at", "pk"))
