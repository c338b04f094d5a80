"""Every read of the party organisation that depends on who is asking goes through here.

The command centre, administrators, inspectors and officials read the whole town; a grid worker
reads the branches, members and check-ins of their own grids; department members read nothing.
Phones are shown in full to the command centre and to a worker for the members of their own
grids (they call them); the caller records each unmasked sight (`phones_shown`).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.privacy import can_see_phone_numbers, mask_phone
from grids.models import Grid
from grids.selectors import grids_of
from incidents.selectors import TOWN_WIDE_ROLES

from .models import Employer, Meeting, MeetingFollowUp, MemberCheckIn, MemberKind, PartyBranch, PartyGroup, PartyMember, ServicePost

# Whoever manages the party's records: meetings, follow-ups, check-ins anywhere.
MANAGERS = (Role.DISPATCHER,)
# The roles that read the party's records at all (administrators pass every check).
READERS = (*TOWN_WIDE_ROLES, Role.WORKER)


def may_read(user) -> bool:
    return user.is_authenticated and user.is_active and user.has_role(*READERS)


def may_manage(user) -> bool:
    return user.is_authenticated and user.is_active and user.has_role(*MANAGERS)


def town_wide(user) -> bool:
    return user.is_authenticated and user.has_role(*TOWN_WIDE_ROLES)


def grid_ids_of(user) -> set[int] | None:
    """The grids whose records the user reads: None for the whole town, a set for a worker,
    empty for anyone else."""
    if not may_read(user):
        return set()
    if town_wide(user):
        return None
    return set(grids_of(user).values_list("pk", flat=True))


def require_reader(user) -> None:
    """A 404 for anyone who reads none of this: a department member does not learn it exists."""
    if not may_read(user):
        raise Http404(_("No such page."))


def branches_visible_to(user) -> QuerySet[PartyBranch]:
    branches = PartyBranch.objects.select_related("grid__community", "secretary").order_by("grid__code")
    grids = grid_ids_of(user)
    return branches if grids is None else branches.filter(grid__in=grids)


def branches_with_posts(branches: QuerySet[PartyBranch]) -> QuerySet[PartyBranch]:
    """Branches with their groups (leader, compound), their members counted by kind, and the
    posts in their grid's compounds, in a fixed number of queries."""
    return branches.annotate(
        residents=Count("members", filter=Q(members__active=True, members__kind=MemberKind.RESIDENT)),
        in_service=Count("members", filter=Q(members__active=True, members__kind=MemberKind.IN_SERVICE)),
    ).prefetch_related(
        Prefetch("groups", queryset=PartyGroup.objects.select_related("compound", "leader").order_by("name")),
        Prefetch("grid__compounds__party_posts", queryset=ServicePost.objects.select_related("member", "compound")),
    )


def members_visible_to(user) -> QuerySet[PartyMember]:
    members = PartyMember.objects.select_related("employer", "branch", "group", "grid__community")
    grids = grid_ids_of(user)
    return members if grids is None else members.filter(grid__in=grids)


def members_filter(
    members: QuerySet[PartyMember], *, grid: Grid | None = None, branch: PartyBranch | None = None, kind: str = "",
    employer: Employer | None = None, search: str = "", active: bool | None = True,
) -> QuerySet[PartyMember]:
    if grid:
        members = members.filter(grid=grid)
    if branch:
        members = members.filter(branch=branch)
    if kind:
        members = members.filter(kind=kind)
    if employer:
        members = members.filter(employer=employer)
    if search.strip():
        term = search.strip()
        members = members.filter(Q(name__icontains=term) | Q(phone__contains=term) | Q(employer__name__icontains=term))
    if active is not None:
        members = members.filter(active=active)
    return members


def member_get_for_user(*, user, member_id: int) -> PartyMember:
    member = members_visible_to(user).filter(pk=member_id).first()
    if member is None:
        raise Http404(_("No such party member."))
    return member


def phone_unmasked_for(user, member: PartyMember, grids: set[int] | None) -> bool:
    """The command centre sees every member's number; a worker their own grids' members'."""
    if not member.phone:
        return False
    if can_see_phone_numbers(user):
        return True
    return user.role == Role.WORKER and grids is not None and member.grid_id in grids


def phones_shown(user, members) -> tuple[dict[int, str], list[PartyMember]]:
    """Each member's phone as this user may see it, by member id, and the members whose number
    is shown in full (to be recorded, once per response)."""
    grids = None if town_wide(user) else grid_ids_of(user)
    shown, unmasked = {}, []
    for member in members:
        if phone_unmasked_for(user, member, grids):
            shown[member.pk] = member.phone
            unmasked.append(member)
        else:
            shown[member.pk] = mask_phone(member.phone) if member.phone else ""
    return shown, unmasked


def checkins_visible_to(user) -> QuerySet[MemberCheckIn]:
    checkins = MemberCheckIn.objects.select_related("member__employer", "grid", "recorded_by", "decided_by")
    grids = grid_ids_of(user)
    return checkins if grids is None else checkins.filter(grid__in=grids)


def checkins_waiting(user) -> QuerySet[MemberCheckIn]:
    """Recorded and not yet confirmed or refused, oldest first: for a worker, at their grids."""
    return checkins_visible_to(user).filter(status=MemberCheckIn.Status.RECORDED).order_by("date", "id")


def checkin_get_for_user(*, user, checkin_id: int) -> MemberCheckIn:
    checkin = checkins_visible_to(user).filter(pk=checkin_id).first()
    if checkin is None:
        raise Http404(_("No such check-in."))
    return checkin


def meetings_visible_to(user) -> QuerySet[Meeting]:
    """The town-wide roles read every meeting; a worker, those held for their grids."""
    meetings = Meeting.objects.select_related("community", "grid")
    grids = grid_ids_of(user)
    return meetings if grids is None else meetings.filter(grid__in=grids)


def meeting_get_for_user(*, user, meeting_id: int) -> Meeting:
    meeting = (
        meetings_visible_to(user)
        .prefetch_related(
            Prefetch("attendees", queryset=PartyMember.objects.order_by("name")),
            Prefetch("follow_ups", queryset=MeetingFollowUp.objects.select_related("owner", "grid", "incident").order_by("due_on", "id")),
        )
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise Http404(_("No such meeting."))
    return meeting


def case_origin(*, user, incident) -> MeetingFollowUp | None:
    """The meeting follow-up that opened this case, if the user may see that meeting: one query."""
    grids = grid_ids_of(user)
    if grids is not None and not grids:
        return None
    follow_ups = MeetingFollowUp.objects.select_related("meeting").filter(incident_id=incident.pk)
    if grids is not None:
        follow_ups = follow_ups.filter(meeting__grid__in=grids)
    return follow_ups.first()


# Compliance with the check-in rule ------------------------------------------------------------


def required_per_year() -> int:
    return settings.PARTY_CHECKINS_PER_YEAR


def expected_by(day: date, year: int) -> int:
    """How many of the year's check-ins a member should have made by `day`: all of them for a
    past year, none for a future one, and in the year itself the rule times the share of the
    year gone by, rounded half up. With two a year: none until early April, one from then, two
    from early October (so the monthly reminder first finds those with none in May, those with
    one in October or November, and in December everyone below two)."""
    required = required_per_year()
    if day.year > year:
        return required
    if day.year < year:
        return 0
    first = date(year, 1, 1)
    days_in_year = (date(year + 1, 1, 1) - first).days
    # floor(required * gone / days + 1/2) in whole numbers: no float lands on the wrong side of a half.
    return (2 * required * (day - first).days + days_in_year) // (2 * days_in_year)


@dataclass
class MemberProgress:
    member: PartyMember
    count: int
    required: int
    expected: int

    @property
    def missing(self) -> int:
        return max(0, self.required - self.count)

    @property
    def met(self) -> bool:
        return self.count >= self.required

    @property
    def behind(self) -> bool:
        return is_behind(count=self.count, expected=self.expected)

    @property
    def on_track(self) -> bool:
        return not self.behind


def is_behind(*, count: int, expected: int) -> bool:
    """The one test of "behind" that the compliance page, the reminders and the API share:
    fewer confirmed check-ins in the year than `expected_by(today, year)`, the rule's pace by
    now. So nobody is behind in the first quarter of a year, and for a past year it means below
    the rule."""
    return count < expected


@dataclass
class EmployerSummary:
    employer: Employer
    members: int = 0
    behind: list = field(default_factory=list)  # MemberProgress of members behind (is_behind)
    short: list = field(default_factory=list)  # MemberProgress of members below the rule so far (not met)


def in_service_members(year: int) -> QuerySet[PartyMember]:
    """The active in-service members the rule applies to in `year`: joined by its last day."""
    return PartyMember.objects.filter(kind=MemberKind.IN_SERVICE, active=True, joined_on__lte=date(year, 12, 31))


def compliance(*, year: int, today: date, members: QuerySet[PartyMember] | None = None) -> list[MemberProgress]:
    """Each in-service member (of `members`, else all) with their CONFIRMED check-ins dated in the
    calendar year (town dates), by employer then name; two queries."""
    members = in_service_members(year) if members is None else members.filter(pk__in=in_service_members(year).values("pk"))
    counted = Count("checkins", filter=Q(checkins__status=MemberCheckIn.Status.CONFIRMED, checkins__date__year=year))
    rows = members.select_related("employer", "grid", "user").annotate(year_count=counted).order_by("employer__name", "name", "pk")
    required, expected = required_per_year(), expected_by(today, year)
    return [MemberProgress(member=member, count=member.year_count, required=required, expected=expected) for member in rows]


def compliance_by_employer(progress: list[MemberProgress]) -> list[EmployerSummary]:
    """Per employer: how many members, those below the rule so far and those behind, by
    employer name."""
    summaries: dict[int, EmployerSummary] = {}
    for row in progress:
        summary = summaries.setdefault(row.member.employer_id, EmployerSummary(employer=row.member.employer))
        summary.members += 1
        if not row.met:
            summary.short.append(row)
        if row.behind:
            summary.behind.append(row)
    return sorted(summaries.values(), key=lambda summary: summary.employer.name)


def compliance_for_user(*, user, year: int, today: date) -> list[MemberProgress]:
    return compliance(year=year, today=today, members=members_visible_to(user))


def overview_figures(user) -> dict:
    """The party page's figures: branches, grids with a branch of all grids, members by kind,
    posts, in the user's scope."""
    grids = grid_ids_of(user)
    all_grids = Grid.objects.all() if grids is None else Grid.objects.filter(pk__in=grids)
    members = members_visible_to(user).filter(active=True).order_by().values("kind").annotate(n=Count("pk"))
    by_kind = defaultdict(int, {row["kind"]: row["n"] for row in members})
    posts = ServicePost.objects.all() if grids is None else ServicePost.objects.filter(compound__grid__in=grids)
    return {
        "branches": branches_visible_to(user).count(),
        "grids": all_grids.count(),
        "residents": by_kind[MemberKind.RESIDENT],
        "in_service": by_kind[MemberKind.IN_SERVICE],
        "members": by_kind[MemberKind.RESIDENT] + by_kind[MemberKind.IN_SERVICE],
        "posts": posts.count(),
        "captains": posts.filter(kind=ServicePost.Kind.BUILDING_CAPTAIN).count(),
    }
