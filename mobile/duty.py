"""A grid worker's emergency duty on the phone (/m/duty/): their next shifts, check-in and
check-out with the phone's position, and asking for a swap: handing a shift to a colleague, or
exchanging it for one of theirs (chosen on a second page, the colleague's shifts to take back).

The position is read by static/mobile/duty.js before the form is sent; a phone that refuses it
(or a page without JavaScript) sends none, and the shift records "position not available".
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from emergency import services
from emergency.selectors import colleagues, exchangeable_shifts, my_shifts, shifts_visible_to
from incidents.errors import WorkflowError

from .views import mobile_view


def _worker_only(request) -> None:
    if request.user.role != Role.WORKER:
        raise Http404


def _number(value: str):
    """A float from the form, None when empty or not a number (the service then records no position)."""
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


@mobile_view
def duty(request):
    _worker_only(request)
    shifts = my_shifts(user=request.user, now=timezone.now())
    choices = {shift.pk: colleagues(shift=shift) for shift in shifts if shift.state == "upcoming" and not shift.pending_swaps}
    for shift in shifts:
        shift.colleagues = choices.get(shift.pk, [])
    return render(request, "mobile/duty/duty.html", {"section": "duty", "shifts": shifts})


def _own_shift(request, shift_id: int):
    shift = shifts_visible_to(request.user).filter(pk=shift_id, person__user=request.user).first()
    if shift is None:
        raise Http404
    return shift


@mobile_view
@require_POST
def check(request, shift_id: int, direction: str):
    """Check in or out; sent twice (a double tap, a retry on a poor signal), the second changes nothing."""
    _worker_only(request)
    shift = _own_shift(request, shift_id)
    service = {"in": services.shift_check_in, "out": services.shift_check_out}.get(direction)
    if service is None:
        raise Http404
    latitude, longitude = _number(request.POST.get("lat")), _number(request.POST.get("lng"))
    if latitude is None or longitude is None:
        latitude = longitude = None
    try:
        shift, changed = service(actor=request.user, shift_id=shift.pk, latitude=latitude, longitude=longitude, accuracy=_number(request.POST.get("accuracy")))
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        if not changed:
            messages.info(request, _("Already recorded."))
        elif direction == "in":
            messages.success(request, _("Checked in at %(checkpoint)s.") % {"checkpoint": shift.checkpoint.name} if latitude is not None
                             else _("Checked in at %(checkpoint)s; position not available.") % {"checkpoint": shift.checkpoint.name})
        else:
            messages.success(request, _("Checked out.") if latitude is not None else _("Checked out; position not available."))
    return redirect("mobile:duty")


@mobile_view
@require_POST
def swap(request, shift_id: int):
    """Ask to hand the shift over; or, with `mode=exchange`, go on to choose which of the
    colleague's shifts to take back; with `other_shift`, ask for that exchange."""
    _worker_only(request)
    shift = _own_shift(request, shift_id)
    to_person, other_shift = request.POST.get("to_person", ""), request.POST.get("other_shift", "")
    if not to_person.isdigit():
        messages.error(request, _("Choose who takes the shift."))
        return redirect("mobile:duty")
    if request.POST.get("mode") == "exchange" and not other_shift:
        url = reverse("mobile:duty-exchange", kwargs={"shift_id": shift.pk, "person_id": int(to_person)})
        reason = request.POST.get("reason", "").strip()[:200]
        return redirect(f"{url}?{urlencode({'reason': reason})}" if reason else url)
    if other_shift and not other_shift.isdigit():
        messages.error(request, _("Choose the shift to take back."))
        return redirect("mobile:duty")
    try:
        services.swap_ask(
            actor=request.user, shift_id=shift.pk, to_person_id=int(to_person), other_shift_id=int(other_shift) if other_shift else None,
            reason=request.POST.get("reason", ""),
        )
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Exchange asked: the command centre decides.") if other_shift else _("Swap asked: the command centre decides."))
    return redirect("mobile:duty")


@mobile_view
def exchange(request, shift_id: int, person_id: int):
    """The colleague's shifts to choose from, to exchange one for this shift."""
    _worker_only(request)
    shift = _own_shift(request, shift_id)
    colleague = next((person for person in colleagues(shift=shift) if person.pk == person_id), None)
    if colleague is None:
        raise Http404
    return render(request, "mobile/duty/exchange.html", {
        "section": "duty", "shift": shift, "colleague": colleague, "reason": request.GET.get("reason", "")[:200],
        "their_shifts": exchangeable_shifts(person=colleague, now=timezone.now()),
    })
