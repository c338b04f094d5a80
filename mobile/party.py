"""The grid worker's party page on the phone (/m/party/): the check-ins at their grids waiting
for them to confirm or refuse, a form to record a check-in for a member of their grids, and their
grids' members with a number to tap and call (each number shown is recorded).

Reads through party.selectors, writes through party.services; a refusal is a form message.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.services import personal_data_views_record
from incidents.errors import WorkflowError
from party import services
from party.forms import CheckInForm, RefuseForm, show_errors
from party.selectors import checkin_get_for_user, checkins_visible_to, checkins_waiting, members_filter, members_visible_to, phones_shown

from .views import mobile_view

RECENT_CHECKINS = 10


def _worker_only(user) -> None:
    if user.role != Role.WORKER:
        raise Http404(_("No such page."))


def _page(request, form: CheckInForm, *, status: int = 200):
    user = request.user
    members = list(members_filter(members_visible_to(user)).order_by("grid__code", "kind", "name", "pk"))
    phones, unmasked = phones_shown(user, members)
    personal_data_views_record(viewer=user, records=unmasked, fields=["phone"], where=request.path)
    return render(request, "mobile/party/party.html", {
        "section": "party",
        "form": form,
        "waiting": checkins_waiting(user),
        "recent": checkins_visible_to(user).exclude(status="recorded").order_by("-decided_at", "-pk")[:RECENT_CHECKINS],
        "members": [{"member": member, "phone": phones[member.pk]} for member in members],
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
            show_errors(form, error)
        else:
            if created:
                messages.success(request, _("Check-in of %(name)s recorded.") % {"name": checkin.member.name})
            return redirect("mobile:party")
    return _page(request, form, status=400)


@mobile_view
@require_POST
def decide(request, checkin_id: int, decision: str):
    user = request.user
    _worker_only(user)
    checkin = checkin_get_for_user(user=user, checkin_id=checkin_id)
    try:
        if decision == "confirm":
            services.checkin_confirm(actor=user, checkin_id=checkin.pk)
            messages.success(request, _("Check-in of %(name)s confirmed.") % {"name": checkin.member.name})
        elif decision == "refuse":
            form = RefuseForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Say why the check-in is refused."))
                return redirect("mobile:party")
            services.checkin_refuse(actor=user, checkin_id=checkin.pk, reason=form.cleaned_data["reason"])
            messages.success(request, _("Check-in of %(name)s refused.") % {"name": checkin.member.name})
        else:
            raise Http404(_("No such page."))
    except WorkflowError as error:
        messages.error(request, error.message)
    return redirect("mobile:party")
