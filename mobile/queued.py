"""The server's half of static/mobile/queued-form.js: a phone form kept in the outbox and sent
(maybe much later) asks for JSON, and is answered {"message", "next"} when done, or
{"detail", field: [messages]} with 400/403/404/409 when refused; a page without the script
posts as usual and is answered with a message and a redirect.

The phone's own time of the action comes as the field `at` (ISO 8601 with its zone): a
check-in kept in an alley with no signal is recorded when it was made, not when it arrived.
"""

from datetime import datetime

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from incidents.errors import InvalidInput, WorkflowError


def wants_json(request) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


def phone_time(request) -> datetime | None:
    """The `at` the phone sent, None when it sent none; InvalidInput when it is not a time."""
    value = (request.POST.get("at") or "").strip()
    if not value:
        return None
    try:
        moment = parse_datetime(value)
    except ValueError:
        moment = None
    if moment is None:
        raise InvalidInput(_("The phone's time is not a time: check the phone's clock."), fields={"at": _("Not a time.")})
    return moment


def done(request, message: str, *, next_url: str, status: int = 200):
    if wants_json(request):
        return JsonResponse({"message": message, "next": next_url}, status=status)
    messages.success(request, message)
    return redirect(next_url)


def refused(request, error: WorkflowError, *, next_url: str):
    if wants_json(request):
        fields = {name: [str(message)] for name, message in error.fields.items() if name != "detail"}
        return JsonResponse({"detail": error.message, **fields}, status=error.status_code)
    messages.error(request, error.message)
    return redirect(next_url)
