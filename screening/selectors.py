"""Every read of the screening register that depends on who is asking goes through here.

A grid worker sees the entries of their grids; the command centre, inspectors, officials and
administrators the whole town; department members none. Who sees phone and ID numbers in full
is `full_view_grids`: the grid's own workers and the command centre.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import PersonalDataView, Role
from govgrid.towntime import day_bounds
from grids.models import Grid
from incidents.selectors import TOWN_WIDE_ROLES

from .models import Arrival, FollowUp, HealthStatus

# Follow-up filters of the lists: open ones due today, open ones past their day.
DUE_TODAY, OVERDUE = "due", "overdue"


def arrivals_visible_to(user) -> QuerySet[Arrival]:
    arrivals = Arrival.objects.select_related("grid__community", "compound", "recorded_by", "campaign")
    if not user.is_authenticated:
        return arrivals.none()
    if user.has_role(*TOWN_WIDE_ROLES):
        return arrivals
    if user.role == Role.WORKER:
        return arrivals.filter(grid__workers__user=user)
    return arrivals.none()


def may_register(user) -> bool:
    """Grid workers (in their grids) and the command centre register arrivals; inspectors and
    officials read the register."""
    return user.is_authenticated and user.is_active and (user.role == Role.WORKER or user.has_role(Role.DISPATCHER))


def registrable_grids(user) -> QuerySet[Grid]:
    """The grids `user` may register an arrival in."""
    grids = Grid.objects.select_related("community").order_by("code")
    if not may_register(user):
        return grids.none()
    if user.has_role(Role.DISPATCHER):
        return grids
    return grids.filter(workers__user=user)


def full_view_grids(user) -> set[int] | None:
    """The grids whose entries `user` sees with phone and ID number in full: None for every grid
    (the command centre), else the ids of the grids they serve (none for anyone else)."""
    if user.is_authenticated and user.has_role(Role.DISPATCHER):
        return None
    if user.is_authenticated and user.role == Role.WORKER:
        return set(Grid.objects.filter(workers__user=user).values_list("pk", flat=True))
    return set()


def with_follow_ups(arrivals: QuerySet[Arrival]) -> QuerySet[Arrival]:
    return arrivals.prefetch_related(Prefetch("follow_ups", queryset=FollowUp.objects.select_related("done_by").order_by("due_on", "pk")))


def arrival_get_for_user(*, user, arrival_id: int) -> Arrival:
    """One entry with its follow-ups and events, or 404 if the asker may not see it."""
    arrival = (
        with_follow_ups(arrivals_visible_to(user))
        .prefetch_related("events__actor")
        .filter(pk=arrival_id)
        .first()
    )
    if arrival is None:
        raise Http404(_("No such entry."))
    return arrival


def arrivals_filter(
    arrivals: QuerySet[Arrival], *, today: date, grid: str = "", community: str = "", status: str = "",
    arrived_from: date | None = None, arrived_to: date | None = None, follow_up: str = "", q: str = "", campaign=None,
) -> QuerySet[Arrival]:
    """Narrowed to a grid or community (codes), a health status, arrival dates (both included),
    entries with a follow-up due today or overdue, a campaign, and a name containing `q`."""
    if grid:
        arrivals = arrivals.filter(grid__code=grid)
    if community:
        arrivals = arrivals.filter(grid__community__code=community)
    if status:
        arrivals = arrivals.filter(health_status=status)
    if arrived_from:
        arrivals = arrivals.filter(arrived_on__gte=arrived_from)
    if arrived_to:
        arrivals = arrivals.filter(arrived_on__lte=arrived_to)
    if campaign is not None:
        arrivals = arrivals.filter(campaign=campaign)
    if follow_up in (DUE_TODAY, OVERDUE):
        due = Q(done_at__isnull=True) & (Q(due_on=today) if follow_up == DUE_TODAY else Q(due_on__lt=today))
        arrivals = arrivals.exclude(health_status=HealthStatus.CLEARED).filter(Exists(FollowUp.objects.filter(due, arrival=OuterRef("pk"))))
    if q:
        arrivals = arrivals.filter(name__icontains=q.strip())
    return arrivals


@dataclass
class Figures:
    entries: int
    by_status: list[tuple[str, str, int]]  # (status, label, count), every status
    due_today: int
    overdue: int


def register_figures(arrivals: QuerySet[Arrival], *, today: date) -> Figures:
    """The entries, by health status, and their open follow-ups due today and overdue (none of
    people cleared: they are followed up no more): three queries whatever the size."""
    counts = dict(arrivals.order_by().values_list("health_status").annotate(n=Count("pk")))
    followed = arrivals.exclude(health_status=HealthStatus.CLEARED)
    open_ones = FollowUp.objects.filter(arrival__in=followed.values("pk"), done_at__isnull=True).aggregate(
        due_today=Count("pk", filter=Q(due_on=today)), overdue=Count("pk", filter=Q(due_on__lt=today))
    )
    return Figures(
        entries=sum(counts.values()),
        by_status=[(value, label, counts.get(value, 0)) for value, label in HealthStatus.choices],
        due_today=open_ones["due_today"],
        overdue=open_ones["overdue"],
    )


def follow_ups_open(arrivals: QuerySet[Arrival], *, until: date) -> QuerySet[FollowUp]:
    """The open follow-ups of these entries due on or before `until`, the longest waiting first;
    none of people cleared (followed up no more)."""
    return (
        FollowUp.objects.filter(arrival__in=arrivals.exclude(health_status=HealthStatus.CLEARED).values("pk"), done_at__isnull=True, due_on__lte=until)
        .select_related("arrival__grid", "arrival__compound")
        .order_by("due_on", "arrival__name", "pk")
    )


def follow_up_get_for_user(*, user, follow_up_id: int) -> FollowUp:
    """One follow-up of an entry the asker may see, or 404."""
    follow_up = FollowUp.objects.filter(pk=follow_up_id, arrival__in=arrivals_visible_to(user).values("pk")).first()
    if follow_up is None:
        raise Http404(_("No such follow-up visit."))
    return follow_up


def arrival_views(*, viewer: str = "", first_day=None, last_day=None) -> QuerySet[PersonalDataView]:
    """The recorded sights of entries' personal data in full, newest first; narrowed to a viewer
    (user name) and town days (both included). For administrators only: the caller checks."""
    views = PersonalDataView.objects.filter(record_type=Arrival._meta.label_lower).select_related("viewer")
    if viewer:
        views = views.filter(viewer__username=viewer)
    if first_day:
        views = views.filter(at__gte=day_bounds(first_day)[0])
    if last_day:
        views = views.filter(at__lt=day_bounds(last_day)[1])
    return views.order_by("-at", "-pk")
