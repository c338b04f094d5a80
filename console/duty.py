"""The command centre's emergency duty pages (应急值守): campaigns, a campaign with its checkpoints
on the map, its people and shortfalls, the roster (checkpoints × days), swap requests to decide,
and printable rosters per checkpoint and per person.

The command centre (and administrators) manage; inspectors and officials read; department members
find nothing here (404). Reads through emergency.selectors, writes through emergency.services; a
service's refusal is shown as the form's message.
"""

from datetime import date, timedelta
from functools import wraps

from django import forms
from django.contrib import messages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts.models import Role, User
from accounts.privacy import phone_shown_to
from accounts.services import personal_data_views_record
from emergency import services
from emergency.models import Campaign, Checkpoint, DutyPerson, SwapRequest
from emergency.selectors import (
    attendance_problems,
    campaign_get_for_user,
    campaigns_with_counts,
    checkpoint_print_slots,
    contact_phone,
    free_people,
    may_manage,
    may_read_all,
    open_shortfalls,
    person_print_shifts,
    pool,
    rostered_days,
    roster_table,
    swaps_of,
)
from grids.geojson import grid_feature
from grids.models import Grid
from grids.widgets import map_settings_json
from volunteers.models import Team, Volunteer
from incidents.errors import WorkflowError
from incidents.selectors import incidents_visible_to

from .views import _frame, console_view

ROSTER_DAYS = 7


def duty_view(view):
    """A console page of emergency duty: readers of the whole town only; anyone else finds nothing."""

    @console_view
    @wraps(view)
    def checked(request, *args, **kwargs):
        if not may_read_all(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return checked


def _manager_only(request) -> None:
    if not may_manage(request.user):
        raise Http404


def _page(request, template: str, context: dict):
    now = timezone.now()
    return render(request, template, {**_frame(request, incidents_visible_to(request.user), now, "duty"), "may_manage": may_manage(request.user), **context})


def _refused(request, error: WorkflowError, form: forms.Form | None = None) -> None:
    messages.error(request, error.message)
    if form is not None:
        for name, message in error.fields.items():
            form.add_error(name if name in form.fields else None, str(message))


class CampaignForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Campaign.Kind.choices)
    started = forms.DateField(label=gettext_lazy("Started"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    shift_hours = forms.TypedChoiceField(
        label=gettext_lazy("Shift length (hours)"), coerce=int, initial=8, choices=[(n, n) for n in services.SHIFT_LENGTHS],
    )
    rest_hours = forms.IntegerField(label=gettext_lazy("Minimum rest between shifts (hours)"), initial=8, min_value=0, max_value=72)
    max_hours_per_day = forms.IntegerField(
        label=gettext_lazy("Maximum hours per day per person"), required=False, min_value=1, max_value=24,
        help_text=gettext_lazy("Empty for no maximum."),
    )
    all_workers = forms.BooleanField(label=gettext_lazy("All active grid workers"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_volunteer_fields(rows=4))

    def clean_others(self):
        return _lines(self.cleaned_data["others"])


class WorkerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return f"{user.display_name} · {user.username}"


class VolunteerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, volunteer):
        return f"{volunteer.name} · {volunteer.team.name}"


def _volunteer_fields(*, rows: int) -> dict[str, forms.Field]:
    """The volunteer teams, single volunteers and named others a pool takes, the same in both forms."""
    return {
        "teams": forms.ModelMultipleChoiceField(
            label=gettext_lazy("All active volunteers of the teams"), required=False, queryset=Team.objects.order_by("name"),
            widget=forms.SelectMultiple(attrs={"size": 6}),
            help_text=gettext_lazy("A volunteer who is also a grid worker stays one person."),
        ),
        "volunteers": VolunteerChoiceField(
            label=gettext_lazy("Single volunteers"), required=False,
            queryset=Volunteer.objects.filter(active=True).select_related("team", "user").order_by("team__name", "name", "pk"),
            widget=forms.SelectMultiple(attrs={"size": 6}),
        ),
        "others": forms.CharField(
            label=gettext_lazy("Others on duty"), required=False, widget=forms.Textarea(attrs={"rows": rows}),
            help_text=gettext_lazy("One a line: name, phone (helpers from outside the platform)."),
        ),
    }


def _lines(text: str) -> list[tuple[str, str]]:
    pairs = []
    for line in (text or "").splitlines():
        if line.strip():
            name, _sep, phone = line.replace("，", ",").partition(",")
            pairs.append((name.strip(), phone.strip()))
    return pairs


class CheckpointForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    latitude = forms.FloatField(label=gettext_lazy("Latitude"), min_value=-90, max_value=90)
    longitude = forms.FloatField(label=gettext_lazy("Longitude"), min_value=-180, max_value=180)
    grid = forms.ModelChoiceField(
        label=gettext_lazy("Grid"), queryset=Grid.objects.order_by("code"), required=False,
        empty_label=gettext_lazy("the grid of the position"),
    )
    round_the_clock = forms.BooleanField(label=gettext_lazy("Round the clock"), required=False, initial=True)
    daily_from = forms.TimeField(label=gettext_lazy("Daily from"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    daily_to = forms.TimeField(label=gettext_lazy("Daily to"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    first_day = forms.DateField(label=gettext_lazy("First day"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    last_day = forms.DateField(label=gettext_lazy("Last day"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    people_per_shift = forms.IntegerField(label=gettext_lazy("People per shift"), initial=2, min_value=1, max_value=20)


class PeopleForm(forms.Form):
    users = WorkerChoiceField(
        label=gettext_lazy("Grid workers"), required=False, queryset=User.objects.filter(role=Role.WORKER, is_active=True).order_by("username"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_volunteer_fields(rows=3))

    def clean_others(self):
        return _lines(self.cleaned_data["others"])


class RangeForm(forms.Form):
    first_day = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    last_day = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class EndForm(forms.Form):
    ended = forms.DateField(label=gettext_lazy("Ended on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class RosterDaysForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    days = forms.IntegerField(label=gettext_lazy("Days"), required=False, min_value=1, max_value=31, validators=[MinValueValidator(1), MaxValueValidator(31)])


@duty_view
def campaigns(request):
    """Every campaign, newest first; the command centre stands up a new one here."""
    form = CampaignForm(initial={"started": timezone.localdate()})
    return _page(request, "console/duty/campaigns.html", {"campaigns": list(campaigns_with_counts(request.user)), "form": form})


@duty_view
@require_POST
def campaign_new(request):
    _manager_only(request)
    form = CampaignForm(request.POST)
    if form.is_valid():
        values = form.cleaned_data
        try:
            campaign = services.campaign_create(
                actor=request.user, name=values["name"], kind=values["kind"], started=values["started"], shift_hours=values["shift_hours"],
                rest_hours=values["rest_hours"], max_hours_per_day=values["max_hours_per_day"], all_workers=values["all_workers"],
                teams=values["teams"], volunteers=values["volunteers"], others=values["others"],
            )
        except WorkflowError as error:
            _refused(request, error, form)
        else:
            messages.success(request, _("Campaign %(name)s stood up: now add its checkpoints on the map.") % {"name": campaign.name})
            return redirect("console:duty-campaign", campaign_id=campaign.pk)
    return _page(request, "console/duty/campaigns.html", {"campaigns": list(campaigns_with_counts(request.user)), "form": form})


def _map_data(campaign: Campaign, checkpoints) -> dict:
    grids = Grid.objects.select_related("community").order_by("code")
    return {
        "grids": {"type": "FeatureCollection", "features": [grid_feature(grid) for grid in grids]},
        "checkpoints": {"type": "FeatureCollection", "features": [
            {
                "type": "Feature", "id": checkpoint.pk,
                "geometry": {"type": "Point", "coordinates": [checkpoint.longitude, checkpoint.latitude]},
                "properties": {"name": checkpoint.name, "grid": checkpoint.grid.name, "people": checkpoint.people_per_shift, "closed": checkpoint.closed_at is not None},
            }
            for checkpoint in checkpoints
        ]},
    }


def _people_shown(request, people: list[DutyPerson]) -> list[DutyPerson]:
    """Each person's phone as the viewer may see it; the command centre's full view recorded."""
    shown = []
    for person in people:
        phone = contact_phone(person)
        person.phone_shown = phone_shown_to(request.user, phone) if phone else ""
        if phone and person.phone_shown == phone:
            shown.append(person)
    personal_data_views_record(viewer=request.user, records=shown, fields=["phone"], where=request.path)
    return people


def _with_free_people(campaign: Campaign, shortfalls, people: list[DutyPerson]) -> list:
    """Each shortfall with `free`: the available people who could fill it (not on it already,
    nowhere else then, rested)."""
    shortfalls = list(shortfalls)
    available = [person for person in people if person.available]
    free = free_people(campaign=campaign, people=available, windows={s.pk: (s.starts_at, s.ends_at, ()) for s in shortfalls})
    for shortfall in shortfalls:
        shortfall.free = free[shortfall.pk]
    return shortfalls


def _campaign_page(request, campaign: Campaign, **forms_given):
    now = timezone.now()
    today = timezone.localdate(now)
    checkpoints = list(campaign.checkpoints.select_related("grid").order_by("closed_at", "name", "pk"))
    first = max(campaign.started, today)
    people = _people_shown(request, pool(campaign))
    return _page(request, "console/duty/campaign.html", {
        "campaign": campaign,
        "checkpoints": checkpoints,
        "people": people,
        "shortfalls": _with_free_people(campaign, open_shortfalls(campaign), people),
        "end_form": forms_given.get("end_form") or EndForm(initial={"ended": today}),
        "attendance": attendance_problems(campaign=campaign, now=now),
        "pending_swaps": [swap for swap in swaps_of(campaign) if swap.status == SwapRequest.Status.PENDING],
        "runs": list(campaign.roster_runs.select_related("by")[:5]),
        "checkpoint_form": forms_given.get("checkpoint_form") or CheckpointForm(initial={"first_day": first, "last_day": campaign.ended or first + timedelta(days=13)}),
        "people_form": forms_given.get("people_form") or PeopleForm(),
        "range_form": forms_given.get("range_form") or RangeForm(initial={"first_day": first, "last_day": first + timedelta(days=6)}),
        "map_json": map_settings_json(),
        "map_data": _map_data(campaign, checkpoints),
        "active_people": sum(1 for person in campaign.people.all() if person.available),
    })


@duty_view
def campaign(request, campaign_id: int):
    return _campaign_page(request, campaign_get_for_user(user=request.user, campaign_id=campaign_id))


@duty_view
@require_POST
def checkpoint_add(request, campaign_id: int):
    _manager_only(request)
    campaign = campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    form = CheckpointForm(request.POST)
    if form.is_valid():
        values = form.cleaned_data
        try:
            checkpoint = services.checkpoint_add(
                actor=request.user, campaign_id=campaign.pk, name=values["name"], latitude=values["latitude"], longitude=values["longitude"],
                grid=values["grid"], round_the_clock=values["round_the_clock"], daily_from=values["daily_from"], daily_to=values["daily_to"],
                first_day=values["first_day"], last_day=values["last_day"], people_per_shift=values["people_per_shift"],
            )
        except WorkflowError as error:
            _refused(request, error, form)
        else:
            messages.success(request, _("Checkpoint %(name)s added.") % {"name": checkpoint.name})
            return redirect("console:duty-campaign", campaign_id=campaign.pk)
    else:
        messages.error(request, _("The checkpoint was not added: see the form."))
    return _campaign_page(request, campaign, checkpoint_form=form)


def _checkpoint_values(form: "CheckpointForm") -> dict:
    values = form.cleaned_data
    return {name: values[name] for name in (
        "name", "latitude", "longitude", "grid", "round_the_clock", "daily_from", "daily_to", "first_day", "last_day", "people_per_shift",
    )}


@duty_view
def checkpoint_edit(request, campaign_id: int, checkpoint_id: int):
    """Change a checkpoint (name, position on the map, hours, dates, people per shift), or close it."""
    _manager_only(request)
    campaign = campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    checkpoint = get_object_or_404(Checkpoint.objects.select_related("grid"), pk=checkpoint_id, campaign=campaign)
    if request.method == "POST":
        form = CheckpointForm(request.POST)
        if form.is_valid():
            values = _checkpoint_values(form)
            if values["first_day"] is None or values["last_day"] is None:
                form.add_error("first_day" if values["first_day"] is None else "last_day", _("This field is required."))
            else:
                try:
                    services.checkpoint_update(actor=request.user, checkpoint_id=checkpoint.pk, **values)
                except WorkflowError as error:
                    _refused(request, error, form)
                else:
                    messages.success(request, _("Checkpoint %(name)s changed: generate the roster again for the shifts to follow.") % {"name": values["name"]})
                    return redirect("console:duty-campaign", campaign_id=campaign.pk)
    else:
        form = CheckpointForm(initial={name: getattr(checkpoint, name) for name in (
            "name", "latitude", "longitude", "grid", "round_the_clock", "daily_from", "daily_to", "first_day", "last_day", "people_per_shift",
        )})
    return _page(request, "console/duty/checkpoint.html", {
        "campaign": campaign, "checkpoint": checkpoint, "form": form, "map_json": map_settings_json(), "map_data": _map_data(campaign, [checkpoint]),
    })


@duty_view
@require_POST
def checkpoint_close(request, campaign_id: int, checkpoint_id: int):
    _manager_only(request)
    campaign = campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    checkpoint = get_object_or_404(Checkpoint, pk=checkpoint_id, campaign=campaign)
    try:
        checkpoint, removed = services.checkpoint_close(actor=request.user, checkpoint_id=checkpoint.pk)
    except WorkflowError as error:
        _refused(request, error)
    else:
        messages.success(request, ngettext(
            "Checkpoint %(name)s is closed; %(count)s shift still to come was removed.",
            "Checkpoint %(name)s is closed; %(count)s shifts still to come were removed.", removed,
        ) % {"name": checkpoint.name, "count": removed})
    return redirect("console:duty-campaign", campaign_id=campaign.pk)


@duty_view
@require_POST
def campaign_end(request, campaign_id: int):
    _manager_only(request)
    campaign = campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            campaign, removed = services.campaign_end(actor=request.user, campaign_id=campaign.pk, ended=form.cleaned_data["ended"])
        except WorkflowError as error:
            _refused(request, error, form)
        else:
            messages.success(request, ngettext(
                "%(name)s has ended; %(count)s shift still to come was removed.",
                "%(name)s has ended; %(count)s shifts still to come were removed.", removed,
            ) % {"name": campaign.name, "count": removed})
            return redirect("console:duty-campaign", campaign_id=campaign.pk)
    else:
        messages.error(request, _("The campaign was not ended: see the form."))
    return _campaign_page(request, campaign, end_form=form)


@duty_view
@require_POST
def people_add(request, campaign_id: int):
    _manager_only(request)
    campaign = campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    form = PeopleForm(request.POST)
    if form.is_valid():
        try:
            values = form.cleaned_data
            added = services.people_add(
                actor=request.user, campaign_id=campaign.pk, users=values["users"], teams=values["teams"], volunteers=values["volunteers"],
                others=values["others"],
            )
        except WorkflowError as error:
            _refused(request, error, form)
        else:
            messages.success(request, _("%(count)s added to the people on duty.") % {"count": len(added)})
            return redirect("console:duty-campaign", campaign_id=campaign.pk)
    return _campaign_page(request, campaign, people_form=form)


@duty_view
@require_POST
def person_available(request, campaign_id: int, person_id: int):
    _manager_only(request)
    campaign = campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    person = get_object_or_404(DutyPerson, pk=person_id, campaign=campaign)
    services.person_set_available(actor=request.user, person_id=person.pk, available=request.POST.get("available") == "1")
    return redirect(reverse("console:duty-campaign", kwargs={"campaign_id": campaign.pk}) + "#people")


@duty_view
@require_POST
def roster_generate(request, campaign_id: int):
    _manager_only(request)
    campaign = campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    form = RangeForm(request.POST)
    if form.is_valid():
        try:
            run = services.roster_generate(
                actor=request.user, campaign_id=campaign.pk, first_day=form.cleaned_data["first_day"], last_day=form.cleaned_data["last_day"],
            )
        except WorkflowError as error:
            _refused(request, error, form)
        else:
            shortfalls = list(run.shortfalls.all())
            if shortfalls:
                # Places are person-shifts (人次): one person missing from three shifts is three.
                messages.warning(request, _(
                    "Roster generated: %(created)s shifts. %(slots)s shifts are short, %(missing)s places unfilled in all: see the shortfalls below."
                ) % {"created": run.shifts_created, "slots": len(shortfalls), "missing": sum(s.missing for s in shortfalls)})
            else:
                messages.success(request, _("Roster generated: %(created)s shifts, every checkpoint staffed.") % {"created": run.shifts_created})
            return redirect(reverse("console:duty-roster", kwargs={"campaign_id": campaign.pk}) + f"?start={run.first_day.isoformat()}")
    return _campaign_page(request, campaign, range_form=form)


@duty_view
@require_POST
def shortfall_fill(request, campaign_id: int, shortfall_id: int):
    """Put someone on a slot left short, by hand."""
    _manager_only(request)
    campaign = campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    shortfall = next((s for s in open_shortfalls(campaign) if s.pk == shortfall_id), None)
    if shortfall is None:
        raise Http404
    person_id = request.POST.get("person", "")
    if not person_id.isdigit():
        messages.error(request, _("Choose who fills the shift."))
    else:
        try:
            services.shift_add(actor=request.user, checkpoint_id=shortfall.checkpoint_id, person_id=int(person_id), starts_at=shortfall.starts_at)
        except WorkflowError as error:
            _refused(request, error)
        else:
            messages.success(request, _("Shift added."))
    back = "console:duty-roster" if request.POST.get("back") == "roster" else "console:duty-campaign"
    return redirect(reverse(back, kwargs={"campaign_id": campaign.pk}) + "#shortfalls")


def roster_start(campaign: Campaign, today: date) -> date:
    """Where the roster opens: today while the campaign runs, its first day once it has ended."""
    if not campaign.active or (campaign.ended and campaign.ended < today):
        return campaign.started
    return max(campaign.started, today)


def _cell_notes(campaign: Campaign, days, rows) -> None:
    """Why an empty cell is empty: the campaign had ended, the checkpoint was not staffed that
    day (or closed), or no roster was generated for the day."""
    rostered = rostered_days(campaign)
    for row in rows:
        checkpoint = row.checkpoint
        closed_on = timezone.localdate(checkpoint.closed_at) if checkpoint.closed_at else None
        for day, cell in zip(days, row.cells):
            if campaign.ended and day > campaign.ended:
                cell.note = _("after the campaign")
            elif closed_on and day > closed_on:
                cell.note = _("checkpoint closed")
            elif not checkpoint.first_day <= day <= checkpoint.last_day:
                cell.note = _("not staffed")
            elif day not in rostered:
                cell.note = _("not rostered yet")
            else:
                cell.note = ""


@duty_view
def roster(request, campaign_id: int):
    """Checkpoints × days: each shift's people and check-in state, the slots left short in time
    order among them; the open shortfalls to fill and the swaps, with pickers that offer only
    the people free for the slot."""
    campaign = campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    now = timezone.now()
    form = RosterDaysForm(request.GET)
    values = form.cleaned_data if form.is_valid() else {}
    start = values.get("start") or roster_start(campaign, timezone.localdate(now))
    days_shown = values.get("days") or ROSTER_DAYS
    days, rows = roster_table(campaign=campaign, first_day=start, last_day=start + timedelta(days=days_shown - 1), now=now)
    _cell_notes(campaign, days, rows)
    people = list(campaign.people.filter(available=True).order_by("name", "pk"))
    upcoming = []
    for row in rows:
        for cell in row.cells:
            for shift in cell.shifts:
                shift.checkpoint = row.checkpoint
                if shift.state == "upcoming":
                    upcoming.append(shift)
    free = free_people(campaign=campaign, people=people, windows={shift.pk: (shift.starts_at, shift.ends_at, (shift.pk,)) for shift in upcoming})
    for shift in upcoming:
        shift.free_ids = ",".join(str(person.pk) for person in free[shift.pk] if person.pk != shift.person_id)
    base = reverse("console:duty-roster", kwargs={"campaign_id": campaign.pk})
    return _page(request, "console/duty/roster.html", {
        "campaign": campaign, "form": form, "days": days, "rows": rows, "people": people, "upcoming": upcoming,
        "shortfalls": _with_free_people(campaign, open_shortfalls(campaign), people),
        "swaps": list(swaps_of(campaign)[:50]),
        "previous_url": f"{base}?start={(start - timedelta(days=days_shown)).isoformat()}&days={days_shown}",
        "next_url": f"{base}?start={(start + timedelta(days=days_shown)).isoformat()}&days={days_shown}",
    })


@duty_view
@require_POST
def swap_ask(request, campaign_id: int):
    """The command centre hands a shift to someone else (or exchanges two), pending its own approval."""
    _manager_only(request)
    campaign = campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    shift_id, to_person = request.POST.get("shift", ""), request.POST.get("to_person", "")
    other = request.POST.get("other_shift", "")
    if not (shift_id.isdigit() and to_person.isdigit()) or (other and not other.isdigit()):
        messages.error(request, _("Choose the shift and the person to hand it to."))
    else:
        try:
            services.swap_ask(
                actor=request.user, shift_id=int(shift_id), to_person_id=int(to_person), other_shift_id=int(other) if other else None,
                reason=request.POST.get("reason", ""),
            )
        except WorkflowError as error:
            _refused(request, error)
        else:
            messages.success(request, _("Swap asked: approve it below."))
    return redirect(reverse("console:duty-roster", kwargs={"campaign_id": campaign.pk}) + "#swaps")


@duty_view
@require_POST
def swap_decide(request, campaign_id: int, swap_id: int, decision: str):
    _manager_only(request)
    campaign = campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    swap = swaps_of(campaign).filter(pk=swap_id).first()
    if swap is None or decision not in ("approve", "refuse"):
        raise Http404
    try:
        services.swap_decide(actor=request.user, swap_id=swap.pk, approve=decision == "approve", note=request.POST.get("note", ""))
    except WorkflowError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Swap approved.") if decision == "approve" else _("Swap refused."))
    back = "console:duty-campaign" if request.POST.get("back") == "campaign" else "console:duty-roster"
    return redirect(reverse(back, kwargs={"campaign_id": campaign.pk}) + "#swaps")


@duty_view
def print_checkpoint(request, campaign_id: int, checkpoint_id: int):
    """The sheet for the post: every slot with its people and their phones (in full for the
    command centre, whose print it is; each full sight recorded), the places left unfilled
    marked, and the days not rostered yet named."""
    campaign = campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    checkpoint = get_object_or_404(Checkpoint.objects.select_related("grid", "campaign"), pk=checkpoint_id, campaign=campaign)
    by_day, not_rostered = checkpoint_print_slots(checkpoint)
    shifts = [shift for _day, slots in by_day for slot in slots for shift in slot.shifts]
    people = {shift.person.pk: shift.person for shift in shifts}
    _people_shown(request, list(people.values()))
    for shift in shifts:
        shift.person = people[shift.person.pk]
    return _page(request, "console/duty/print.html", {
        "campaign": campaign, "title": checkpoint.name, "subtitle": checkpoint.grid.name, "slots_by_day": by_day, "per": "checkpoint",
        "not_rostered": _day_ranges(not_rostered), "checkpoint": checkpoint,
    })


def _day_ranges(days: list) -> list[tuple]:
    """Consecutive days as (first, last) ranges."""
    ranges = []
    for day in days:
        if ranges and (day - ranges[-1][1]).days == 1:
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


@duty_view
def print_person(request, campaign_id: int, person_id: int):
    campaign = campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    person = get_object_or_404(DutyPerson, pk=person_id, campaign=campaign)
    return _page(request, "console/duty/print.html", {
        "campaign": campaign, "title": person.name, "subtitle": "", "by_day": person_print_shifts(person), "per": "person",
    })
