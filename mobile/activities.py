"""The grid worker's volunteer activities on the phone: record one held in their grid, with its
volunteers and their hours, the compounds reached and photos taken there; and see the recent
activities of their grids. The form and its checks are the console's (console/volunteers.py),
so a refusal reads the same on both; the phone is sent only its grids' compounds and the
volunteers of the teams serving them, not the whole town's.

The form goes through the phone's outbox (static/mobile/queued-form.js), photos and all, and is
answered in JSON (mobile/queued.py); a retry of the same form (its UUID) is the activity it
recorded the first time. Without the script it posts as usual.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from console.volunteers import record_activity
from grids.selectors import grids_of
from volunteers.selectors import activities_visible_to, may_read, may_record_in, teams_serving

from . import queued
from .views import mobile_view

RECENT = 20


def _refused_json(form, extra_errors: dict, refusal) -> JsonResponse:
    """{"detail", field: [messages]}, each under the name of the input it is shown by."""
    fields = {name: [str(error) for error in errors] for name, errors in form.errors.items() if name != NON_FIELD_ERRORS}
    fields.update({name: [str(message)] for name, message in extra_errors.items()})
    detail = " ".join([_("The activity was not recorded: see the messages below."), *[str(error) for error in form.non_field_errors()]])
    return JsonResponse({"detail": detail, **fields}, status=refusal.status_code if refusal is not None else 400)


@mobile_view
def activities(request):
    if not may_read(request.user):
        raise Http404(_("No such page."))
    recent = list(activities_visible_to(request.user).prefetch_related("compounds")[:RECENT])
    context = {"section": "home", "recent": recent, "may_record": may_record_in(request.user, None)}
    if not context["may_record"]:
        if request.method == "POST":
            raise Http404(_("No such page."))
        return render(request, "mobile/activities/activities.html", context)

    def recorded(activity):
        return queued.done(request, _("Recorded: %(title)s.") % {"title": activity.title}, next_url=reverse("mobile:activities"))

    grids = grids_of(request.user)
    return record_activity(
        request, grids=grids, teams=teams_serving(grids), template="mobile/activities/activities.html", context=context,
        success=recorded, refused=_refused_json if queued.wants_json(request) else None,
    )
