"""A grid worker's emergency duty on the phone (/m/duty/): their next shifts, check-in and
check-out with the phone's position, and asking for a swap: handing a shift to a colleague, or
exchanging it for one of theirs (chosen on a second page, the colleague's shifts to take back).

The check-in and check-out forms go through the phone's outbox (static/mobile/queued-form.js):
kept with no signal, they carry the phone's time and are recorded when they were made. The
position is read by static/mobile/duty.js before the form is kept; a phone that refuses it (or a
page without JavaScript) sends none, and the shift records "position not available". A check-out
before the shift's end asks first, saying how early (the server refuses it unconfirmed).
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

from . import queued
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
    now = timezone.now()
    shifts = my_shifts(user=request.user, now=now)
    for shift in shifts:
        shift.colleagues = colleagues(shift=shift, now=now) if shift.state == "upcoming" and not shift.pending_swaps else []
        shift.may_exchange = any(person.tradeable for person in shift.colleagues)
        shift.early_by = services.duration_text(shift.minutes_left_early) if shift.state == "left_early" else ""
    return render(request, "mobile/duty/duty.html", {"section": "duty", "shifts": shifts})


def _own_shift(request, shift_id: int):
    shift = shifts_visible_to(request.user).filter(pk=shift_id, person__user=request.user).first()
    if shift is None:
        raise Http404
    return shift


@mobile_view
@require_POST
def check(request, shift_id: int, direction: str):
    """Check in or out, at the phone's time if it was kept with no signal; sent twice (a double
    tap, a retry on a poor signal), the second changes nothing. Answers JSON to the outbox."""
    _worker_only(request)
    shift = _own_shift(request, shift_id)
    service = {"in": services.shift_check_in, "out": services.shift_check_out}.get(direction)
    if service is None:
        raise Http404
    latitude, longitude = _number(request.POST.get("lat")), _number(request.POST.get("lng"))
    if latitude is None or longitude is None:
        latitude = longitude = None
    extra = {"early": request.POST.get("early") == "1"} if direction == "out" else {}
    back = reverse("mobile:duty")
    try:
        shift, changed = service(
            actor=request.user, shift_id=shift.pk, latitude=latitude, longitude=longitude, accuracy=_number(request.POST.get("accuracy")),
            at=queued.phone_time(request), **extra,
        )
    except WorkflowError as error:
        return queued.refused(request, error, next_url=back)
    return queued.done(request, _check_message(shift, direction, changed=changed, located=latitude is not None), next_url=back)


def _check_message(shift, direction: str, *, changed: bool, located: bool) -> str:
    if not changed:
        return _("Already recorded.")
    values = {"checkpoint": shift.checkpoint.name}
    if direction == "in":
        values["time"] = f"{timezone.localtime(shift.checked_in_at):%H:%M}"
        return (_("Checked in at %(checkpoint)s at %(time)s.") if located else _("Checked in at %(checkpoint)s at %(time)s; position not available.")) % values
    values["time"] = f"{timezone.localtime(shift.checked_out_at):%H:%M}"
    if shift.minutes_left_early:
        values["early"] = services.duration_text(shift.minutes_left_early)
        return (_("Checked out at %(time)s, %(early)s before the shift's end.") if located
                else _("Checked out at %(time)s, %(early)s before the shift's end; position not available.")) % values
    return (_("Checked out at %(time)s.") if located else _("Checked out at %(time)s; position not available.")) % values


@mobile_view
@require_POST
def swap(request, shift_id: int):
    """Ask to hand the shift over; or, with `mode=exchange`, go on to choose which of the
    colleague's shifts to take back; with `other_shift`, ask for that exchange."""
    _worker_only(request)
    shift = _own_shift(request, shift_id)
    to_person, other_shift = request.POST.get("to_person", ""), request.POST.get("other_shift", "")
    if not to_person.isdigit():
        messages.error(request, _("Choose the colleague who takes the shift."))
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
    now = timezone.now()
    colleague = next((person for person in colleagues(shift=shift, now=now) if person.pk == person_id), None)
    if colleague is None:
        raise Http404
    their_shifts = exchangeable_shifts(shift=shift, person=colleague, now=now)
    for theirs in their_shifts:
        if theirs.clash:
            moved = theirs if theirs.clash_person.pk == shift.person_id else shift
            theirs.why_not = services.clash_message(theirs.clash_person, theirs.clash, moved.starts_at, moved.ends_at)
    return render(request, "mobile/duty/exchange.html", {
        "section": "duty", "shift": shift, "colleague": colleague, "reason": request.GET.get("reason", "")[:200],
        "their_shifts": their_shifts, "any_possible": any(not theirs.clash for theirs in their_shifts),
    })
