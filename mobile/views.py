"""The grid workers' phone pages (小巷管家), under /m/: home, report, tasks, patrol.

Every view starts with `mobile_view`, the one access check. Reads go through the owning apps'
selectors, writes through their services. A report is posted by the page's outbox (offline
first, see static/mobile/outbox.js), which asks for JSON; without JavaScript the same view
answers with a page.
"""

import hashlib
import json
import os
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.forms import LoginForm
from accounts.models import Notification, Role
from accounts.privacy import phone_shown_to
from accounts.selectors import notifications_unread
from accounts.services import notification_mark_read
from grids.geojson import grid_feature, place
from grids.selectors import grids_of
from grids.widgets import map_settings_json
from incidents import services
from incidents.api import ReportWithPhotosSerializer
from incidents.errors import WorkflowError
from incidents.forms import action_forms, action_post
from incidents.inputs import ACTIONS
from incidents.models import Category
from incidents.selectors import incident_get_for_user, photos_by_stage, recent_categories, reports_by, tasks_for
from incidents.workflow import action_label, is_assignee, may_report
from patrols.selectors import checkin_compounds, patrol_today

MOBILE_ROLES = (Role.WORKER, Role.DEPARTMENT, Role.INSPECTOR)
# The session a phone keeps: set at the phone's login, renewed once a day while it is used.
LONG_SESSION = "mobile_until"
REPORTS_SHOWN_DAYS = 30
HOME_TASKS = 5

# A report's fields as the worker knows them, for the messages of a refused report.
REPORT_FIELDS = {
    "category": gettext_lazy("Category"),
    "description": gettext_lazy("Description"),
    "position": gettext_lazy("Position"),
    "latitude": gettext_lazy("Position"),
    "longitude": gettext_lazy("Position"),
    "address": gettext_lazy("Address"),
    "photos": gettext_lazy("Photos"),
    "before_photos": gettext_lazy("Photos before"),
    "after_photos": gettext_lazy("Photos after"),
    "handled_on_spot": gettext_lazy("Fixed on the spot"),
    "client_uuid": gettext_lazy("Report"),
}


def mobile_view(view):
    """Logged in (on the phone's own login page), and of a role that works in the field."""

    @wraps(view)
    @login_required(login_url="mobile:login")
    def checked(request, *args, **kwargs):
        if not request.user.has_role(*MOBILE_ROLES):
            raise PermissionDenied
        _keep_logged_in(request)
        return view(request, *args, **kwargs)

    return checked


def _keep_logged_in(request, *, logging_in: bool = False) -> None:
    """A phone logged in on /m/login/ stays logged in for MOBILE_SESSION_DAYS after it was last
    used: the expiry moves on at most once a day, so a page view does not write the session."""
    today = timezone.localdate().isoformat()
    if logging_in or request.session.get(LONG_SESSION) not in (None, today):
        request.session.set_expiry(settings.MOBILE_SESSION_DAYS * 24 * 3600)
        request.session[LONG_SESSION] = today


class MobileLoginView(LoginView):
    """The phone's login: once, for weeks (the rest of the site keeps its working-day session)."""

    template_name = "mobile/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return reverse("mobile:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        _keep_logged_in(self.request, logging_in=True)
        return response


def _grids_map(user) -> dict:
    """The worker's grids for a page's small map, and the base map's settings."""
    grids = [grid_feature(grid) for grid in grids_of(user)]
    return {"map_json": map_settings_json(), "grids": {"type": "FeatureCollection", "features": grids}}


def _with_first_photo(incidents):
    """Each case with its photos, oldest first (a list shows the first one's thumbnail), in two
    queries."""
    return incidents.prefetch_related("photos")


@mobile_view
def home(request):
    user = request.user
    tasks = tasks_for(user)
    return render(request, "mobile/home.html", {
        "section": "home",
        "now": timezone.now(),
        "tasks": _with_first_photo(tasks)[:HOME_TASKS],
        "task_count": tasks.count(),
        "patrol": _patrol_state(patrol_today(user)) if user.role == Role.WORKER else None,
        "patrols": user.role == Role.WORKER,
        "unread": notifications_unread(user),
        **_grids_map(user),
    })


def _category_tree(user) -> dict:
    """The categories a report chooses from: the major ones, each with its minor ones, and the
    codes this worker used last, the latest first, for the picker drawn in the page."""
    categories = list(Category.objects.filter(active=True).order_by("code").values("id", "code", "name", "kind", "parent_id"))
    majors = [c for c in categories if c["parent_id"] is None]
    codes = {c["id"]: c["code"] for c in categories}
    # Events and components (部件) share some major names: a component's says so.
    component = _("%(name)s (component)")
    return {
        "majors": [
            {"code": major["code"], "name": component % major if major["kind"] == Category.Kind.COMPONENT else major["name"], "minors": [
                [c["code"], c["name"]] for c in categories if c["parent_id"] == major["id"]
            ]}
            for major in majors
        ],
        "recent": [codes[pk] for pk in recent_categories(user) if pk in codes],
    }


def _wants_json(request) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


def _flat(problems) -> list[str]:
    """A field's errors as sentences, each once (a list of photos reports its errors by position)."""
    groups = problems.values() if isinstance(problems, dict) else [problems]
    sentences = [str(problem) for group in groups for problem in (group if isinstance(group, list) else [group])]
    return list(dict.fromkeys(sentences))


def _report_errors(errors: dict) -> dict[str, list[str]]:
    """Field errors under the names the worker knows."""
    named: dict[str, list[str]] = {}
    for field, problems in errors.items():
        label = str(REPORT_FIELDS.get(field, field))
        named[label] = list(dict.fromkeys(named.get(label, []) + _flat(problems)))
    return named


@mobile_view
def report(request):
    user = request.user
    if not may_report(user):
        raise PermissionDenied
    if request.method != "POST":
        return _report_page(request)
    data = request.POST.copy()
    data.pop("source", None)  # a worker's report is a patrol's, whatever is posted
    data.update(request.FILES)
    status, refused = 400, _("The report has errors; nothing was stored.")
    body = ReportWithPhotosSerializer(data=data)
    valid = body.is_valid()
    if not data.get("latitude") or not data.get("longitude"):
        # One message for the missing position, rather than "required" under each coordinate.
        errors = {field: problems for field, problems in body.errors.items() if field not in ("latitude", "longitude")}
        errors["position"] = [_("No position: allow the phone to share its location, or drag the marker to the place.")]
    elif not valid:
        errors = dict(body.errors)
    else:
        values = dict(body.validated_data)
        photos = services.Photos(report=values.pop("photos", []), before=values.pop("before_photos", []), after=values.pop("after_photos", []))
        try:
            incident, created = services.incident_report(reporter=user, photos=photos, **values)
        except WorkflowError as error:
            refused, status = error.message, error.status_code
            errors = {field: [message] for field, message in error.fields.items()}
        else:
            return _reported(request, incident, created)
    named = _report_errors(errors)
    if _wants_json(request):
        return JsonResponse({"detail": refused, "errors": named}, status=status)
    messages.error(request, refused)
    return _report_page(request, errors=named, posted=request.POST, status=status)


def _report_page(request, *, errors=None, posted=None, status=200):
    """The report form; drawn only for a page, never for the outbox's JSON."""
    return render(request, "mobile/report.html", {
        "section": "report", "tree": _category_tree(request.user), **_grids_map(request.user),
        "errors": errors or {}, "posted": posted or {},
    }, status=status)


def _reported(request, incident, created: bool):
    """The answer to a report: its code, grid and deadline, as the worker needs them on the spot."""
    answer = {
        "created": created,
        "code": incident.code,
        "grid": incident.grid.name if incident.grid else None,
        "deadline": formats.date_format(timezone.localtime(incident.deadline), "SHORT_DATETIME_FORMAT") if incident.deadline else None,
        "status": incident.get_status_display(),
        "url": reverse("mobile:task", args=[incident.pk]),
    }
    if _wants_json(request):
        return JsonResponse(answer, status=201 if created else 200)
    return render(request, "mobile/reported.html", {"section": "report", "answer": answer, "incident": incident})


@mobile_view
def tasks(request):
    user = request.user
    now = timezone.now()
    tab = "reported" if request.GET.get("tab") == "reported" else "mine"
    if tab == "reported":
        rows = reports_by(user, since=now - timedelta(days=REPORTS_SHOWN_DAYS))
    else:
        rows = tasks_for(user)
    return render(request, "mobile/tasks.html", {
        "section": "tasks",
        "tab": tab,
        "now": now,
        "incidents": _with_first_photo(rows)[:200],
        "reported_days": REPORTS_SHOWN_DAYS,
    })


def _task_context(request, incident, now, *, posted=None) -> dict:
    user = request.user
    return {
        "section": "tasks",
        "incident": incident,
        "now": now,
        "forms": action_forms(user, incident, now, posted=posted),
        "version": incident.version,
        "photo_stages": photos_by_stage(incident),
        "contact_phone": phone_shown_to(user, incident.contact_phone, needs_it=is_assignee(user, incident)),
        "map_json": map_settings_json(),
        "place": place(latitude=incident.latitude, longitude=incident.longitude, grid=incident.grid),
    }


@mobile_view
def task(request, incident_id: int):
    incident = incident_get_for_user(user=request.user, incident_id=incident_id)
    return render(request, "mobile/task.html", _task_context(request, incident, timezone.now()))


@mobile_view
@require_POST
def task_action(request, incident_id: int, action: str):
    """One action of the table on one case; a refusal or a bad field is shown on the page and
    changes nothing. The page's outbox sends it asking for JSON (so an action taken with no
    signal is kept and sent later); without JavaScript the answer is a page."""
    if action not in ACTIONS:
        raise Http404("No such action.")
    incident = incident_get_for_user(user=request.user, incident_id=incident_id)
    refused, posted = action_post(request, incident, action)
    if refused is None:
        messages.success(request, _("%(action)s: done.") % {"action": action_label(action)})
        if _wants_json(request):
            return JsonResponse({"done": True, "code": incident.code, "url": reverse("mobile:tasks")})
        return redirect("mobile:tasks")
    if _wants_json(request):
        labels = {name: str(field.label or name) for name, field in ACTIONS[action][0]().fields.items()}
        errors = {labels.get(field, field): _flat(problems) for field, problems in posted[2].items()}
        return JsonResponse({"detail": refused, "errors": errors}, status=posted[3])
    messages.error(request, refused)
    incident = incident_get_for_user(user=request.user, incident_id=incident_id)
    return render(request, "mobile/task.html", _task_context(request, incident, timezone.now(), posted=posted[:3]), status=posted[3])


def _patrol_state(patrol) -> dict | None:
    """Today's patrol as the pages show it, and as the patrol page's script starts from (its
    times go to the script as ISO 8601, by json_script)."""
    if patrol is None:
        return None
    return {
        "uuid": str(patrol.uuid),
        "running": patrol.ended_at is None,
        "started_at": patrol.started_at,
        "ended_at": patrol.ended_at,
        "distance_m": round(patrol.distance_m or 0),
        "km": (patrol.distance_m or 0) / 1000,
        "coverage": patrol.coverage,
        "percent": None if patrol.coverage is None else patrol.coverage * 100,
    }


@mobile_view
def patrol(request):
    user = request.user
    if user.role != Role.WORKER:
        raise PermissionDenied
    return render(request, "mobile/patrol.html", {
        "section": "patrol",
        "patrol_state": _patrol_state(patrol_today(user)),
        "patrol_api": reverse("patrol-list"),
        "compounds": [
            {"id": compound.pk, "name": compound.name, "lat": compound.latitude, "lng": compound.longitude}
            for compound in checkin_compounds(user)
        ],
        "checkin_radius": settings.PATROL_CHECKIN_RADIUS_M,
        "thin_metres": settings.PATROL_THIN_METRES,
        "max_accuracy": settings.PATROL_MAX_ACCURACY_M,
        **_grids_map(user),
    })


@mobile_view
def notifications(request):
    user = request.user
    if request.method == "POST":
        notification_mark_read(user=user)
        return redirect("mobile:notifications")
    return render(request, "mobile/notifications.html", {
        "section": "home",
        "notifications": Notification.objects.filter(recipient=user)[:50],
        "unread": notifications_unread(user),
    })


@mobile_view
def outbox(request):
    """What the phone holds to send; drawn by the page from the phone's own store."""
    return render(request, "mobile/outbox.html", {"section": "home"})


def manifest(request):
    """The web app manifest: installable, with its Chinese name, opening on the home page."""
    icon = "mobile/icons/icon-{}.png"
    return JsonResponse({
        "name": _("govgrid for grid workers"),
        "short_name": _("Grid patrol"),
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("mobile:home"),
        "scope": reverse("mobile:home"),
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#b71c1c",
        "icons": [
            {"src": static(icon.format(192)), "sizes": "192x192", "type": "image/png"},
            {"src": static(icon.format(512)), "sizes": "512x512", "type": "image/png"},
            {"src": static(icon.format("maskable-512")), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        ],
    }, content_type="application/manifest+json")


# What the app needs to open with no signal: its pages are cached as they are visited, these
# files when the service worker is installed.
SHELL_FILES = (
    "mobile/mobile.css", "mobile/app.js", "mobile/outbox.js", "mobile/photos.js", "mobile/photo-list.js", "mobile/report.js", "mobile/task.js",
    "mobile/patrol.js", "mobile/outbox-page.js", "mobile/home.js", "mobile/queued-form.js", "mobile/duty.js", "mobile/duty.css",
    "mobile/party.css", "mobile/screening.js", "mobile/screening.css", "mobile/activities.js",
    "js/map-common.js", "leaflet/leaflet.js", "leaflet/leaflet.css",
    "leaflet/images/layers.png", "leaflet/images/layers-2x.png", "leaflet/images/marker-icon.png",
    "leaflet/images/marker-icon-2x.png", "leaflet/images/marker-shadow.png", "mobile/icons/icon-192.png", "favicon.svg",
)
# The pages a worker may need with no signal; one the asker may not open (a 403 or 404) is not kept.
SHELL_PAGES = (
    "mobile:home", "mobile:report", "mobile:tasks", "mobile:patrol", "mobile:outbox", "mobile:notifications",
    "mobile:duty", "mobile:party", "mobile:screening", "mobile:activities",
)


@never_cache
def service_worker(request):
    """The service worker, at /m/ so that it controls the phone pages. Its version is the list
    of files it caches (their names change with their content in production) and its own text,
    so a new release replaces the old cache."""
    shell = {
        "files": [static(name) for name in SHELL_FILES],
        "pages": [reverse(name) for name in SHELL_PAGES] + [reverse("mobile:tasks") + "?tab=reported"],
        "scope": reverse("mobile:home"),
        "offline": reverse("mobile:home"),
        "login": reverse("mobile:login"),
    }
    context = {"shell": json.dumps(shell), "outbox_url": static("mobile/outbox.js")}
    text = render(request, "mobile/sw.js", context).content.decode()
    # In production a file's name changes with its content; in development it does not, so
    # the files' times of change go into the version too.
    changed = [str(os.path.getmtime(found)) for found in map(finders.find, SHELL_FILES) if found]
    version = hashlib.sha256("".join([text, *changed]).encode()).hexdigest()[:12]
    return HttpResponse(text.replace("__VERSION__", version), content_type="application/javascript; charset=utf-8")
