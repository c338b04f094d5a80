"""Every read of volunteer service that depends on who is asking goes through here, and the
coverage of the outreach sessions that the command centre plans the next ones by.

The command centre, inspectors and officials read the whole town; a grid worker the activities
held in their grids, and the teams and volunteers; department members nothing. Phones are shown
in full to the command centre only, and every such sight is recorded.
"""

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.privacy import can_see_phone_numbers, mask_phone
from accounts.services import personal_data_views_record
from grids.models import Compound, Grid
from grids.selectors import grids_of
from incidents.selectors import TOWN_WIDE_ROLES

from .models import Activity, ActivityVolunteer, Team, Volunteer

# The dates a period may span: wide enough for any record, narrow enough for any database.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
ZERO_HOURS = Decimal("0.0")


def may_read(user) -> bool:
    return user.is_authenticated and (user.has_role(*TOWN_WIDE_ROLES) or user.role == Role.WORKER)


def may_read_town(user) -> bool:
    """The whole town's figures: the command centre, inspectors, officials (and administrators)."""
    return user.is_authenticated and user.has_role(*TOWN_WIDE_ROLES)


def may_manage(user) -> bool:
    return user.is_authenticated and user.has_role(Role.DISPATCHER)


def may_record_in(user, grid: Grid | None) -> bool:
    """The command centre records in any grid; a grid worker in one of theirs (`grid` None: in
    any of theirs)."""
    if may_manage(user):
        return True
    if not user.is_authenticated or user.role != Role.WORKER:
        return False
    mine = grids_of(user)
    return mine.exists() if grid is None else mine.filter(pk=grid.pk).exists()


def _hours_of(outer: str) -> Subquery:
    """The sum of the hours served, as a subquery: a join would multiply the rows being counted."""
    total = (
        ActivityVolunteer.objects.filter(**{outer: OuterRef("pk")}).order_by().values(outer)
        .annotate(total=Sum("hours")).values("total")
    )
    return Coalesce(Subquery(total, output_field=DecimalField(max_digits=10, decimal_places=1)), Value(ZERO_HOURS))


def teams_visible_to(user) -> QuerySet[Team]:
    """Teams with their active members and the hours served at their activities."""
    if not may_read(user):
        return Team.objects.none()
    return Team.objects.select_related("community", "leader").annotate(
        members=Count("volunteers", filter=Q(volunteers__active=True)),
        hours=_hours_of("activity__team"),
        activity_count=Subquery(
            Activity.objects.filter(team=OuterRef("pk")).order_by().values("team").annotate(n=Count("pk")).values("n")
        ),
    )


def teams_serving(grids: QuerySet[Grid]) -> QuerySet[Team]:
    """The teams that hold activities in these grids: the town-wide ones and those of the grids'
    communities. What a grid worker's phone offers, rather than every team and volunteer of the town."""
    return Team.objects.filter(Q(community__isnull=True) | Q(community__in=grids.values("community"))).order_by("name")


def teams_in_period(user, *, first: date, last: date) -> QuerySet[Team]:
    """Teams with their active members, and the activities they held and the hours served at
    them from `first` to `last`: the coverage page's figures by team, for the same period."""
    if not may_read(user):
        return Team.objects.none()
    held = Activity.objects.filter(team=OuterRef("pk"), date__gte=first, date__lte=last).order_by()
    hours = (
        ActivityVolunteer.objects.filter(activity__team=OuterRef("pk"), activity__date__gte=first, activity__date__lte=last)
        .order_by().values("activity__team").annotate(total=Sum("hours")).values("total")
    )
    return Team.objects.select_related("community", "leader").annotate(
        members=Count("volunteers", filter=Q(volunteers__active=True)),
        hours=Coalesce(Subquery(hours, output_field=DecimalField(max_digits=10, decimal_places=1)), Value(ZERO_HOURS)),
        activity_count=Coalesce(Subquery(held.values("team").annotate(n=Count("pk")).values("n")), Value(0)),
    )


def volunteers_visible_to(user) -> QuerySet[Volunteer]:
    """Volunteers with their service hours: the sum of their hours at activities, never typed."""
    if not may_read(user):
        return Volunteer.objects.none()
    return Volunteer.objects.select_related("team").annotate(hours=_hours_of("volunteer"))


def volunteers_filter(volunteers: QuerySet[Volunteer], *, team: Team | None = None, profession: str = "", search: str = "",
                      active: bool | None = None) -> QuerySet[Volunteer]:
    if team is not None:
        volunteers = volunteers.filter(team=team)
    if profession:
        volunteers = volunteers.filter(profession=profession)
    if search:
        volunteers = volunteers.filter(Q(name__icontains=search) | Q(skills__icontains=search))
    if active is not None:
        volunteers = volunteers.filter(active=active)
    return volunteers


def activities_visible_to(user) -> QuerySet[Activity]:
    activities = Activity.objects.select_related("team", "grid__community").annotate(
        hours=_hours_of("activity"),
        volunteer_count=Subquery(
            ActivityVolunteer.objects.filter(activity=OuterRef("pk")).order_by().values("activity").annotate(n=Count("pk")).values("n")
        ),
    )
    if not user.is_authenticated:
        return activities.none()
    if user.has_role(*TOWN_WIDE_ROLES):
        return activities
    if user.role == Role.WORKER:
        return activities.filter(grid__in=grids_of(user))
    return activities.none()


def activities_filter(activities: QuerySet[Activity], *, first: date | None = None, last: date | None = None, kind: str = "",
                      team: Team | None = None, grid: Grid | None = None) -> QuerySet[Activity]:
    if first:
        activities = activities.filter(date__gte=first)
    if last:
        activities = activities.filter(date__lte=last)
    if kind == "outreach":
        activities = activities.filter(kind__in=Activity.OUTREACH_KINDS)
    elif kind:
        activities = activities.filter(kind=kind)
    if team is not None:
        activities = activities.filter(team=team)
    if grid is not None:
        activities = activities.filter(grid=grid)
    return activities


def with_details(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    """The volunteers with their hours, the compounds reached and the photos, in three queries."""
    return activities.prefetch_related(
        Prefetch("participations", queryset=ActivityVolunteer.objects.select_related("volunteer__team").order_by("volunteer__name")),
        Prefetch("compounds", queryset=Compound.objects.select_related("grid").order_by("grid__code", "name")),
        "photos",
    )


def activity_get_for_user(*, user, activity_id: int) -> Activity:
    activity = with_details(activities_visible_to(user)).select_related("recorded_by").filter(pk=activity_id).first()
    if activity is None:
        raise Http404(_("No such activity."))
    return activity


def phones_shown_to(viewer, volunteers, *, where: str) -> dict[int, str]:
    """Each volunteer's phone as `viewer` may see it, by volunteer id: in full for the command
    centre, masked for everyone else. The full numbers shown are recorded, in one go."""
    in_full = can_see_phone_numbers(viewer)
    shown = {volunteer.pk: (volunteer.phone if in_full else mask_phone(volunteer.phone)) for volunteer in volunteers if volunteer.phone}
    if in_full:
        personal_data_views_record(viewer=viewer, records=[v for v in volunteers if v.phone], fields=["phone"], where=where)
    return shown


# Periods ----------------------------------------------------------------------------------------


def period_bounds(*, kind: str, today: date, year: int | None = None, quarter: int | None = None, month: int | None = None,
                  first: date | None = None, last: date | None = None) -> tuple[date, date]:
    """The first and last day of a calendar year, quarter or month (this one unless given), or
    of a custom span. ValueError with a message for a span that ends before it starts."""
    year = year or today.year
    if kind == "custom":
        first, last = first or date(today.year, 1, 1), last or today
        if last < first:
            raise ValueError(_("The period ends before it starts."))
        return first, last
    if kind == "quarter":
        quarter = quarter or (today.month - 1) // 3 + 1
        first_month = 3 * (quarter - 1) + 1
        return date(year, first_month, 1), date(year, first_month + 2, calendar.monthrange(year, first_month + 2)[1])
    if kind == "month":
        month = month or today.month
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    return date(year, 1, 1), date(year, 12, 31)


# Coverage ---------------------------------------------------------------------------------------

@dataclass
class Figures:
    """What a set of activities came to. The reach (grids, old compounds) counts outreach
    sessions only: it is what the next sessions are planned by."""

    sessions: int = 0
    activities: int = 0
    audience: int = 0
    hours: Decimal = ZERO_HOURS
    grids: set = field(default_factory=set)
    old_compounds: set = field(default_factory=set)

    def add(self, row: dict, *, hours: Decimal, old_compounds: set) -> None:
        self.activities += 1
        self.audience += row["audience"]
        self.hours += hours
        if row["kind"] in Activity.OUTREACH_KINDS:
            self.sessions += 1
            self.grids.add(row["grid_id"])
            self.old_compounds |= old_compounds


@dataclass
class Coverage:
    first: date
    last: date
    team: Team | None
    total: Figures
    grid_count: int
    old_compound_count: int
    by_team: list[tuple[Team, Figures]]
    by_month: list[tuple[date, Figures]]
    grids_missing: list[Grid]
    old_compounds_missing: list[Compound]

    @property
    def grids_reached(self) -> int:
        return len(self.total.grids)

    @property
    def old_compounds_reached(self) -> int:
        return len(self.total.old_compounds)


def coverage(*, first: date, last: date, team: Team | None = None) -> Coverage:
    """The figures of the activities held from `first` to `last` (of one team, if given), in
    total, by team and by month, against ALL the town's grids and old compounds, and the grids
    and old compounds no outreach session reached. Six queries, however many rows."""
    held = Activity.objects.filter(date__gte=first, date__lte=last)
    if team is not None:
        held = held.filter(team=team)
    rows = list(held.order_by("date", "pk").values("pk", "kind", "team_id", "date", "grid_id", "audience"))
    hours = dict(
        ActivityVolunteer.objects.filter(activity__in=held).order_by().values("activity_id")
        .annotate(total=Sum("hours")).values_list("activity_id", "total")
    )
    reached = defaultdict(set)
    for activity_id, compound_id in Activity.compounds.through.objects.filter(
        activity__in=held.filter(kind__in=Activity.OUTREACH_KINDS), compound__is_old=True,
    ).values_list("activity_id", "compound_id"):
        reached[activity_id].add(compound_id)
    grids = list(Grid.objects.select_related("community").order_by("code"))
    old_compounds = list(Compound.objects.filter(is_old=True).select_related("grid__community").order_by("grid__code", "name"))
    teams = [team] if team is not None else list(Team.objects.order_by("name"))

    total = Figures()
    by_team = {shown.pk: Figures() for shown in teams}
    by_month = {}
    for row in rows:
        added = {"hours": hours.get(row["pk"], ZERO_HOURS), "old_compounds": reached.get(row["pk"], set())}
        total.add(row, **added)
        by_team[row["team_id"]].add(row, **added)
        by_month.setdefault(row["date"].replace(day=1), Figures()).add(row, **added)
    months = []
    month = first.replace(day=1)
    while month <= last:
        months.append((month, by_month.get(month, Figures())))
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return Coverage(
        first=first, last=last, team=team, total=total, grid_count=len(grids), old_compound_count=len(old_compounds),
        by_team=[(shown, by_team[shown.pk]) for shown in teams],
        by_month=months,
        grids_missing=[grid for grid in grids if grid.pk not in total.grids],
        old_compounds_missing=[compound for compound in old_compounds if compound.pk not in total.old_compounds],
    )
