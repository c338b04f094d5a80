"""The emergency duty API (/api/v1/duty/…), JSON in and out: parse, call one selector or service, render.

Campaigns and checkpoints are read by whoever may see them (a grid worker: the campaigns they are
on duty in); shifts are a worker's own, or every one for the town-wide readers; check-in and
check-out are the shift's person's; swaps are asked by the person or the command centre and
decided by the command centre. What the asker may not see is a 404.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from govgrid.ids import ID_PATTERN, id_field
from govgrid.schema import ERROR
from govgrid.towntime import day_bounds
from incidents.errors import NotAllowed, WorkflowError
from patrols.api import error_response

from . import services
from .models import Campaign, Checkpoint, Shift, SwapRequest
from .selectors import SHIFT_STATES, campaigns_visible_to, checkpoints_visible_to, may_manage, shift_state, shifts_visible_to

CONFLICT = OpenApiResponse(ERROR, description="The swap was decided already, or would put someone in two places or short of rest.")


class CampaignSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = ["id", "name", "kind", "started", "ended", "active", "shift_hours", "rest_hours", "max_hours_per_day"]


class CheckpointSerializer(serializers.ModelSerializer):
    grid = serializers.CharField(source="grid.code", help_text="Grid code.")
    grid_name = serializers.CharField(source="grid.name")

    class Meta:
        model = Checkpoint
        fields = [
            "id", "campaign", "name", "grid", "grid_name", "latitude", "longitude", "round_the_clock", "daily_from", "daily_to",
            "first_day", "last_day", "people_per_shift",
        ]


class ShiftSerializer(serializers.ModelSerializer):
    campaign = serializers.IntegerField(source="checkpoint.campaign_id")
    checkpoint_name = serializers.CharField(source="checkpoint.name")
    person_name = serializers.CharField(source="person.name")
    state = serializers.SerializerMethodField(help_text="One of: " + ", ".join(SHIFT_STATES) + ".")
    checkin_position_missing = serializers.BooleanField(read_only=True, help_text="Checked in with no position from the phone.")
    checkout_position_missing = serializers.BooleanField(read_only=True)

    class Meta:
        model = Shift
        fields = [
            "id", "campaign", "checkpoint", "checkpoint_name", "person", "person_name", "starts_at", "ends_at", "state",
            "checked_in_at", "checkin_latitude", "checkin_longitude", "checkin_accuracy_m", "checkin_position_missing",
            "checked_out_at", "checkout_latitude", "checkout_longitude", "checkout_accuracy_m", "checkout_position_missing",
        ]

    def get_state(self, shift) -> str:
        return shift_state(shift, self.context["now"])


class ShiftFilterSerializer(serializers.Serializer):
    campaign = id_field(required=False)
    date = serializers.DateField(required=False, help_text="The town-local day the shifts start (YYYY-MM-DD).")
    mine = serializers.BooleanField(required=False, default=False, help_text="Only the asker's own shifts.")


class PositionSerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True, default=None)
    lng = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True, default=None)
    accuracy = serializers.FloatField(min_value=0, required=False, allow_null=True, default=None, help_text="Metres.")
    at = serializers.DateTimeField(
        required=False, allow_null=True, default=None,
        help_text="When the phone made it, if it was kept with no signal and sent later (ISO 8601 with its zone); none for now.",
    )
    early = serializers.BooleanField(required=False, default=False, help_text="Check-out only: confirms ending the shift before its end.")

    def validate(self, values):
        if (values["lat"] is None) != (values["lng"] is None):
            raise serializers.ValidationError({"lat": [_("Give both lat and lng, or neither (position not available).")]})
        return values


class SwapSerializer(serializers.ModelSerializer):
    shift_detail = ShiftSerializer(source="shift", read_only=True)
    from_person_name = serializers.CharField(source="from_person.name", read_only=True)
    to_person_name = serializers.CharField(source="to_person.name", read_only=True)

    class Meta:
        model = SwapRequest
        fields = ["id", "shift", "shift_detail", "from_person", "from_person_name", "to_person", "to_person_name", "other_shift", "reason", "status", "asked_at", "decided_at", "decision_note"]


class SwapInputSerializer(serializers.Serializer):
    shift = id_field()
    to_person = id_field(help_text="The person on duty (of the same campaign) to hand the shift to.")
    other_shift = id_field(required=False, allow_null=True, default=None, help_text="One of their shifts to take in exchange.")
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class _ServiceErrors:
    def handle_exception(self, exc):
        """A service's refusal, answered with its status and field messages; nothing was changed."""
        if isinstance(exc, WorkflowError):
            return error_response(exc)
        return super().handle_exception(exc)


class CampaignViewSet(_ServiceErrors, viewsets.ReadOnlyModelViewSet):
    """Emergency campaigns (应急值守): all for the command centre and town-wide readers, a worker's own."""

    lookup_value_regex = ID_PATTERN
    serializer_class = CampaignSerializer

    def get_queryset(self):
        return campaigns_visible_to(self.request.user).order_by("-started", "-id")


class CheckpointViewSet(_ServiceErrors, viewsets.ReadOnlyModelViewSet):
    """Checkpoints (卡点) of the campaigns the asker may see; `?campaign=` narrows to one."""

    lookup_value_regex = ID_PATTERN
    serializer_class = CheckpointSerializer

    def get_queryset(self):
        checkpoints = checkpoints_visible_to(self.request.user).order_by("campaign", "name", "pk")
        campaign = self.request.query_params.get("campaign")
        if campaign and campaign.isdigit():
            checkpoints = checkpoints.filter(campaign_id=int(campaign))
        return checkpoints


class ShiftViewSet(_ServiceErrors, viewsets.ReadOnlyModelViewSet):
    """Shifts: a grid worker's own; every one for the command centre, inspectors and officials."""

    lookup_value_regex = ID_PATTERN
    serializer_class = ShiftSerializer
    parser_classes = [JSONParser]

    def get_queryset(self):
        return shifts_visible_to(self.request.user).order_by("starts_at", "checkpoint_id", "pk")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    @extend_schema(parameters=[ShiftFilterSerializer])
    def list(self, request):
        filters = ShiftFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        shifts = self.get_queryset()
        if values.get("campaign"):
            shifts = shifts.filter(checkpoint__campaign_id=values["campaign"])
        if values.get("date"):
            start, end = day_bounds(values["date"])
            shifts = shifts.filter(starts_at__gte=start, starts_at__lt=end)
        if values["mine"]:
            shifts = shifts.filter(person__user=request.user)
        page = self.paginate_queryset(shifts)
        return self.get_paginated_response(ShiftSerializer(page, many=True, context=self.get_serializer_context()).data)

    def _check(self, request, pk, service):
        if not self.get_queryset().filter(pk=pk).exists():
            raise NotFound(_("No such shift."))
        body = PositionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        extra = {"early": values["early"]} if service is services.shift_check_out else {}
        shift, changed = service(
            actor=request.user, shift_id=int(pk), latitude=values["lat"], longitude=values["lng"], accuracy=values["accuracy"], at=values["at"], **extra,
        )
        shift = self.get_queryset().get(pk=shift.pk)
        return Response(ShiftSerializer(shift, context=self.get_serializer_context()).data, status=status.HTTP_200_OK)

    @extend_schema(request=PositionSerializer, responses={200: ShiftSerializer, 400: ERROR, 403: ERROR, 404: ERROR})
    @action(detail=True, methods=["post"], url_path="check-in", serializer_class=PositionSerializer)
    def check_in(self, request, pk=None):
        """Check in on one's own shift, from 30 minutes before its start until its end; no
        position (lat/lng null) is recorded as "position not available". Sent again, it changes nothing."""
        return self._check(request, pk, services.shift_check_in)

    @extend_schema(request=PositionSerializer, responses={200: ShiftSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: CONFLICT})
    @action(detail=True, methods=["post"], url_path="check-out", serializer_class=PositionSerializer)
    def check_out(self, request, pk=None):
        """Check out after checking in; before the shift's end only with `early` true (409
        otherwise, saying how early). Sent again, it changes nothing."""
        return self._check(request, pk, services.shift_check_out)


class SwapViewSet(_ServiceErrors, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Swap requests: ask to hand a shift over (or exchange two); the command centre approves or refuses."""

    lookup_value_regex = ID_PATTERN
    serializer_class = SwapSerializer
    parser_classes = [JSONParser]

    def get_queryset(self):
        swaps = SwapRequest.objects.select_related("shift__checkpoint", "shift__person", "from_person", "to_person").order_by("-asked_at", "-id")
        if may_manage(self.request.user) or self.request.user.has_role("inspector", "official"):
            return swaps
        return swaps.filter(shift__in=shifts_visible_to(self.request.user)) | swaps.filter(asked_by=self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    @extend_schema(request=SwapInputSerializer, responses={201: SwapSerializer, 400: ERROR, 404: ERROR, 409: CONFLICT})
    def create(self, request):
        body = SwapInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        swap = services.swap_ask(
            actor=request.user, shift_id=values["shift"], to_person_id=values["to_person"], other_shift_id=values["other_shift"], reason=values["reason"],
        )
        return Response(SwapSerializer(swap, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED)

    def _decide(self, request, pk, approve: bool):
        if not self.get_queryset().filter(pk=pk).exists():
            raise NotFound(_("No such swap request."))
        if not may_manage(request.user):
            raise NotAllowed(_("Only the command centre manages emergency duty."))
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        swap = services.swap_decide(actor=request.user, swap_id=int(pk), approve=approve, note=body.validated_data["note"])
        return Response(SwapSerializer(swap, context=self.get_serializer_context()).data)

    @extend_schema(request=DecisionSerializer, responses={200: SwapSerializer, 403: ERROR, 404: ERROR, 409: CONFLICT})
    @action(detail=True, methods=["post"], serializer_class=DecisionSerializer)
    def approve(self, request, pk=None):
        """Approve: the shifts change hands, checked again for overlaps and rest."""
        return self._decide(request, pk, True)

    @extend_schema(request=DecisionSerializer, responses={200: SwapSerializer, 403: ERROR, 404: ERROR, 409: CONFLICT})
    @action(detail=True, methods=["post"], serializer_class=DecisionSerializer)
    def refuse(self, request, pk=None):
        return self._decide(request, pk, False)
