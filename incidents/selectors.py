"""Every read of incidents that depends on who is asking goes through here."""

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import Role
from grids.models import Grid

from .models import Category, Incident, IncidentStage
from .workflow import Appeal, Status

TOWN_WIDE_ROLES = (Role.DISPATCHER, Role.INSPECTOR, Role.OFFICIAL)


def incidents_visible_to(user) -> QuerySet[Incident]:
    """Command centre, inspectors and officials see the town; a grid worker sees the cases of
    their grids, the ones assigned to them and the ones they reported; a department member
    sees their department's cases and their own. Either keeps seeing a case they once had to
    handle (returned, or reassigned since): its history is theirs too."""
    incidents = Incident.objects.select_related("category", "grid", "assignee", "assigned_department", "reporter", "current_stage")
    if not user.is_authenticated:
        return incidents.none()
    if user.has_role(*TOWN_WIDE_ROLES):
        return incidents
    if user.role == Role.WORKER:
        my_grids = Grid.objects.filter(workers__user=user).values("pk")
        handled = IncidentStage.objects.filter(assignee=user).values("incident_id")
        return incidents.filter(Q(grid__in=my_grids) | Q(assignee=user) | Q(reporter=user) | Q(pk__in=handled))
    if user.role == Role.DEPARTMENT:
        mine = Q(assignee=user) | Q(reporter=user)
        if user.department_id:
            handled = IncidentStage.objects.filter(department_id=user.department_id).values("incident_id")
            mine |= Q(assigned_department_id=user.department_id) | Q(pk__in=handled)
        return incidents.filter(mine)
    return incidents.none()


def incident_get_for_user(*, user, incident_id) -> Incident:
    """One case with its photos, history, stages and cards, or 404 if the asker may not see it."""
    try:
        return incidents_visible_to(user).prefetch_related("photos", "events__actor", "stages", "cards__issued_by").get(pk=incident_id)
    except (Incident.DoesNotExist, ValueError):
        raise Http404("No such incident.") from None


def late_by(now) -> Q:
    """Open and at or past its deadline, and not excused by an upheld appeal: overdue in the
    list and due in the measures alike."""
    return Q(status__in=Status.OPEN, deadline__lte=now) & ~Q(appeal=Appeal.UPHELD)


def incidents_filter(
    incidents: QuerySet[Incident],
    *,
    status: str | None = None,
    closure: str | None = None,
    grid: str | None = None,
    community: str | None = None,
    category: str | None = None,
    overdue: bool | None = None,
    unrouted: bool | None = None,
    reported_from=None,
    reported_to=None,
    now=None,
) -> QuerySet[Incident]:
    if status:
        incidents = incidents.filter(status=status)
    if closure:
        incidents = incidents.filter(closure=closure)
    if grid:
        incidents = incidents.filter(grid__code=grid)
    if community:
        incidents = incidents.filter(grid__community__code=community)
    if category:
        incidents = incidents.filter(Q(category__code=category) | Q(category__parent__code=category))
    if overdue is not None:
        incidents = incidents.filter(late_by(now) if overdue else ~late_by(now))
    if unrouted is not None:
        incidents = incidents.filter(grid__isnull=unrouted)
    if reported_from:
        incidents = incidents.filter(reported_at__date__gte=reported_from)
    if reported_to:
        incidents = incidents.filter(reported_at__date__lte=reported_to)
    return incidents


def categories_for_reporting() -> QuerySet[Category]:
    return Category.objects.filter(active=True).select_related("parent", "department")
