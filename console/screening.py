"""The command centre's screening register (摸排): the entries with filters and figures, the form
to register one, an entry with its follow-ups, the Excel export for the county, and, for
administrators, who saw which entry's personal data in full.

Reads go through screening.selectors, writes through its services; every page or file that
shows phone or ID number in full records it (`arrivals_disclose`). The list costs the same
queries for 5 entries as for 50.
"""

from collections import defaultdict

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Min, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Role, User
from grids.models import Community, Grid
from incidents.errors import WorkflowError
from incidents.selectors import incidents_visible_to
from screening.exports import arrivals_workbook, export_filename
from screening.forms import ArrivalForm, FollowUpDoneForm, show_refusal
from screening.models import HealthStatus, ScreeningEvent
from screening.selectors import (
    DUE_TODAY,
    OVERDUE,
    arrival_get_for_user,
    arrival_views,
    arrivals_filter,
    arrivals_visible_to,
    follow_up_get_for_user,
    may_register,
    register_figures,
    with_follow_ups,
)
from screening.services import arrival_correct, arrivals_disclose

from .views import _frame, console_view

# Department members work in the console on their cases; the register is not theirs to read.
SCREENING_ROLES = (Role.DISPATCHER, Role.INSPECTOR, Role.OFFICIAL)
PAGE_SIZE = 50
# An export is a spreadsheet for the county, not a database dump.
EXPORT_LIMIT = 20_000


def _may_read(user) -> None:
    if not user.has_role(*SCREENING_ROLES):
        raise PermissionDenied


class ScreeningFilterForm(forms.Form):
    """The list's filters, in the query string so a view can be bookmarked and exported."""

    q = forms.CharField(label=gettext_lazy("Full name"), required=False, max_length=50, widget=forms.TextInput(attrs={"type": "search"}))
    community = forms.ChoiceField(label=gettext_lazy("Community"), required=False)
    grid = forms.ChoiceField(label=gettext_lazy("Grid"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Health status"), required=False)
    arrived_from = forms.DateField(label=gettext_lazy("Arrived from"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    arrived_to = forms.DateField(label=gettext_lazy("to"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    follow_up = forms.ChoiceField(label=gettext_lazy("Follow-up"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", _("every community"))] + [(c.code, c.name) for c in Community.objects.order_by("code")]
        grids = list(Grid.objects.select_related("community").order_by("code"))
        communities = list(dict.fromkeys(grid.community for grid in grids))
        self.fields["grid"].choices = [("", _("every grid"))] + [
            (community.name, [(g.code, g.name) for g in grids if g.community_id == community.pk]) for community in communities
        ]
        self.fields["status"].choices = [("", _("every status"))] + list(HealthStatus.choices)
        self.fields["follow_up"].choices = [("", _("any")), (DUE_TODAY, _("due today")), (OVERDUE, _("overdue"))]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "filter")

    def clean(self):
        values = super().clean()
        first, last = values.get("arrived_from"), values.get("arrived_to")
        if first and last and first > last:
            self.add_error("arrived_to", _("The end is before the start."))
        community, grid = values.get("community"), values.get("grid")
        if community and grid and not grid.startswith(community):
            self.add_error("grid", _("This grid is not in the chosen community."))
        return values

    def described(self) -> list[str]:
        """The filters chosen, as "label: value", for the export's title."""
        parts = []
        for name, value in self.cleaned_data.items():
            if value:
                field = self.fields[name]
                shown = dict(_flat_choices(field.choices)).get(value, value) if hasattr(field, "choices") else value
                parts.append(f"{field.label}: {shown}")
        return parts


def _flat_choices(choices):
    for value, label in choices:
        if isinstance(label, (list, tuple)):
            yield from label
        else:
            yield value, label


def _found(request, form: ScreeningFilterForm, today):
    if not form.is_valid():
        return arrivals_visible_to(request.user).none()
    return arrivals_filter(arrivals_visible_to(request.user), today=today, **form.cleaned_data)


def _next_follow_up(arrival, today) -> dict | None:
    """The entry's first open follow-up (prefetched), and whether it is due today or late; none
    for someone cleared, who is followed up no more."""
    waiting = next((follow_up for follow_up in arrival.follow_ups.all() if not follow_up.done), None)
    if waiting is None or arrival.health_status == HealthStatus.CLEARED:
        return None
    return {"follow_up": waiting, "late": waiting.due_on < today, "today": waiting.due_on == today}


@console_view
def screening(request):
    _may_read(request.user)
    now = timezone.now()
    today = timezone.localdate(now)
    form = ScreeningFilterForm(request.GET)
    found = _found(request, form, today)
    page = Paginator(with_follow_ups(found), PAGE_SIZE).get_page(request.GET.get("page"))
    shown = arrivals_disclose(viewer=request.user, arrivals=page.object_list, where=request.get_full_path())
    rows = [
        {"shown": item, "arrival": item.arrival, "next": _next_follow_up(item.arrival, today),
         "done": sum(1 for f in item.arrival.follow_ups.all() if f.done), "total": len(item.arrival.follow_ups.all())}
        for item in shown
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "console/screening/list.html", {
        **_frame(request, incidents_visible_to(request.user), now, "screening"),
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "figures": register_figures(found, today=today),
        "today": today,
        "may_register": may_register(request.user),
        "may_list_views": request.user.is_platform_admin,
    })


@console_view
def screening_new(request):
    _may_read(request.user)
    if not may_register(request.user):
        raise PermissionDenied
    form = ArrivalForm(request.POST or None, user=request.user)
    if request.method == "POST":
        arrival, _created = form.register()
        if arrival is not None:
            messages.success(request, _("%(name)s is registered; %(count)d follow-ups are scheduled.") % {
                "name": arrival.name, "count": arrival.follow_ups.count(),
            })
            return redirect("console:screening-entry", arrival_id=arrival.pk)
        messages.error(request, _("The entry has errors; nothing was stored."))
    now = timezone.now()
    return render(request, "console/screening/new.html", {
        **_frame(request, incidents_visible_to(request.user), now, "screening"),
        "form": form,
    }, status=400 if form.errors else 200)


def _entry_page(request, arrival, *, forms_posted: dict | None = None, status: int = 200):
    now = timezone.now()
    today = timezone.localdate(now)
    shown = arrivals_disclose(viewer=request.user, arrivals=[arrival], where=request.get_full_path())[0]
    writer = may_register(request.user)
    followed = arrival.health_status != HealthStatus.CLEARED
    registered = next((event for event in arrival.events.all() if event.action == ScreeningEvent.Action.REGISTERED), None)
    follow_ups = [
        {
            "follow_up": follow_up,
            "late": followed and not follow_up.done and follow_up.due_on < today,
            "today": followed and not follow_up.done and follow_up.due_on == today,
            # Marked done from its due day on (the service refuses earlier), and not once cleared.
            "form": (
                (forms_posted or {}).get(follow_up.pk) or FollowUpDoneForm(follow_up=follow_up)
                if writer and followed and not follow_up.done and follow_up.due_on <= today else None
            ),
        }
        for follow_up in arrival.follow_ups.all()
    ]
    return render(request, "console/screening/entry.html", {
        **_frame(request, incidents_visible_to(request.user), now, "screening"),
        "arrival": arrival,
        "shown": shown,
        "follow_ups": follow_ups,
        "followed": followed,
        "open_left": any(not follow_up.done for follow_up in arrival.follow_ups.all()),
        "today": today,
        "skipped_days": (registered.data.get("skipped_days") or []) if registered else [],
        "registered_on": timezone.localdate(arrival.recorded_at),
        "may_correct": writer,
        "events": [_event_lines(event) for event in arrival.events.all()],
    }, status=status)


# What an entry's history names, in the words of the page.
FIELD_LABELS = {
    "grid": gettext_lazy("Grid"), "compound": gettext_lazy("Compound"), "campaign": gettext_lazy("Campaign"),
    "name": gettext_lazy("Full name"), "phone": gettext_lazy("Phone"), "id_number": gettext_lazy("ID number"),
    "origin": gettext_lazy("Arriving from"), "arrived_on": gettext_lazy("Arrival date"), "notes": gettext_lazy("Notes"),
}


def _event_lines(event):
    """The event with `changes`: a correction's fields as "label: before → after"."""
    changed = (event.data.get("changed") or {}) if event.action == ScreeningEvent.Action.CORRECTED else {}
    event.changes = [f"{FIELD_LABELS.get(field, field)}: {before or '—'} → {after or '—'}" for field, (before, after) in changed.items()]
    return event


class ArrivalCorrectForm(ArrivalForm):
    """The arrival form over an entry, without what a correction does not change (the health
    status follows the visits)."""

    def __init__(self, *args, arrival, **kwargs):
        initial = {
            "grid": str(arrival.grid_id), "compound": str(arrival.compound_id or ""), "campaign": str(arrival.campaign_id or ""),
            "name": arrival.name, "phone": arrival.phone, "id_number": arrival.id_number, "origin": arrival.origin,
            "arrived_on": arrival.arrived_on, "notes": arrival.notes,
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.arrival = arrival
        for name in ("health_status", "uuid"):
            self.fields.pop(name, None)
        if arrival.campaign_id and str(arrival.campaign_id) not in self.campaigns:
            # An entry of an ended campaign keeps it as a choice.
            self.campaigns[str(arrival.campaign_id)] = arrival.campaign
            if "campaign" not in self.fields:
                self.fields["campaign"] = forms.ChoiceField(label=gettext_lazy("Campaign"), required=False, choices=[("", _("none"))])
            self.fields["campaign"].choices = list(self.fields["campaign"].choices) + [(str(arrival.campaign_id), arrival.campaign.name)]
        self.fields["arrived_on"].widget.attrs["max"] = timezone.localdate(arrival.recorded_at).isoformat()
        self.changed_fields: list[str] = []

    def correct(self) -> bool:
        if not self.is_valid():
            return False
        values = dict(self.cleaned_data)
        try:
            _arrival, self.changed_fields = arrival_correct(
                actor=self.user, arrival_id=self.arrival.pk, grid=self.grids[values.pop("grid")],
                compound=self.compounds.get(values.pop("compound")), campaign=self.campaigns.get(values.pop("campaign", "")), **values,
            )
        except WorkflowError as error:
            show_refusal(self, error)
            return False
        return True


@console_view
def screening_correct(request, arrival_id: int):
    """Correct an entry typed wrong: the command centre (the grid's workers do it on the phone or
    through the API's service)."""
    _may_read(request.user)
    arrival = arrival_get_for_user(user=request.user, arrival_id=arrival_id)
    if not may_register(request.user):
        raise PermissionDenied
    form = ArrivalCorrectForm(request.POST or None, user=request.user, arrival=arrival)
    if request.method == "POST":
        if form.correct():
            if form.changed_fields:
                messages.success(request, _("The entry is corrected: %(fields)s.") % {
                    "fields": "、".join(str(FIELD_LABELS[name]) for name in form.changed_fields),
                })
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("console:screening-entry", arrival_id=arrival.pk)
        messages.error(request, _("The correction has errors; nothing was changed."))
    # The form shows phone and ID number in full: a sight like any other.
    arrivals_disclose(viewer=request.user, arrivals=[arrival], where=request.get_full_path())
    return render(request, "console/screening/new.html", {
        **_frame(request, incidents_visible_to(request.user), timezone.now(), "screening"),
        "form": form, "arrival": arrival,
    }, status=400 if form.errors else 200)


@console_view
def screening_entry(request, arrival_id: int):
    _may_read(request.user)
    return _entry_page(request, arrival_get_for_user(user=request.user, arrival_id=arrival_id))


@console_view
@require_POST
def screening_follow_up_done(request, follow_up_id: int):
    _may_read(request.user)
    follow_up = follow_up_get_for_user(user=request.user, follow_up_id=follow_up_id)
    arrival = arrival_get_for_user(user=request.user, arrival_id=follow_up.arrival_id)
    follow_up = next(f for f in arrival.follow_ups.all() if f.pk == follow_up.pk)
    form = FollowUpDoneForm(request.POST, follow_up=follow_up)
    if form.mark_done(request.user):
        messages.success(request, _("The follow-up of %(date)s is done.") % {"date": follow_up.due_on.isoformat()})
        return redirect("console:screening-entry", arrival_id=arrival.pk)
    messages.error(request, _("The follow-up has errors; nothing was stored."))
    return _entry_page(request, arrival, forms_posted={follow_up.pk: form}, status=400)


@console_view
def screening_export(request):
    _may_read(request.user)
    now = timezone.now()
    form = ScreeningFilterForm(request.GET)
    if not form.is_valid():
        problems = [f"{form.fields[name].label}: {error}" for name, errors in form.errors.items() for error in errors]
        return HttpResponse("\n".join(problems), status=400, content_type="text/plain; charset=utf-8")
    found = with_follow_ups(_found(request, form, timezone.localdate(now)))[:EXPORT_LIMIT]
    shown = arrivals_disclose(viewer=request.user, arrivals=found, where=request.get_full_path())
    response = HttpResponse(
        arrivals_workbook(shown, described=form.described(), now=now),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(True, export_filename(timezone.localdate(now)))
    return response


# The kinds of place a sight happened at, told apart by its address.
VIEW_KINDS = {"page": gettext_lazy("console and phone pages"), "export": gettext_lazy("Excel exports"), "api": gettext_lazy("API")}
# An export's sights are listed one by one up to this many; beyond, counted.
LISTED_PER_SIGHT = 100


class ViewFilterForm(forms.Form):
    viewer = forms.ChoiceField(label=gettext_lazy("Viewer"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Where"), required=False)
    first_day = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    last_day = forms.DateField(label=gettext_lazy("to"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        viewers = User.objects.filter(role__in=[Role.WORKER, Role.DISPATCHER, Role.ADMIN]).order_by("username")
        self.fields["viewer"].choices = [("", _("everyone"))] + [(u.username, f"{u.display_name} ({u.username})") for u in viewers]
        self.fields["kind"].choices = [("", _("anywhere"))] + list(VIEW_KINDS.items())
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "filter")

    def clean(self):
        values = super().clean()
        if values.get("first_day") and values.get("last_day") and values["first_day"] > values["last_day"]:
            self.add_error("last_day", _("The end is before the start."))
        return values


def _of_kind(views, kind: str):
    exports, api = Q(where__contains="/export"), Q(where__startswith="/api/")
    if kind == "export":
        return views.filter(exports)
    if kind == "api":
        return views.filter(api)
    if kind == "page":
        return views.exclude(exports | api)
    return views


@console_view
def screening_views(request):
    """Who saw which entry's phone and ID number in full, when and where: administrators only.
    One row per sight (a page, an export, an API answer), however many entries it showed: the
    record keeps a row per entry, listed under the sight."""
    if not request.user.is_platform_admin:
        raise PermissionDenied
    now = timezone.now()
    form = ViewFilterForm(request.GET)
    if form.is_valid():
        values = form.cleaned_data
        views = _of_kind(arrival_views(viewer=values["viewer"], first_day=values["first_day"], last_day=values["last_day"]), values["kind"])
    else:
        views = arrival_views().none()
    sights = views.order_by().values("viewer_id", "at", "where", "fields").annotate(entries=Count("pk"), first=Min("pk")).order_by("-at", "-first")
    page = Paginator(sights, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = {"phone": _("Phone"), "id_number": _("ID number")}
    listed = [sight for sight in page.object_list if sight["entries"] <= LISTED_PER_SIGHT]
    shown = defaultdict(list)
    if listed:
        keys = Q()
        for sight in listed:
            keys |= Q(viewer_id=sight["viewer_id"], at=sight["at"], where=sight["where"])
        for view in views.filter(keys).order_by("pk"):
            shown[(view.viewer_id, view.at, view.where)].append(view)
    viewers = User.objects.in_bulk({sight["viewer_id"] for sight in page.object_list})
    rows = []
    for sight in page.object_list:
        entries = [view for view in shown.get((sight["viewer_id"], sight["at"], sight["where"]), []) if view.fields == sight["fields"]]
        rows.append({
            "at": sight["at"], "viewer": viewers[sight["viewer_id"]], "where": sight["where"], "count": sight["entries"], "entries": entries,
            "fields": "、".join(str(labels.get(name, name)) for name in sight["fields"]),
        })
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "console/screening/views.html", {
        **_frame(request, incidents_visible_to(request.user), now, "screening"),
        "form": form,
        "page": page,
        "rows": rows,
        "total": views.count(),
        "query": query.urlencode(),
    })
