"""The command centre's screening register (摸排): the entries with filters and figures, the form
to register one, an entry with its follow-ups, the Excel export for the county, and, for
administrators, who saw which entry's personal data in full.

Reads go through screening.selectors, writes through its services; every page or file that
shows phone or ID number in full records it (`arrivals_disclose`). The list costs the same
queries for 5 entries as for 50.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Role, User
from grids.models import Community, Grid
from incidents.selectors import incidents_visible_to
from screening.exports import arrivals_workbook, export_filename
from screening.forms import ArrivalForm, FollowUpDoneForm
from screening.models import HealthStatus
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
from screening.services import arrivals_disclose

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
    """The entry's first open follow-up (prefetched), and whether it is due today or late."""
    waiting = next((follow_up for follow_up in arrival.follow_ups.all() if not follow_up.done), None)
    if waiting is None:
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
        arrival = form.register()
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
    follow_ups = [
        {
            "follow_up": follow_up,
            "late": not follow_up.done and follow_up.due_on < today,
            "today": not follow_up.done and follow_up.due_on == today,
            "form": (forms_posted or {}).get(follow_up.pk) or FollowUpDoneForm(follow_up=follow_up) if writer and not follow_up.done else None,
        }
        for follow_up in arrival.follow_ups.all()
    ]
    return render(request, "console/screening/entry.html", {
        **_frame(request, incidents_visible_to(request.user), now, "screening"),
        "arrival": arrival,
        "shown": shown,
        "follow_ups": follow_ups,
        "events": arrival.events.all(),
    }, status=status)


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


class ViewFilterForm(forms.Form):
    viewer = forms.ChoiceField(label=gettext_lazy("Viewer"), required=False)
    first_day = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    last_day = forms.DateField(label=gettext_lazy("to"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        viewers = User.objects.filter(role__in=[Role.WORKER, Role.DISPATCHER, Role.ADMIN]).order_by("username")
        self.fields["viewer"].choices = [("", _("everyone"))] + [(u.username, f"{u.display_name} ({u.username})") for u in viewers]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "filter")

    def clean(self):
        values = super().clean()
        if values.get("first_day") and values.get("last_day") and values["first_day"] > values["last_day"]:
            self.add_error("last_day", _("The end is before the start."))
        return values


@console_view
def screening_views(request):
    """Who saw which entry's phone and ID number in full, when and where: administrators only."""
    if not request.user.is_platform_admin:
        raise PermissionDenied
    now = timezone.now()
    form = ViewFilterForm(request.GET)
    views = arrival_views(**form.cleaned_data) if form.is_valid() else arrival_views().none()
    page = Paginator(views, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = {"phone": _("Phone"), "id_number": _("ID number")}
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "console/screening/views.html", {
        **_frame(request, incidents_visible_to(request.user), now, "screening"),
        "form": form,
        "page": page,
        "rows": [{"view": view, "fields": "、".join(str(labels.get(name, name)) for name in view.fields)} for view in page.object_list],
        "query": query.urlencode(),
    })
