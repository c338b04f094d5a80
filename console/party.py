"""The command centre's party pages (党建引领): branches by grid, members, in-service members'
check-ins, the year's compliance with the check-in rule, and the meetings of one committee and
three councils, whose follow-ups may open a case.

Reads go through party.selectors (scoped by role), writes through party.services; a refusal is
shown as a form message. Department members get a 404; grid workers use the phone's page. A page
one reads but may not act on (an official's or an inspector's "record a meeting") is a 403, as
the other create pages of the console answer.
"""

from datetime import timedelta
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST
from shapely.geometry import shape

from accounts.models import Role
from accounts.services import personal_data_views_record
from grids.models import Community, Compound, Grid
from incidents.errors import WorkflowError
from incidents.models import Category
from incidents.selectors import incidents_visible_to
from party import services
from party.forms import CheckInForm, RefuseForm, show_errors
from party.models import Employer, Meeting, MemberCheckIn, MemberKind, PartyBranch, PartyMember
from party.selectors import (
    branches_visible_to,
    branches_with_posts,
    checkin_get_for_user,
    checkins_visible_to,
    checkins_waiting,
    compliance as member_compliance,
    compliance_by_employer,
    compliance_for_user,
    expected_by,
    may_manage,
    may_read,
    meeting_get_for_user,
    meetings_visible_to,
    member_get_for_user,
    members_filter,
    members_visible_to,
    overview_figures,
    phones_shown,
    required_per_year,
)

from .views import _frame

PAGE_SIZE = 50
RECENT_CHECKINS = 30


def party_view(view):
    """Logged in; a grid worker is sent to the phone's party page; anyone who reads none of the
    party's records (department members) gets a 404."""

    @wraps(view)
    @login_required
    def checked(request, *args, **kwargs):
        if request.user.role == Role.WORKER and not request.user.is_platform_admin:
            return redirect("mobile:party")
        if not may_read(request.user):
            raise Http404(_("No such page."))
        return view(request, *args, **kwargs)

    return checked


def _page(request, template: str, context: dict, *, status: int = 200):
    now = timezone.now()
    visible = incidents_visible_to(request.user)
    return render(request, template, {**_frame(request, visible, now, "party"), "may_manage": may_manage(request.user), **context}, status=status)


@party_view
def overview(request):
    user = request.user
    branches = list(branches_with_posts(branches_visible_to(user)))
    communities = {}
    for branch in branches:
        communities.setdefault(branch.grid.community, []).append(branch)
    return _page(request, "console/party/overview.html", {
        "figures": overview_figures(user),
        "communities": list(communities.items()),
    })


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=50)
    grid = forms.ModelChoiceField(label=gettext_lazy("Grid"), queryset=Grid.objects.none(), required=False, to_field_name="code")
    branch = forms.ModelChoiceField(label=gettext_lazy("Branch"), queryset=PartyBranch.objects.none(), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    employer = forms.ModelChoiceField(label=gettext_lazy("Employer"), queryset=Employer.objects.order_by("name"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = Grid.objects.filter(pk__in=members_visible_to(user).values("grid")).order_by("code")
        self.fields["branch"].queryset = branches_visible_to(user)
        self.fields["kind"].choices = [("", _("every kind")), *MemberKind.choices]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "filter")


@party_view
def members(request):
    user = request.user
    form = MemberFilterForm(request.GET, user=user)
    found = members_visible_to(user).none()
    if form.is_valid():
        values = form.cleaned_data
        found = members_filter(
            members_visible_to(user), grid=values["grid"], branch=values["branch"], kind=values["kind"],
            employer=values["employer"], search=values["q"],
        ).order_by("name", "pk")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    phones, unmasked = phones_shown(user, rows)
    personal_data_views_record(viewer=user, records=unmasked, fields=["phone"], where=request.get_full_path())
    query = request.GET.copy()
    query.pop("page", None)
    return _page(request, "console/party/members.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "rows": [{"member": member, "phone": phones[member.pk]} for member in rows],
    })


@party_view
def member(request, member_id: int):
    user = request.user
    shown = member_get_for_user(user=user, member_id=member_id)
    phones, unmasked = phones_shown(user, [shown])
    personal_data_views_record(viewer=user, records=unmasked, fields=["phone"], where=request.path)
    today = timezone.localdate()
    checkins = checkins_visible_to(user).filter(member=shown).order_by("-date", "-pk")
    posts = shown.posts.select_related("compound").order_by("since")
    return _page(request, "console/party/member.html", {
        "member": shown, "phone": phones[shown.pk], "checkins": checkins, "posts": posts,
        "progress": next(iter(member_compliance(year=today.year, today=today, members=PartyMember.objects.filter(pk=shown.pk))), None),
    })


def _checkins_page(request, form: CheckInForm, *, status: int = 200):
    user = request.user
    # The buttons only where the service would take the answer: officials and inspectors read.
    deciding = services.grids_deciding_checkins(user)
    waiting = list(checkins_waiting(user))
    return _page(request, "console/party/checkins.html", {
        "form": form,
        "waiting": waiting,
        "decidable": {checkin.pk for checkin in waiting if deciding is None or checkin.grid_id in deciding},
        "may_record": deciding is None or bool(deciding),
        "recent": checkins_visible_to(user).exclude(status=MemberCheckIn.Status.RECORDED).order_by("-recorded_at", "-pk")[:RECENT_CHECKINS],
    }, status=status)


@party_view
def checkins(request):
    user = request.user
    if request.method != "POST":
        return _checkins_page(request, CheckInForm.fresh(user=user))
    if services.grids_deciding_checkins(user) == set():
        raise PermissionDenied
    form = CheckInForm(request.POST, user=user)
    if form.is_valid():
        values = form.cleaned_data
        try:
            checkin, created = services.checkin_record(
                actor=user, member=values["member"], grid=values["grid"], day=values["date"], activity=values["activity"],
                hours=values["hours"], uuid=values["uuid"],
            )
        except WorkflowError as error:
            show_errors(form, error)
        else:
            if created:
                messages.success(request, _("Check-in of %(name)s recorded.") % {"name": checkin.member.name})
            return redirect("console:party-checkins")
    return _checkins_page(request, form, status=400)


@party_view
@require_POST
def checkin_decide(request, checkin_id: int, decision: str):
    user = request.user
    checkin = checkin_get_for_user(user=user, checkin_id=checkin_id)
    try:
        if decision == "confirm":
            services.checkin_confirm(actor=user, checkin_id=checkin.pk)
            messages.success(request, _("Check-in of %(name)s confirmed.") % {"name": checkin.member.name})
        elif decision == "refuse":
            form = RefuseForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Say why the check-in is refused."))
                return redirect("console:party-checkins")
            services.checkin_refuse(actor=user, checkin_id=checkin.pk, reason=form.cleaned_data["reason"])
            messages.success(request, _("Check-in of %(name)s refused.") % {"name": checkin.member.name})
        else:
            raise Http404(_("No such page."))
    except WorkflowError as error:
        messages.error(request, error.message)
    return redirect("console:party-checkins")


class YearForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2099, required=False)


@party_view
def compliance(request):
    user = request.user
    today = timezone.localdate()
    form = YearForm(request.GET)
    year = (form.cleaned_data.get("year") if form.is_valid() else None) or today.year
    progress = compliance_for_user(user=user, year=year, today=today)
    employers = compliance_by_employer(progress)
    # Every member below the rule is listed, by employer; "behind" marks those the pace says are late.
    return _page(request, "console/party/compliance.html", {
        "form": form,
        "year": year,
        "years": [today.year - 1, today.year],
        "past": year < today.year,
        "future": year > today.year,
        "required": required_per_year(),
        "expected": expected_by(today, year),
        "members": len(progress),
        "met": sum(1 for row in progress if row.met),
        "short_count": sum(1 for row in progress if not row.met),
        "behind_count": sum(1 for row in progress if row.behind),
        "employers": employers,
        "short_employers": [summary for summary in employers if summary.short],
    })


class MeetingFilterForm(forms.Form):
    body = forms.ChoiceField(label=gettext_lazy("Body"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = [("", _("every body")), *Meeting.Body.choices]
        self.fields["body"].widget.attrs["class"] = "filter"


class GridSelect(forms.Select):
    """A grid's option names its community, so the page lists only the chosen community's grids."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        grid = getattr(value, "instance", None)
        if grid is not None:
            option["attrs"]["data-community"] = grid.community_id
        return option


class MeetingForm(forms.Form):
    """A meeting as the command centre records it. The service's rules (held by today, a
    community, the grid in it, a title and topics) are asked here too, so a page sent back
    shows every message at once, each on its field."""

    date = forms.DateField(label=gettext_lazy("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    body = forms.ChoiceField(label=gettext_lazy("Body"), required=False)
    community = forms.ModelChoiceField(label=gettext_lazy("Community"), queryset=Community.objects.order_by("name"), required=False, empty_label="—")
    grid = forms.ModelChoiceField(
        label=gettext_lazy("Grid"), queryset=Grid.objects.none(), required=False, widget=GridSelect, empty_label="—",
        help_text=gettext_lazy("Optional: when the meeting was held for one grid. The chosen community's grids are listed."),
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False)
    attendees = forms.ModelMultipleChoiceField(label=gettext_lazy("Members attending"), queryset=PartyMember.objects.none(), required=False)
    other_attendees = forms.CharField(
        label=gettext_lazy("Others attending"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Residents, council members and guests who are not party members."),
    )
    topics = forms.CharField(label=gettext_lazy("Topics"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    decisions = forms.CharField(label=gettext_lazy("Decisions"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()
        self.fields["date"].widget.attrs["max"] = self.today.isoformat()
        self.fields["body"].choices = [("", "—"), *Meeting.Body.choices]
        self.fields["grid"].queryset = Grid.objects.select_related("community").order_by("code")
        self.fields["grid"].label_from_instance = lambda grid: f"{grid.name} ({grid.community.name})"
        self.fields["attendees"].queryset = members_filter(members_visible_to(user)).order_by(
            "grid__community__name", "branch__name", "name", "pk"
        )

    def clean(self):
        values = super().clean()
        errors = services.meeting_errors(
            body=values.get("body"), community=values.get("community"), grid=values.get("grid"), day=values.get("date"),
            title=values.get("title"), topics=values.get("topics"), today=self.today,
        )
        for name, message in errors.items():
            if name not in self.errors:
                self.add_error(name, message)
        return values

    def attendee_groups(self) -> list[tuple[str, str, list[tuple[PartyMember, bool]]]]:
        """The members to tick, by branch (those of none by their grid), each with whether it is
        ticked: (group's name, its community, [(member, ticked)])."""
        ticked = {str(value) for value in (self["attendees"].value() or [])}
        groups: dict[tuple, list] = {}
        for member in self.fields["attendees"].queryset:
            if member.branch_id:
                key = (member.grid.community.name, member.branch.name)
            else:
                key = (member.grid.community.name, _("%(grid)s, no branch") % {"grid": member.grid.name})
            groups.setdefault(key, []).append((member, str(member.pk) in ticked))
        return [(name, community, rows) for (community, name), rows in groups.items()]


@party_view
def meeting_new(request):
    """The command centre records a meeting of the party organisation or one of the councils."""
    user = request.user
    if not may_manage(user):
        raise PermissionDenied
    form = MeetingForm(request.POST or None, user=user, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            made = services.meeting_record(
                actor=user, body=values["body"], community=values["community"], grid=values["grid"], day=values["date"],
                title=values["title"], topics=values["topics"], decisions=values["decisions"], attendees=values["attendees"],
                other_attendees=values["other_attendees"],
            )
        except WorkflowError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("Meeting %(title)s recorded.") % {"title": made.title})
            return redirect("console:party-meeting", meeting_id=made.pk)
    return _page(request, "console/party/meeting_new.html", {"form": form}, status=400 if form.errors else 200)


@party_view
def meetings(request):
    form = MeetingFilterForm(request.GET)
    found = meetings_visible_to(request.user).prefetch_related("follow_ups")
    if form.is_valid() and form.cleaned_data["body"]:
        found = found.filter(body=form.cleaned_data["body"])
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return _page(request, "console/party/meetings.html", {"form": form, "page": page, "query": query.urlencode()})


class OpenCaseForm(forms.Form):
    """A follow-up's problem as a case: its category and where it is (the grid's centre, or one
    of the grid's compounds)."""

    category = forms.ModelChoiceField(label=gettext_lazy("Category"), queryset=Category.objects.none())
    place = forms.ChoiceField(label=gettext_lazy("Position"))
    description = forms.CharField(label=gettext_lazy("Description"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, grid: Grid, **kwargs):
        super().__init__(*args, **kwargs)
        self.grid = grid
        self.fields["category"].queryset = Category.objects.filter(parent__isnull=False, active=True).select_related("parent").order_by("code")
        self.fields["category"].label_from_instance = lambda category: f"{category.code} {category.name}"
        self.compounds = {str(compound.pk): compound for compound in Compound.objects.filter(grid=grid).order_by("name")}
        self.fields["place"].choices = [("centre", _("the grid's centre")), *((pk, c.name) for pk, c in self.compounds.items())]
        self.fields["place"].initial = "centre"

    def position(self) -> tuple[float, float]:
        place = self.cleaned_data["place"]
        if place in self.compounds:
            return self.compounds[place].latitude, self.compounds[place].longitude
        centre = shape(self.grid.boundary).representative_point()
        return centre.y, centre.x

    def address(self) -> str:
        """The compound's name as the case's address; for the grid's centre the service names the grid."""
        compound = self.compounds.get(self.cleaned_data["place"])
        return f"{self.grid.community.name} {compound.name}" if compound else ""


def follow_up_owners():
    """The people a follow-up may be given to: the command centre's staff, the grid workers and
    the departments' members, active; not the administrators' accounts."""
    order = Case(When(role=Role.DISPATCHER, then=0), When(role=Role.WORKER, then=1), default=2)
    return (
        get_user_model().objects.filter(is_active=True, is_superuser=False, role__in=[Role.DISPATCHER, Role.WORKER, Role.DEPARTMENT])
        .select_related("department").order_by(order, "department__name", "first_name", "username")
    )


class FollowUpForm(forms.Form):
    """A follow-up of the meeting: what, whose (an account, or a name for someone without one),
    by when, and the grid when it is a problem there (so it may open a case)."""

    what = forms.CharField(label=gettext_lazy("What"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(label=gettext_lazy("Owner"), queryset=get_user_model().objects.none(), required=False)
    owner_name = forms.CharField(label=gettext_lazy("Or the owner's name"), required=False, max_length=100)
    due_on = forms.DateField(label=gettext_lazy("Due on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    grid = forms.ModelChoiceField(label=gettext_lazy("Grid"), queryset=Grid.objects.none(), required=False, help_text=gettext_lazy("When it is a problem in a grid."))

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners = follow_up_owners()
        # Grouped so a name is found where one looks for it: the command centre, the grid
        # workers, then each department's members.
        groups: dict[str, list] = {}
        for owner in owners:
            if owner.role == Role.DEPARTMENT:
                group = owner.department.name if owner.department_id else _("Departments")
            else:
                group = owner.get_role_display()
            groups.setdefault(group, []).append((owner.pk, owner.display_name))
        self.fields["owner"].choices = [("", "—"), *groups.items()]
        self.fields["grid"].queryset = Grid.objects.filter(community=meeting.community_id).order_by("code")
        self.fields["grid"].label_from_instance = lambda grid: grid.name


class FollowUpDoneForm(forms.Form):
    done_on = forms.DateField(label=gettext_lazy("Done on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def _meeting_page(
    request, meeting, *, posted: tuple[int, forms.Form] | None = None, follow_up_form: FollowUpForm | None = None, status: int = 200,
):
    """The meeting with its follow-ups; for the command centre, a form to add one and, on each,
    one to mark it done and (a problem in a grid) one to open a case. `posted` is the one
    follow-up form sent back with its messages."""
    manages = may_manage(request.user)
    today = timezone.localdate()
    rows = []
    for follow_up in meeting.follow_ups.all():
        case_form = done_form = None
        if manages and follow_up.grid_id and not follow_up.incident_id:
            case_form = OpenCaseForm(grid=follow_up.grid, prefix=f"f{follow_up.pk}")
        if manages and not follow_up.done_on:
            done_form = FollowUpDoneForm(prefix=f"d{follow_up.pk}", initial={"done_on": today})
        if posted and posted[0] == follow_up.pk:
            if isinstance(posted[1], OpenCaseForm):
                case_form = posted[1]
            else:
                done_form = posted[1]
        rows.append({"follow_up": follow_up, "form": case_form, "done_form": done_form})
    if manages and follow_up_form is None:
        follow_up_form = FollowUpForm(meeting=meeting, initial={"due_on": today + timedelta(days=14), "grid": meeting.grid_id})
    return _page(request, "console/party/meeting.html", {
        "meeting": meeting, "rows": rows, "today": today, "follow_up_form": follow_up_form,
    }, status=status)


@party_view
def meeting(request, meeting_id: int):
    return _meeting_page(request, meeting_get_for_user(user=request.user, meeting_id=meeting_id))


@party_view
@require_POST
def follow_up_case(request, meeting_id: int, follow_up_id: int):
    """Open a case for one of the meeting's follow-ups; a second opening shows the first case."""
    shown = _managed_meeting(request, meeting_id)
    follow_up = next((row for row in shown.follow_ups.all() if row.pk == follow_up_id), None)
    if follow_up is None:
        raise Http404(_("No such follow-up."))
    if follow_up.grid_id is None:
        messages.error(request, _("Only a follow-up in a grid opens a case."))
        return redirect("console:party-meeting", meeting_id=shown.pk)
    form = OpenCaseForm(request.POST, grid=follow_up.grid, prefix=f"f{follow_up.pk}")
    if form.is_valid():
        latitude, longitude = form.position()
        try:
            incident, created = services.follow_up_open_case(
                actor=request.user, follow_up_id=follow_up.pk, category=form.cleaned_data["category"],
                latitude=latitude, longitude=longitude, description=form.cleaned_data["description"], address=form.address(),
            )
        except WorkflowError as error:
            show_errors(form, error)
        else:
            if created:
                messages.success(request, _("Case %(code)s opened for the follow-up.") % {"code": incident.code})
            else:
                messages.info(request, _("This follow-up already opened case %(code)s.") % {"code": incident.code})
            return redirect(reverse("console:party-meeting", args=[shown.pk]) + f"#follow-up-{follow_up.pk}")
    return _meeting_page(request, shown, posted=(follow_up.pk, form), status=400)


def _managed_meeting(request, meeting_id: int) -> Meeting:
    """The meeting, for whoever manages the party's records: a 404 for a meeting one may not
    see, a 403 for one only read."""
    shown = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    if not may_manage(request.user):
        raise PermissionDenied
    return shown


@party_view
@require_POST
def follow_up_add(request, meeting_id: int):
    """Add a follow-up to the meeting."""
    shown = _managed_meeting(request, meeting_id)
    form = FollowUpForm(request.POST, meeting=shown)
    if form.is_valid():
        values = form.cleaned_data
        try:
            follow_up = services.follow_up_add(
                actor=request.user, meeting=shown, what=values["what"], due_on=values["due_on"], owner=values["owner"],
                owner_name=values["owner_name"], grid=values["grid"],
            )
        except WorkflowError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("Follow-up added."))
            return redirect(reverse("console:party-meeting", args=[shown.pk]) + f"#follow-up-{follow_up.pk}")
    return _meeting_page(request, shown, follow_up_form=form, status=400)


@party_view
@require_POST
def follow_up_done(request, meeting_id: int, follow_up_id: int):
    """Mark one of the meeting's follow-ups done on a day."""
    shown = _managed_meeting(request, meeting_id)
    follow_up = next((row for row in shown.follow_ups.all() if row.pk == follow_up_id), None)
    if follow_up is None:
        raise Http404(_("No such follow-up."))
    form = FollowUpDoneForm(request.POST, prefix=f"d{follow_up.pk}")
    if form.is_valid():
        try:
            services.follow_up_done(actor=request.user, follow_up_id=follow_up.pk, done_on=form.cleaned_data["done_on"])
        except WorkflowError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("Follow-up marked done."))
            return redirect(reverse("console:party-meeting", args=[shown.pk]) + f"#follow-up-{follow_up.pk}")
    return _meeting_page(request, shown, posted=(follow_up.pk, form), status=400)
