"""The grid worker's volunteer activities on the phone: record one held in their grid, with its
volunteers and their hours, the compounds reached and photos taken there; and see the recent
activities of their grids. The form and its checks are the console's (console/volunteers.py),
so a refusal reads the same on both.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from console.volunteers import record_activity
from grids.selectors import grids_of
from volunteers.selectors import activities_visible_to, may_read, may_record_in

from .views import mobile_view

RECENT = 20


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
        messages.success(request, _("Recorded: %(title)s.") % {"title": activity.title})
        return redirect("mobile:activities")

    return record_activity(request, grids=grids_of(request.user), template="mobile/activities/activities.html", context=context, success=recorded)
