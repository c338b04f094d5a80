"""The command centre's pages (指挥中心). Every view starts with `console_view`, the one access
check; reads go through the incidents selectors, writes through its services."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _, ngettext
from django.views.decorators.http import require_POST

from accounts.models import Notification, Role
from accounts.privacy import phone_shown_to
from accounts.selectors import notifications_unread
from accounts.services import notification_mark_read
from grids.geojson import grid_feature, place
from grids.models import Compound, Grid
from grids.widgets import map_settings_json
from incidents import services
from incidents.errors import WorkflowError
from incidents.forms import action_data, action_forms, action_post
from incidents.inputs import ACTIONS, action_take
from incidents.models import Source
from incidents.selectors import (
    QUEUES,
    handlers,
    handlers_for,
    incident_get_for_user,
    incidents_visible_to,
    light_code,
    merge_candidates,
    photos_by_stage,
    queue_counts,
)
from incidents.workflow import TRANSITIONS, Action, Actor, Status, action_label, acts_as, is_assignee, may_report

from .forms import CaseFilterForm, HotlineForm

CONSOLE_ROLES = (Role.DISPATCHER, Role.INSPECTOR, Role.OFFICIAL, Role.DEPARTMENT)
PAGE_SIZE = 50
# More markers than this and the map asks for narrower filters.
MAP_LIMIT = 10_000
# The actions a list can take on several cases at once.
BULK_ACTIONS = (Action.ASSIGN, Action.CLOSE)


def console_view(view):
    """Logged in, and of a role that works in the console; a grid worker's pages are elsewhere."""

    @wraps(view)
    @login_required
    def checked(request, *args, **kwargs):
        if not request.user.has_role(*CONSOLE_ROLES):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return checked


def _queues(visible, now) -> list[tuple[str, str, int]]:
    counts = queue_counts(visible, now=now)
    return [(name, label, counts[name]) for name, (label, _test) in QUEUES.items()]


def _frame(request, visible, now, section: str = "") -> dict:
    """What every console page shows around its content: the queues, the unread count, and the
    newest case it knows of (the live update reports what arrives after it)."""
    return {
        "queues": _queues(visible, now),
        "unread": notifications_unread(request.user),
        "since": visible.aggregate(newest=Max("pk"))["newest"] or 0,
        "now": now,
        "section": section,
        "may_report": may_report(request.user),
    }


@console_view
def cases(request):
    now = timezone.now()
    visible = incidents_visible_to(request.user)
    filters = CaseFilterForm(request.GET)
    found = filters.apply(visible, now=now) if filters.is_valid() else visible.none()
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "console/cases.html", {
        **_frame(request, visible, now, "cases"),
        "filters": filters,
        "page": page,
        "query": query.urlencode(),
        "queue": filters.cleaned_data.get("queue", "") if filters.is_valid() else "",
        # New rows are added live only where they belong: the first page, newest first.
        "live_rows": page.number == 1 and filters.is_valid() and filters.cleaned_data.get("sort") in ("", "-reported_at"),
        "bulk_actions": _bulk_actions(request.user),
        "handlers": handlers(),
    })


def _bulk_actions(user) -> list[tuple[str, str]]:
    """The bulk actions the table lets this user's role take (the handler's own actions are
    taken one case at a time)."""
    return [
        (action, action_label(action)) for action in BULK_ACTIONS
        if any(who != Actor.ASSIGNEE and acts_as(user, who, None) for who in TRANSITIONS[action].actors)
    ]


@console_view
def live(request):
    """Polled every few seconds by the list and the map: the queues, the rows that arrived
    since the page was drawn (matching its filters), and the counts for the tab's title."""
    now = timezone.now()
    visible = incidents_visible_to(request.user)
    since = request.GET.get("since", "")
    since = int(since) if since.isdigit() else 0
    rows = ""
    if request.GET.get("rows"):
        filters = CaseFilterForm(request.GET)
        if filters.is_valid():
            arrived_rows = filters.apply(visible, now=now).filter(pk__gt=since).order_by("-pk")[:PAGE_SIZE]
            rows = render_to_string(
                "console/_case_rows.html",
                {"incidents": arrived_rows, "now": now, "fresh": True, "bulk_actions": _bulk_actions(request.user)},
                request,
            )
    arrived = visible.filter(pk__gt=since).count()
    queues = {"queues": _queues(visible, now), "query_queue": request.GET.get("queue", "")}
    return JsonResponse({
        "queues": render_to_string("console/_queues.html", queues, request),
        "rows": rows,
        "arrived": arrived,
        "arrived_text": ngettext(
            "%(count)d new case since this page opened", "%(count)d new cases since this page opened", arrived
        ) % {"count": arrived},
        "unread": notifications_unread(request.user),
    })


@console_view
@require_POST
def bulk(request):
    """One action on several cases: each goes through the service on its own, and the page says
    which were done and why each other was not."""
    action = request.POST.get("action")
    if action not in BULK_ACTIONS:
        messages.error(request, _("Choose what to do with the selected cases."))
        return redirect(_back_to_list(request))
    picked = [value.split(":") for value in request.POST.getlist("case")]
    picked = [(int(pk), int(version)) for pk, version in (p for p in picked if len(p) == 2) if pk.isdigit() and version.isdigit()]
    if not picked:
        messages.error(request, _("Select at least one case."))
        return redirect(_back_to_list(request))
    input_class = ACTIONS[action][0]
    body = input_class(data=action_data(request.POST, request.FILES), context={"request": request})
    if not body.is_valid():
        for problems in body.errors.values():
            messages.error(request, " ".join(str(problem) for problem in problems))
        return redirect(_back_to_list(request))
    visible = {incident.pk: incident for incident in incidents_visible_to(request.user).filter(pk__in=[pk for pk, _v in picked])}
    done, refused = [], []
    for pk, version in picked:
        incident = visible.get(pk)
        if incident is None:
            refused.append(_("Case %(id)s: no such case.") % {"id": pk})
            continue
        try:
            # What the case is now says more than "it changed": rejected, closed, not yours.
            services.incident_check_action(incident=incident, actor=request.user, action=action, at=timezone.now())
            action_take(action, incident_id=pk, actor=request.user, values={**body.validated_data, "version": version})
        except WorkflowError as error:
            refused.append(f"{incident.code}: {error.message}")
        else:
            done.append(incident.code)
    if done:
        messages.success(request, _("%(action)s done for %(count)d: %(codes)s.") % {
            "action": action_label(action), "count": len(done), "codes": ", ".join(done)
        })
    for message in refused:
        messages.error(request, _("Not done: %(why)s") % {"why": message})
    return redirect(_back_to_list(request))


def _back_to_list(request) -> str:
    query = request.POST.get("back", "")
    return reverse("console:cases") + (f"?{query}" if query else "")


def _case_context(request, incident, now, *, posted: tuple | None = None) -> dict:
    """The case page: the case, its history, and a form for each action this user may take now.
    `posted` is (action, data, errors) of a form that came back with errors."""
    user = request.user
    forms = action_forms(user, incident, now, posted=posted)
    actions = [form["action"] for form in forms]
    return {
        "incident": incident,
        "now": now,
        "forms": forms,
        "version": incident.version,
        "handlers": handlers_for(incident) if Action.ASSIGN in actions else None,
        "candidates": merge_candidates(user=user, incident=incident) if Action.MERGE in actions else None,
        "photo_stages": photos_by_stage(incident),
        "contact_phone": phone_shown_to(
            user, incident.contact_phone, needs_it=is_assignee(user, incident) or incident.reporter_id == user.pk
        ),
        "map_json": map_settings_json(),
        "place": place(latitude=incident.latitude, longitude=incident.longitude, grid=incident.grid),
    }


@console_view
def case(request, incident_id: int):
    now = timezone.now()
    incident = incident_get_for_user(user=request.user, incident_id=incident_id)
    visible = incidents_visible_to(request.user)
    return render(request, "console/case.html", {**_frame(request, visible, now), **_case_context(request, incident, now)})


@console_view
@require_POST
def case_action(request, incident_id: int, action: str):
    """One action of the table on one case; a refusal or an error is shown in the page and
    changes nothing."""
    if action not in ACTIONS:
        raise Http404("No such action.")
    incident = incident_get_for_user(user=request.user, incident_id=incident_id)
    refused, posted = action_post(request, incident, action)
    if refused is None:
        messages.success(request, _("%(action)s: done.") % {"action": action_label(action)})
        return redirect("console:case", incident_id=incident.pk)
    messages.error(request, refused)
    now = timezone.now()
    incident = incident_get_for_user(user=request.user, incident_id=incident_id)
    visible = incidents_visible_to(request.user)
    context = _case_context(request, incident, now, posted=posted[:3])
    return render(request, "console/case.html", {**_frame(request, visible, now), **context}, status=posted[3])


def _town_map() -> dict:
    """What a page's town map needs: the base map's settings and every grid with its name."""
    grids = [grid_feature(grid, community=grid.community.name) for grid in Grid.objects.select_related("community")]
    return {"map_json": map_settings_json(), "grids": {"type": "FeatureCollection", "features": grids}}


@console_view
def case_map(request):
    now = timezone.now()
    visible = incidents_visible_to(request.user)
    filters = CaseFilterForm(request.GET)
    filters.is_valid()
    return render(request, "console/map.html", {
        **_frame(request, visible, now, "map"),
        **_town_map(),
        "filters": filters,
        "query": request.GET.urlencode(),
        "queue": request.GET.get("queue", ""),
    })


@console_view
def map_data(request):
    """The filtered cases as compact rows for the map's markers: [id, lat, lng, light, code,
    category, status]. `since` gives only those newer than that id (the live update)."""
    now = timezone.now()
    visible = incidents_visible_to(request.user)
    filters = CaseFilterForm(request.GET)
    if not filters.is_valid():
        return JsonResponse({"errors": filters.errors}, status=400)
    found = filters.apply(visible, now=now)
    if not (filters.cleaned_data.get("queue") or filters.cleaned_data.get("status")):
        found = found.filter(status__in=Status.LIVE)  # a year of closed cases is not a map
    since = request.GET.get("since", "")
    if since.isdigit():
        found = found.filter(pk__gt=int(since))
    total = found.count()
    statuses = {status: str(label) for status, label in Status.CHOICES}
    rows = found.annotate(light=light_code(now)).values_list("pk", "latitude", "longitude", "light", "code", "category__name", "status")
    markers = [[pk, lat, lng, light, code, category, statuses[status]] for pk, lat, lng, light, code, category, status in rows[:MAP_LIMIT]]
    return JsonResponse({"cases": markers, "total": total, "limit": MAP_LIMIT})


@console_view
def hotline(request):
    """A resident's phone call (热线) entered as a report: source "phone", then the loop as usual."""
    if not may_report(request.user):
        raise PermissionDenied
    now = timezone.now()
    visible = incidents_visible_to(request.user)
    compounds = list(Compound.objects.order_by("name"))
    form = HotlineForm(request.POST or None, compounds=compounds)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            values = form.cleaned_data
            try:
                incident, _created = services.incident_report(
                    reporter=request.user, source=Source.PHONE, category=values["category"], description=values["description"],
                    latitude=values["latitude"], longitude=values["longitude"], address=values["address"],
                    contact_name=values["contact_name"], contact_phone=values["contact_phone"],
                )
            except WorkflowError as error:
                for field, message in error.fields.items():
                    form.add_error(field if field in form.fields else None, message)
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Case %(code)s opened.") % {"code": incident.code})
                return redirect("console:case", incident_id=incident.pk)
        status = 400
    return render(request, "console/hotline.html", {
        **_frame(request, visible, now, "hotline"),
        **_town_map(),
        "form": form,
        "compounds": compounds,
    }, status=status)


@console_view
def notifications(request):
    """The menu's list: the latest notifications, unread first, each linking to its case."""
    mine = Notification.objects.filter(recipient=request.user).select_related("event").order_by("read_at", "-created_at")[:20]
    return render(request, "console/_notifications.html", {"notifications": mine})


@console_view
@require_POST
def notifications_read(request):
    """Mark one notification read and open its case, or mark them all read."""
    picked = request.POST.get("notification", "")
    if picked.isdigit():
        notification_mark_read(user=request.user, notification_ids=[int(picked)])
        notice = Notification.objects.filter(recipient=request.user, pk=int(picked)).select_related("event").first()
        if notice and notice.event:
            return redirect("console:case", incident_id=notice.event.incident_id)
    else:
        notification_mark_read(user=request.user)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("console:cases")
    return redirect(back)
