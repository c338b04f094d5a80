"""The command centre's volunteer service pages (志愿服务): the coverage of the outreach sessions
with what is not yet reached, the teams, the volunteers, the activities, and the form to record
one.

Reads go through volunteers.selectors, writes through volunteers.services. The command centre
records and sees phones in full; inspectors and officials read with phones masked; department
members have no volunteer pages (404). Lists cost the same queries for 3 rows as for 300.
"""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from grids.models import Compound, Grid
from incidents.errors import WorkflowError
from incidents.photos import content_type_of
from incidents.selectors import incidents_visible_to
from volunteers import services
from volunteers.models import Activity, ActivityPhoto, Team, Volunteer
from volunteers.selectors import (
    FIRST_DAY,
    LAST_DAY,
    activities_filter,
    activities_visible_to,
    activity_get_for_user,
    coverage,
    may_manage,
    may_read_town,
    period_bounds,
    phones_shown_to,
    teams_in_period,
    volunteers_filter,
    volunteers_visible_to,
)

from .views import _frame, console_view

PAGE_SIZE = 50
PERIOD_LABELS = {
    "year": gettext_lazy("Year"), "quarter": gettext_lazy("Quarter"), "month": gettext_lazy("Month"), "custom": gettext_lazy("From … to …"),
}
DATE_INPUT = {"type": "date", "min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()}


def _reader(request) -> None:
    """The town's volunteer pages are for the command centre, inspectors and officials; for
    anyone else they do not exist."""
    if not may_read_town(request.user):
        raise Http404(_("No such page."))


def _page(request, template: str, context: dict):
    now = timezone.now()
    return render(request, template, {**_frame(request, incidents_visible_to(request.user), now, "volunteers"), **context})


class PeriodForm(forms.Form):
    """A period (this year unless chosen) and a team, in the query string so a view can be
    bookmarked and sent on."""

    period = forms.ChoiceField(label=gettext_lazy("Period"), required=False, choices=list(PERIOD_LABELS.items()))
    year = forms.IntegerField(label=gettext_lazy("Year"), required=False, min_value=FIRST_DAY.year, max_value=LAST_DAY.year)
    quarter = forms.TypedChoiceField(
        label=gettext_lazy("Quarter"), required=False, coerce=int, empty_value=None, choices=[("", "—")] + [(n, f"Q{n}") for n in range(1, 5)],
    )
    month = forms.TypedChoiceField(
        label=gettext_lazy("Month"), required=False, coerce=int, empty_value=None, choices=[("", "—")] + [(n, str(n)) for n in range(1, 13)],
    )
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"))
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"))
    team = forms.ChoiceField(label=gettext_lazy("Team"), required=False)

    def __init__(self, *args, teams: list[Team], **kwargs):
        super().__init__(*args, **kwargs)
        self.teams = {str(team.pk): team for team in teams}
        self.fields["team"].choices = [("", _("every team"))] + [(str(team.pk), team.name) for team in teams]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "filter")

    def clean(self):
        values = super().clean()
        for name in ("start", "end"):
            if values.get(name) and not FIRST_DAY <= values[name] <= LAST_DAY:
                self.add_error(name, _("A day from %(first)s to %(last)s.") % {"first": FIRST_DAY, "last": LAST_DAY})
        if self.errors:
            return values
        kind = values.get("period") or ("custom" if values.get("start") or values.get("end") else "year")
        try:
            values["first"], values["last"] = period_bounds(
                kind=kind, today=timezone.localdate(), year=values.get("year"), quarter=values.get("quarter"), month=values.get("month"),
                first=values.get("start"), last=values.get("end"),
            )
        except ValueError as wrong:
            self.add_error("end", str(wrong))
        return values

    def bounds(self):
        """(first, last, team) chosen; this year and every team when the filters are wrong."""
        if self.is_valid():
            return self.cleaned_data["first"], self.cleaned_data["last"], self.teams.get(self.cleaned_data.get("team") or "")
        return period_bounds(kind="year", today=timezone.localdate()) + (None,)


class ActivityFilterForm(PeriodForm):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    grid = forms.ChoiceField(label=gettext_lazy("Grid"), required=False)

    def __init__(self, *args, grids: list[Grid], **kwargs):
        super().__init__(*args, **kwargs)
        self.grids = {grid.code: grid for grid in grids}
        self.fields["kind"].choices = [("", _("every kind")), ("outreach", _("outreach sessions"))] + list(Activity.Kind.choices)
        communities = list(dict.fromkeys(grid.community for grid in grids))
        self.fields["grid"].choices = [("", _("every grid"))] + [
            (community.name, [(grid.code, grid.name) for grid in grids if grid.community_id == community.pk]) for community in communities
        ]
        for name in ("kind", "grid"):
            self.fields[name].widget.attrs.setdefault("class", "filter")


@console_view
def coverage_page(request):
    """What the outreach sessions of a period reached, of all the town's grids and old compounds,
    and what they did not: the list the next sessions are planned from."""
    _reader(request)
    teams = list(Team.objects.order_by("name"))
    form = PeriodForm(request.GET, teams=teams)
    first, last, team = form.bounds()
    figures = coverage(first=first, last=last, team=team)
    missing_by_community = {}
    for compound in figures.old_compounds_missing:
        missing_by_community.setdefault(compound.grid.community, []).append(compound)
    return _page(request, "console/volunteers/coverage.html", {
        "form": form,
        "figures": figures,
        "by_team": [(shown, row) for shown, row in figures.by_team if row.activities or team is not None],
        "idle_teams": [shown for shown, row in figures.by_team if not row.activities and team is None],
        "missing_by_community": list(missing_by_community.items()),
        "query": request.GET.urlencode(),
    })


class TeamPeriodForm(PeriodForm):
    """The coverage page's period (this year unless chosen) for the teams' figures; every team is listed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, teams=[], **kwargs)
        del self.fields["team"]


@console_view
def teams(request):
    """The teams with their activities and hours served in a period: this year unless chosen,
    as on the coverage page, so the two pages' figures agree."""
    _reader(request)
    form = TeamPeriodForm(request.GET)
    first, last, _team = form.bounds()
    found = teams_in_period(request.user, first=first, last=last).order_by("kind", "name")
    return _page(request, "console/volunteers/teams.html", {
        "teams": found, "kinds": Team.Kind, "form": form, "first": first, "last": last, "query": request.GET.urlencode(),
    })


class VolunteerFilterForm(forms.Form):
    team = forms.ChoiceField(label=gettext_lazy("Team"), required=False)
    profession = forms.ChoiceField(label=gettext_lazy("Profession"), required=False)
    q = forms.CharField(label=gettext_lazy("Name or skill"), required=False, max_length=50)

    def __init__(self, *args, teams: list[Team], **kwargs):
        super().__init__(*args, **kwargs)
        self.teams = {str(team.pk): team for team in teams}
        self.fields["team"].choices = [("", _("every team"))] + [(str(team.pk), team.name) for team in teams]
        self.fields["profession"].choices = [("", _("every profession"))] + list(Volunteer.Profession.choices)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "filter")


@console_view
def volunteers(request):
    _reader(request)
    teams_list = list(Team.objects.order_by("name"))
    form = VolunteerFilterForm(request.GET, teams=teams_list)
    found = volunteers_visible_to(request.user).none()
    if form.is_valid():
        values = form.cleaned_data
        found = volunteers_filter(
            volunteers_visible_to(request.user), team=form.teams.get(values["team"]), profession=values["profession"], search=values["q"].strip(),
        )
    page = Paginator(found.order_by("team__name", "name", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    phones = phones_shown_to(request.user, rows, where=request.path)
    query = request.GET.copy()
    query.pop("page", None)
    return _page(request, "console/volunteers/volunteers.html", {
        "form": form, "page": page, "rows": [(volunteer, phones.get(volunteer.pk, "")) for volunteer in rows], "query": query.urlencode(),
    })


@console_view
def activities(request):
    _reader(request)
    grids = list(Grid.objects.select_related("community").order_by("code"))
    form = ActivityFilterForm(request.GET, teams=list(Team.objects.order_by("name")), grids=grids)
    first, last, team = form.bounds()
    values = form.cleaned_data if form.is_valid() else {}
    found = activities_filter(
        activities_visible_to(request.user), first=first, last=last, team=team, kind=values.get("kind", ""),
        grid=form.grids.get(values.get("grid", "")),
    ).prefetch_related(Prefetch("compounds", queryset=Compound.objects.order_by("name")))
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return _page(request, "console/volunteers/activities.html", {
        "form": form, "page": page, "first": first, "last": last, "query": query.urlencode(), "may_record": may_manage(request.user),
    })


@console_view
def activity(request, activity_id: int):
    _reader(request)
    shown = activity_get_for_user(user=request.user, activity_id=activity_id)
    return _page(request, "console/volunteers/activity.html", {
        "activity": shown, "events": shown.events.select_related("actor"),
    })


class ActivityForm(forms.Form):
    """The activity's own fields; the volunteers with their hours and the photos are read from
    the request beside it (a row per volunteer), and every rule is the service's."""

    # The services' own words for a field left empty or wrong, not the framework's stock ones.
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), choices=[("", "—")] + list(Activity.Kind.choices),
        error_messages={"required": gettext_lazy("Choose one of the kinds of activity."), "invalid_choice": gettext_lazy("Choose one of the kinds of activity.")},
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, error_messages={"required": gettext_lazy("Give the activity a title.")})
    team = forms.ModelChoiceField(
        label=gettext_lazy("Team"), queryset=Team.objects.order_by("name"), empty_label="—",
        error_messages={"required": gettext_lazy("Choose the team that held it."), "invalid_choice": gettext_lazy("Choose one of the teams listed.")},
    )
    date = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
        error_messages={"required": gettext_lazy("Give the day it was held."), "invalid": gettext_lazy("Give the day as year-month-day.")},
    )
    grid = forms.ModelChoiceField(
        label=gettext_lazy("Grid"), queryset=Grid.objects.none(), empty_label="—",
        error_messages={"required": gettext_lazy("Choose the grid it was held in."), "invalid_choice": gettext_lazy("Choose one of your grids.")},
    )
    audience = forms.IntegerField(
        label=gettext_lazy("Audience"), min_value=0, max_value=services.MAX_AUDIENCE, help_text=gettext_lazy("People reached."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": gettext_lazy("Give the number of people reached, 0 if none."),
            "invalid": gettext_lazy("The audience is a whole number of people."),
            "min_value": gettext_lazy("The audience cannot be below zero."),
            "max_value": gettext_lazy("At most %(limit_value)s people."),
        },
    )
    compounds = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Compounds reached"), queryset=Compound.objects.none(), required=False,
        help_text=gettext_lazy("The compounds of the chosen grid are listed; hold Ctrl to choose several."),
        error_messages={
            "invalid_choice": gettext_lazy("Choose only compounds of the grid the activity was held in."),
            "invalid_pk_value": gettext_lazy("No such compound: choose compounds from the list."),
        },
    )
    notes = forms.CharField(label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    # Made on the phone (static/mobile/queued-form.js): the same form sent twice is one activity.
    uuid = forms.UUIDField(required=False, widget=forms.HiddenInput, error_messages={"invalid": gettext_lazy("Not a UUID: send the form again.")})

    def __init__(self, *args, grids, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = grids
        if teams is not None:
            self.fields["team"].queryset = teams
        # The compounds of the grids offered; the service refuses one outside the activity's grid.
        self.fields["compounds"].queryset = Compound.objects.filter(grid__in=grids).select_related("grid").order_by("grid__code", "name")
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["team"].label_from_instance = lambda team: team.name
        self.fields["grid"].label_from_instance = lambda grid: f"{grid.name} · {grid.community.name}"


def volunteer_hours_from(post) -> tuple[list[tuple[int, str]], list[str]]:
    """The volunteers ticked, each with the hours typed beside it (`hours-<id>`), and the ids
    as they came (to tick them again on a page sent back with errors)."""
    ticked = [value for value in post.getlist("volunteer") if value.isdigit() and len(value) <= 18]
    return [(int(value), post.get(f"hours-{value}", "").strip()) for value in ticked], ticked


def record_activity(request, *, grids, template: str, context: dict, success, teams=None, refused=None):
    """The form's GET and POST, shared by the console and the phone: a service refusal is shown
    as the field's message and nothing is changed. `teams` narrows the teams offered and the
    volunteers listed (the phone's); all the town's otherwise. `refused(form, extra_errors,
    refusal)`, when given, answers a refused POST instead of the page (the phone's outbox)."""
    only = list(grids[:2])
    initial = {"date": timezone.localdate(), "grid": only[0] if len(only) == 1 else None}
    form = ActivityForm(request.POST or None, grids=grids, teams=teams, initial=initial)
    extra_errors, ticked, hours, refusal = {}, [], {}, None
    if request.method == "POST":
        volunteer_hours, ticked = volunteer_hours_from(request.POST)
        hours = {str(volunteer_id): value for volunteer_id, value in volunteer_hours}
        if form.is_valid():
            values = form.cleaned_data
            try:
                recorded = services.activity_record(
                    actor=request.user, kind=values["kind"], title=values["title"], team=values["team"], day=values["date"],
                    grid=values["grid"], audience=values["audience"], volunteer_hours=volunteer_hours,
                    compound_ids=[compound.pk for compound in values["compounds"]], notes=values["notes"],
                    photos=request.FILES.getlist("photos"), client_uuid=values["uuid"],
                )
            except WorkflowError as error:
                refusal = error
                for name, message in error.fields.items():
                    if name in form.fields:
                        form.add_error(name, message)
                    else:
                        extra_errors[name] = message
                if not error.fields:
                    form.add_error(None, error.message)
            else:
                return success(recorded)
        if refused is not None:
            return refused(form, extra_errors, refusal)
    people = Volunteer.objects.filter(active=True).select_related("team").order_by("team__name", "name")
    people = list(people if teams is None else people.filter(team__in=teams))
    compounds = [
        {"id": compound.pk, "name": compound.name, "grid": compound.grid_id, "old": compound.is_old}
        for compound in form.fields["compounds"].queryset
    ]
    chosen_compounds = {str(value) for value in (form["compounds"].value() or [])}
    return render(request, template, {
        **context,
        "form": form,
        "extra_errors": extra_errors,
        "people": [(person, str(person.pk) in ticked, hours.get(str(person.pk), "")) for person in people],
        "compounds": compounds,
        "chosen_compounds": chosen_compounds,
        "max_photos": settings.PHOTO_MAX_COUNT,
        # A page sent back cannot hold the files chosen: the browser empties the file input.
        "photos_dropped": len(request.FILES.getlist("photos")),
    })


@console_view
def activity_new(request):
    _reader(request)
    if not may_manage(request.user):
        raise PermissionDenied
    now = timezone.now()
    return record_activity(
        request, grids=Grid.objects.select_related("community").order_by("code"), template="console/volunteers/activity_form.html",
        context=_frame(request, incidents_visible_to(request.user), now, "volunteers"),
        success=lambda recorded: redirect("console:volunteer-activity", activity_id=recorded.pk),
    )


@login_required
def activity_photo(request, photo_id: int):
    """A photo of an activity, to whoever may see the activity (a grid worker on the phone too)."""
    photo = ActivityPhoto.objects.filter(pk=photo_id, activity__in=activities_visible_to(request.user).values("pk")).first()
    if photo is None:
        raise Http404(_("No such photo."))
    content_type = content_type_of(photo.image.name)
    try:
        opened = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404(_("The photo's file is missing.")) from None
    return FileResponse(opened, content_type=content_type or "application/octet-stream", as_attachment=content_type is None)
