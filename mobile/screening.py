"""The grid worker's screening register on the phone (摸排), under /m/screening/: the follow-ups due
in their grids (today's and the late ones first), their grids' entries, the form to register an
arrival, and an entry with its follow-ups to mark done.

Reads go through screening.selectors, writes through its services. A worker sees their own
grids' entries in full, and each page that shows a number records it. The two forms go through
the phone's outbox (static/mobile/queued-form.js) and are answered in JSON (mobile/queued.py);
without the script they post as usual.
"""

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from screening.forms import ArrivalForm, FollowUpDoneForm
from screening.selectors import arrival_get_for_user, arrivals_filter, arrivals_visible_to, follow_up_get_for_user, follow_ups_open
from screening.services import arrivals_disclose

from . import queued
from .views import mobile_view

ENTRIES_SHOWN = 100


def _worker(user) -> None:
    if user.role != Role.WORKER:
        raise PermissionDenied


@mobile_view
def screening(request):
    _worker(request.user)
    today = timezone.localdate()
    mine = arrivals_visible_to(request.user)
    query = request.GET.get("q", "").strip()[:50]
    entries = list(arrivals_filter(mine, today=today, q=query)[:ENTRIES_SHOWN])
    # The list shows the phone (to call), not the ID number: only the phone is recorded as seen.
    shown = arrivals_disclose(viewer=request.user, arrivals=entries, where=request.get_full_path(), fields=("phone",))
    return render(request, "mobile/screening/list.html", {
        "section": "home",
        "today": today,
        "due": list(follow_ups_open(mine, until=today)),
        "entries": shown,
        "q": query,
        "more": len(entries) == ENTRIES_SHOWN,
    })


def _refused_json(form, detail: str, refusal=None) -> JsonResponse:
    """A refusal for the phone's outbox: {"detail", field: [messages]}, the status the service's
    refusal carries (409 for an ID number registered already), 400 for a form's own checks."""
    # Under the names the form's inputs have (a follow-up's are prefixed), so the phone shows each by its input.
    fields = {form.add_prefix(name): [str(error) for error in errors] for name, errors in form.errors.items() if name != NON_FIELD_ERRORS}
    said = " ".join([detail, *[str(error) for error in form.non_field_errors()]])
    return JsonResponse({"detail": said, **fields}, status=refusal.status_code if refusal is not None else 400)


@mobile_view
def screening_new(request):
    """The form to register an arrival. Sent through the phone's outbox it is answered in JSON,
    and a retry of the same form (its UUID) is the entry it made the first time."""
    _worker(request.user)
    form = ArrivalForm(request.POST or None, user=request.user)
    if request.method == "POST":
        arrival, created = form.register()
        if arrival is not None:
            message = _("%(name)s is registered; %(count)d follow-ups are scheduled.") % {"name": arrival.name, "count": arrival.follow_ups.count()}
            if not created:
                message = _("%(name)s was registered already by this form.") % {"name": arrival.name}
            return queued.done(request, message, next_url=reverse("mobile:screening-entry", args=[arrival.pk]), status=201 if created else 200)
        if queued.wants_json(request):
            return _refused_json(form, _("The entry has errors; nothing was stored."), form.refusal)
        messages.error(request, _("The entry has errors; nothing was stored."))
    return render(request, "mobile/screening/new.html", {
        "section": "home", "form": form, "duplicate": form.duplicate,
    }, status=400 if form.errors else 200)


def _entry_page(request, arrival, *, posted: dict | None = None, status: int = 200):
    today = timezone.localdate()
    shown = arrivals_disclose(viewer=request.user, arrivals=[arrival], where=request.get_full_path())[0]
    follow_ups = [
        {
            "follow_up": follow_up,
            "late": not follow_up.done and follow_up.due_on < today,
            "today": not follow_up.done and follow_up.due_on == today,
            # Only a visit due today or late can be marked done: one form per due visit, not one per visit.
            "form": None if follow_up.done or follow_up.due_on > today else (posted or {}).get(follow_up.pk) or FollowUpDoneForm(follow_up=follow_up),
        }
        for follow_up in arrival.follow_ups.all()
    ]
    return render(request, "mobile/screening/entry.html", {
        "section": "home", "arrival": arrival, "shown": shown, "follow_ups": follow_ups,
    }, status=status)


@mobile_view
def screening_entry(request, arrival_id: int):
    _worker(request.user)
    return _entry_page(request, arrival_get_for_user(user=request.user, arrival_id=arrival_id))


@mobile_view
@require_POST
def screening_follow_up_done(request, follow_up_id: int):
    _worker(request.user)
    follow_up = follow_up_get_for_user(user=request.user, follow_up_id=follow_up_id)
    arrival = arrival_get_for_user(user=request.user, arrival_id=follow_up.arrival_id)
    follow_up = next(f for f in arrival.follow_ups.all() if f.pk == follow_up.pk)
    form = FollowUpDoneForm(request.POST, follow_up=follow_up)
    if form.mark_done(request.user):
        # Back to the list, where the next follow-up due waits. Sent twice, it is done once.
        return queued.done(request, _("The follow-up of %(date)s is done.") % {"date": follow_up.due_on.isoformat()}, next_url=reverse("mobile:screening"))
    if queued.wants_json(request):
        return _refused_json(form, _("The follow-up has errors; nothing was stored."), form.refusal)
    # The service's reason at the top: a visit not yet due has no form on the page to show it by.
    messages.error(request, form.refusal.message if form.refusal else _("The follow-up has errors; nothing was stored."))
    return _entry_page(request, arrival, posted={follow_up.pk: form}, status=400)
