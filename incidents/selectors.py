"""Every read of incidents that depends on who is asking goes through here."""

import math
from datetime import timedelta

from django.db.models import Case, CharField, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accounts.models import Department, Role, User
from govgrid.towntime import day_start
from grids.models import Grid
from grids.spatial import metres_between

from .models import Category, Incident, IncidentPhoto, IncidentStage, SupervisionCard
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
    department: Department | None = None,
    assignee: User | None = None,
    source: str | None = None,
    light: str | None = None,
    text: str | None = None,
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
    if department:
        incidents = incidents.filter(assigned_department=department)
    if assignee:
        incidents = incidents.filter(assignee=assignee)
    if source:
        incidents = incidents.filter(source=source)
    if light:
        incidents = incidents.filter(LIGHTS[light](now))
    if text:
        incidents = incidents.filter(
            Q(code__icontains=text) | Q(description__icontains=text) | Q(address__icontains=text)
            | Q(category__name__icontains=text) | Q(contact_name__icontains=text)
        )
    if overdue is not None:
        incidents = incidents.filter(late_by(now) if overdue else ~late_by(now))
    if unrouted is not None:
        incidents = incidents.filter(grid__isnull=unrouted)
    if reported_from:
        incidents = incidents.filter(reported_at__gte=day_start(reported_from))
    if reported_to:
        incidents = incidents.filter(reported_at__lt=day_start(reported_to + timedelta(days=1)))
    return incidents


def _running(**test) -> Q:
    """Open, and the clock it runs against now passes `test`: its stage's, or the case's own
    while no stage is timed (inspected, waiting to be closed), as the console's rows show it."""
    stage = {f"current_stage__{lookup}": value for lookup, value in test.items()}
    return Q(status__in=Status.OPEN) & (Q(**stage) | Q(current_stage__isnull=True, **test))


# The light of that clock (DOMAIN: green below 80 % of the stage's limit, yellow to 100 %, red
# past it) as a filter: open cases only.
LIGHTS = {
    "green": lambda now: _running(warn_at__gt=now),
    "yellow": lambda now: _running(warn_at__lte=now, deadline__gt=now),
    "red": lambda now: _running(deadline__lte=now),
}


def light_code(now):
    """The light as one letter, worked out by the database: "r", "y", "g", or "" with no clock
    running."""
    return Case(
        *(When(LIGHTS[name](now), then=Value(name[0])) for name in ("red", "yellow", "green")),
        default=Value(""),
        output_field=CharField(),
    )


def _escalated() -> Q:
    """Live and chased: its stage escalated past the deadline, or a supervision card issued."""
    carded = Exists(SupervisionCard.objects.filter(incident=OuterRef("pk")))
    return Q(status__in=Status.LIVE) & (Q(current_stage__escalated_at__isnull=False) | Q(carded))


# The command centre's queues: each a filter on what the asker may see, counted together.
QUEUES = {
    "new": (_("New"), lambda now: Q(status__in=(Status.REPORTED, Status.ACCEPTED))),
    "unrouted": (_("Outside every grid"), lambda now: Q(status__in=Status.LIVE, grid__isnull=True)),
    "handling": (_("Being handled"), lambda now: Q(status=Status.ASSIGNED)),
    "extension": (_("Extension asked"), lambda now: Q(status=Status.ASSIGNED, extension_requested_until__isnull=False)),
    "inspection": (_("To inspect"), lambda now: Q(status=Status.HANDLED)),
    "to_close": (_("Ready to close"), lambda now: Q(status=Status.INSPECTED)),
    "suspended": (_("Suspended"), lambda now: Q(status=Status.SUSPENDED)),
    "appeal": (_("Appeal pending"), lambda now: Q(appeal=Appeal.PENDING)),
    "warned": (_("Warned"), LIGHTS["yellow"]),
    # Late on its stage, or late as a whole (what the measures count as overdue).
    "overdue": (_("Overdue"), lambda now: LIGHTS["red"](now) | late_by(now)),
    "escalated": (_("Escalated"), lambda now: _escalated()),
    "closed": (_("Closed"), lambda now: Q(status=Status.CLOSED)),
    "rejected": (_("Rejected"), lambda now: Q(status=Status.REJECTED)),
    "merged": (_("Merged"), lambda now: Q(status=Status.MERGED)),
}


def incidents_in_queue(incidents: QuerySet[Incident], queue: str, *, now) -> QuerySet[Incident]:
    return incidents.filter(QUEUES[queue][1](now))


def queue_counts(incidents: QuerySet[Incident], *, now) -> dict[str, int]:
    """Every queue's count in one query. (Named apart from the fields: an aggregate called
    `appeal` would stand for the field in the filters after it.)"""
    counts = incidents.order_by().aggregate(**{f"in_{name}": Count("pk", filter=test(now)) for name, (_label, test) in QUEUES.items()})
    return {name: counts[f"in_{name}"] or 0 for name in QUEUES}


def _light_rank(now):
    """Red first, then yellow, then green; finished and suspended cases last."""
    return Case(
        When(LIGHTS["red"](now), then=Value(0)),
        When(LIGHTS["yellow"](now), then=Value(1)),
        When(status__in=Status.OPEN, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )


SORTS = {
    "-reported_at": _("newest first"),
    "reported_at": _("oldest first"),
    "deadline": _("stage deadline, soonest first"),
    "light": _("light, red first"),
}


def incidents_sorted(incidents: QuerySet[Incident], sort: str, *, now) -> QuerySet[Incident]:
    stage_deadline = F("current_stage__deadline").asc(nulls_last=True)
    if sort == "deadline":
        return incidents.order_by(stage_deadline, "-id")
    if sort == "light":
        return incidents.annotate(light_rank=_light_rank(now)).order_by("light_rank", stage_deadline, "-id")
    if sort == "reported_at":
        return incidents.order_by("reported_at", "id")
    return incidents.order_by("-reported_at", "-id")


MERGE_RADIUS_METRES = 100
MERGE_WITHIN_DAYS = 7
METRES_PER_DEGREE = 111_320


def merge_candidates(*, user, incident: Incident) -> list[tuple[Incident, float]]:
    """Live cases of the same category reported within MERGE_WITHIN_DAYS and MERGE_RADIUS_METRES
    of this one, nearest first, with their distance in metres: what it may duplicate."""
    lat_span = MERGE_RADIUS_METRES / METRES_PER_DEGREE
    lng_span = lat_span / max(math.cos(math.radians(incident.latitude)), 0.01)
    nearby = incidents_visible_to(user).filter(
        category_id=incident.category_id,
        status__in=Status.LIVE,
        reported_at__gte=incident.reported_at - timedelta(days=MERGE_WITHIN_DAYS),
        reported_at__lte=incident.reported_at + timedelta(days=MERGE_WITHIN_DAYS),
        latitude__range=(incident.latitude - lat_span, incident.latitude + lat_span),
        longitude__range=(incident.longitude - lng_span, incident.longitude + lng_span),
    ).exclude(pk=incident.pk)
    measured = [(other, metres_between((incident.latitude, incident.longitude), (other.latitude, other.longitude))) for other in nearby]
    return sorted((pair for pair in measured if pair[1] <= MERGE_RADIUS_METRES), key=lambda pair: pair[1])


def handlers() -> dict:
    """Everyone a case can be assigned to: the departments, then the active grid workers."""
    return {
        "departments": list(Department.objects.order_by("code")),
        "workers": list(User.objects.filter(is_active=True, role=Role.WORKER).order_by("username")),
    }


def handlers_for(incident: Incident) -> dict:
    """Who a case can be assigned to, the likeliest first: the grid workers of its grid, then the
    category's department; then every other department and grid worker."""
    everyone = handlers()
    grid_workers = list(User.objects.filter(is_active=True, grid_worker__grids=incident.grid_id).order_by("username")) if incident.grid_id else []
    suggested = [d for d in everyone["departments"] if d.pk == incident.category.department_id]
    return {
        "grid_workers": grid_workers,
        "suggested_departments": suggested,
        "departments": [d for d in everyone["departments"] if d not in suggested],
        "workers": [worker for worker in everyone["workers"] if worker not in grid_workers],
    }


def categories_for_reporting() -> QuerySet[Category]:
    return Category.objects.filter(active=True).select_related("parent", "department")


def tasks_for(user) -> QuerySet[Incident]:
    """The cases waiting for this user's next step, the soonest stage deadline first: those they
    or their department are handling, and for an inspector those to inspect."""
    mine = Q(assignee=user)
    if user.department_id:
        mine |= Q(assigned_department_id=user.department_id)
    waiting = Q(status=Status.ASSIGNED) & mine
    if user.has_role(Role.INSPECTOR):
        waiting |= Q(status=Status.HANDLED)
    return incidents_visible_to(user).filter(waiting).order_by(F("current_stage__deadline").asc(nulls_last=True), "id")


def reports_by(user, *, since) -> QuerySet[Incident]:
    """What this user reported since then, the newest first."""
    return incidents_visible_to(user).filter(reporter=user, reported_at__gte=since).order_by("-reported_at", "-id")


def recent_categories(user, *, limit: int = 6) -> list[int]:
    """The ids of the minor categories this user reported most recently, the latest first."""
    recent = Incident.objects.filter(reporter=user).order_by("-reported_at").values_list("category_id", flat=True)[:200]
    return list(dict.fromkeys(recent))[:limit]


def photos_by_stage(incident: Incident) -> list[tuple[str, list[IncidentPhoto]]]:
    """A case's photos under their stage's name (report, before, after, inspection), in that
    order, from the photos prefetched with the case."""
    photos = list(incident.photos.all())
    return [
        (label, [photo for photo in photos if photo.stage == stage])
        for stage, label in IncidentPhoto.Stage.choices
        if any(photo.stage == stage for photo in photos)
    ]
