"""The grid worker's party page on the phone (/m/party/): the check-ins at their grids waiting
for them to confirm or refuse, a form to record a check-in for a member of their grids, and their
grids' members with a number to tap and call (each number shown is recorded).

Reads through party.selectors, writes through party.services. The forms go through the phone's
outbox (static/mobile/queued-form.js), answered in JSON (mobile/queued.py); without the script a
refusal is shown at the top of the record form, which the page opens at.
"""

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.services import personal_data_views_record
from incidents.errors import InvalidInput, WorkflowError
from party import services
from party.forms import CheckInForm, RefuseForm, show_errors
from party.selectors import checkin_get_for_user, checkins_visible_to, checkins_waiting, members_filter, members_visible_to, phones_shown

from . import queued
from .views import mobile_view

RECENT_CHECKINS = 10
NOT_RECORDED = gettext_lazy("The check-in was not recorded: correct the fields marked below.")


def _worker_only(user) -> None:
    if user.role != Role.WORKER:
        raise Http404(_("No such page."))


def _page(request, form: CheckInForm, *, status: int = 200):
    user = request.user
    members = list(members_filter(members_visible_to(user)).order_by("grid__code", "kind", "name", "pk"))
    phones, unmasked = phones_shown(user, members)
    several_grids = len({member.grid_id for member in members}) > 1 or form.fields["grid"].queryset.count() > 1
    personal_data_views_record(viewer=user, records=unmasked, fields=["phone"], where=request.path)
    return render(request, "mobile/party/party.html", {
        "section": "party",
        "form": form,
        "waiting": checkins_waiting(user),
        "recent": checkins_visible_to(user).exclude(status="recorded").order_by("-decided_at", "-pk")[:RECENT_CHECKINS],
        "members": [{"member": member, "phone": phones[member.pk]} for member in members],
        "several_grids": several_grids,
        "today": timezone.localdate(),
    }, status=status)


@mobile_view
def party(request):
    user = request.user
    _worker_only(user)
    if request.method != "POST":
        return _page(request, CheckInForm.fresh(user=user))
    form = CheckInForm(request.POST, user=user)
    if form.is_valid():
        values = form.cleaned_data
        try:
            checkin, created = services.checkin_record(
                actor=user, member=values["member"], grid=values["grid"], day=values["date"], activity=values["activity"],
                hours=values["hours"], uuid=values["uuid"],
            )
        except WorkflowError as error:
            if queued.wants_json(request):
                return queued.refused(request, error, next_url=reverse("mobile:party"))
            show_errors(form, error)
        else:
            return queued.done(request, _recorded_message(checkin, created), next_url=_top(request), status=201 if created else 200)
    if queued.wants_json(request):
        return JsonResponse({"detail": str(NOT_RECORDED), **{name: [str(e) for e in errors] for name, errors in form.errors.items()}}, status=400)
    return _page(request, form, status=400)


def _top(request) -> str:
    """The page from its top: the record form's address ends in #record (so that a refusal opens
    at the form), which a redirect would otherwise keep."""
    return reverse("mobile:party") + ("" if queued.wants_json(request) else "#")


def _recorded_message(checkin, created: bool) -> str:
    if not created:
        return _("Already recorded.")
    if checkin.status == checkin.Status.CONFIRMED:
        return _("Check-in of %(name)s recorded and confirmed.") % {"name": checkin.member.name}
    return _("Check-in of %(name)s recorded.") % {"name": checkin.member.name}


@mobile_view
@require_POST
def decide(request, checkin_id: int, decision: str):
    user = request.user
    _worker_only(user)
    checkin = checkin_get_for_user(user=user, checkin_id=checkin_id)
    back = _top(request)
    try:
        if decision == "confirm":
            services.checkin_confirm(actor=user, checkin_id=checkin.pk)
            message = _("Check-in of %(name)s confirmed.") % {"name": checkin.member.name}
        elif decision == "refuse":
            form = RefuseForm(request.POST)
            if not form.is_valid():
                error = InvalidInput(form.errors["reason"][0], fields={"reason": form.errors["reason"][0]})
                return queued.refused(request, error, next_url=back)
            services.checkin_refuse(actor=user, checkin_id=checkin.pk, reason=form.cleaned_data["reason"])
            message = _("Check-in of %(name)s refused.") % {"name": checkin.member.name}
        else:
            raise Http404(_("No such page."))
    except WorkflowError as error:
        return queued.refused(request, error, next_url=back)
    return queued.done(request, message, next_url=back)
