"""Every read of emergency duty that depends on who is asking goes through here.

The command centre, inspectors, officials and administrators read every campaign; a grid worker
reads the campaigns they are on duty in, their checkpoints and their own shifts; department
members nothing.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from accounts.models import Role
from govgrid.towntime import day_start
from incidents.selectors import TOWN_WIDE_ROLES

from .models import Campaign, Checkpoint, DutyPerson, Shift, Shortfall, SwapRequest

# A check-in this long after the start is late.
LATE_AFTER = timedelta(minutes=10)
# The phone lists a worker's shifts ending from this long ago on.
RECENT = timedelta(hours=12)

SHIFT_STATES = {
    "upcoming": gettext_lazy("upcoming"),
    "open": gettext_lazy("check-in open"),
    "not_in": gettext_lazy("not checked in"),
    "on_duty": gettext_lazy("on duty"),
    "late": gettext_lazy("on duty, late"),
    "done": gettext_lazy("done"),
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
        return "done"
    if now >= shift.ends_at:
        return "no_checkout"
    return "late" if shift.checked_in_at > shift.starts_at + LATE_AFTER else "on_duty"


def is_late(shift: Shift) -> bool:
    return shift.checked_in_at is not None and shift.checked_in_at > shift.starts_at + LATE_AFTER


def _days(first_day: date, last_day: date) -> list[date]:
    return [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]


@dataclass
class RosterCell:
    shifts: list[Shift] = field(default_factory=list)
    shortfalls: list[Shortfall] = field(default_factory=list)


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
    """The last `days` days' shifts checked in late, or started with no check-in (missed once
    over), of people with an account to check in with."""
    shifts = Shift.objects.filter(
        checkpoint__campaign=campaign, person__user__isnull=False, starts_at__gte=now - timedelta(days=days), starts_at__lte=now - LATE_AFTER,
    ).select_related("checkpoint", "person").order_by("-starts_at", "pk")
    found = []
    for shift in shifts:
        if shift.checked_in_at is None or is_late(shift):
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


def colleagues(*, shift: Shift) -> list[DutyPerson]:
    """The people of the shift's campaign it could be handed to."""
    return list(DutyPerson.objects.filter(campaign_id=shift.person.campaign_id, available=True).exclude(pk=shift.person_id).order_by("name", "pk"))


def exchangeable_shifts(*, person: DutyPerson, now: datetime, limit: int = 20) -> list[Shift]:
    """A colleague's shifts that could be taken back in exchange: not started, not checked in,
    not already in a pending swap; soonest first."""
    return list(
        Shift.objects.filter(person=person, starts_at__gt=now, checked_in_at__isnull=True)
        .exclude(swap_requests__status=SwapRequest.Status.PENDING).exclude(swap_counterparts__status=SwapRequest.Status.PENDING)
        .select_related("checkpoint__grid").order_by("starts_at", "pk")[:limit]
    )


def shifts_by_day(shifts) -> list[tuple[date, list[Shift]]]:
    """Shifts grouped by the town-local day they start, for the printed rosters."""
    grouped = defaultdict(list)
    for shift in shifts:
        grouped[timezone.localdate(shift.starts_at)].append(shift)
    return sorted(grouped.items())


def checkpoint_print_shifts(checkpoint: Checkpoint) -> list[tuple[date, list[Shift]]]:
    return shifts_by_day(checkpoint.shifts.select_related("person").order_by("starts_at", "person__name", "pk"))


def person_print_shifts(person: DutyPerson) -> list[tuple[date, list[Shift]]]:
    return shifts_by_day(person.shifts.select_related("checkpoint__grid").order_by("starts_at", "pk"))
