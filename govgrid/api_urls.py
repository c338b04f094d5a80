from django.http import JsonResponse
from django.urls import path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from accounts.api import DepartmentViewSet, NotificationViewSet, TokenView
from grids.api import GridViewSet, WorkerViewSet
from incidents.api import CategoryViewSet, IncidentViewSet, StatsSummaryView
from emergency.api import CampaignViewSet, CheckpointViewSet, ShiftViewSet, SwapViewSet
from party.api import BranchViewSet, CheckInViewSet, ComplianceView, MeetingViewSet, MemberViewSet
from patrols.api import PatrolViewSet
from screening.api import ArrivalViewSet, FollowUpViewSet
from volunteers.api import ActivityViewSet, CoverageView, TeamViewSet, VolunteerViewSet


@csrf_exempt  # it changes nothing, and must not answer a POST with the CSRF failure page
def api_not_found(request, *args, **kwargs):
    """Anything else under /api/ is answered in JSON too, never with an HTML page."""
    return JsonResponse({"detail": _("No such API address.")}, status=404)


router = DefaultRouter()
router.register("grids", GridViewSet, basename="grid")
router.register("workers", WorkerViewSet, basename="worker")
router.register("departments", DepartmentViewSet, basename="department")
router.register("categories", CategoryViewSet, basename="category")
router.register("incidents", IncidentViewSet, basename="incident")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("patrols", PatrolViewSet, basename="patrol")
router.register("duty/campaigns", CampaignViewSet, basename="duty-campaign")
router.register("duty/checkpoints", CheckpointViewSet, basename="duty-checkpoint")
router.register("duty/shifts", ShiftViewSet, basename="duty-shift")
router.register("duty/swaps", SwapViewSet, basename="duty-swap")
router.register("party/branches", BranchViewSet, basename="party-branch")
router.register("party/members", MemberViewSet, basename="party-member")
router.register("party/checkins", CheckInViewSet, basename="party-checkin")
router.register("party/meetings", MeetingViewSet, basename="party-meeting")
router.register("screening/arrivals", ArrivalViewSet, basename="screening-arrival")
router.register("screening/follow-ups", FollowUpViewSet, basename="screening-follow-up")
router.register("volunteers/teams", TeamViewSet, basename="volunteer-team")
router.register("volunteers/people", VolunteerViewSet, basename="volunteer")
router.register("volunteers/activities", ActivityViewSet, basename="volunteer-activity")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("stats/summary/", StatsSummaryView.as_view(), name="stats-summary"),
    path("volunteers/coverage/", CoverageView.as_view(), name="volunteer-coverage"),
    path("party/compliance/", ComplianceView.as_view(), name="party-compliance"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    *router.urls,
    re_path(r"", api_not_found),
]
