"""The screening register's API, JSON in and out: parse the request, call one service or
selector, render. Phone and ID number come masked unless the asker is the entry's grid worker or
the command centre, and every answer showing them in full records who saw which entries.

An entry the asker may not see is a 404.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from emergency.models import Campaign
from govgrid.ids import ID_PATTERN, id_field
from govgrid.schema import ERROR
from grids.models import Compound, Grid
from incidents.errors import InvalidInput, NotAllowed, WorkflowError
from patrols.api import error_response

from . import services
from .models import Arrival, FollowUp, HealthStatus
from .selectors import DUE_TODAY, OVERDUE, arrival_get_for_user, arrivals_filter, arrivals_visible_to, may_register, with_follow_ups

CONFLICT = OpenApiResponse(ERROR, description="The same ID number is registered already for this arrival date.")


class ScreeningGridSerializer(serializers.ModelSerializer):
    class Meta:
        model = Grid
        fields = ["code", "name"]


class CompoundRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Compound
        fields = ["id", "name"]


class ScreeningFollowUpSerializer(serializers.ModelSerializer):
    done_by = serializers.CharField(source="done_by.username", allow_null=True, default=None, help_text="User name of who did it.")

    class Meta:
        model = FollowUp
        fields = ["id", "day", "due_on", "done_at", "done_by", "health_status", "note"]


class ArrivalSerializer(serializers.ModelSerializer):
    """Phone and ID number as the asker may see them (`masked` says which)."""

    grid = ScreeningGridSerializer()
    compound = CompoundRefSerializer(allow_null=True)
    phone = serializers.SerializerMethodField()
    id_number = serializers.SerializerMethodField()
    masked = serializers.SerializerMethodField(help_text="True when phone and ID number are masked for the asker.")
    recorded_by = serializers.CharField(source="recorded_by.username")
    follow_ups = ScreeningFollowUpSerializer(many=True, read_only=True)

    class Meta:
        model = Arrival
        fields = [
            "id", "grid", "compound", "campaign", "name", "phone", "id_number", "masked", "origin", "arrived_on",
            "health_status", "notes", "recorded_by", "recorded_at", "follow_ups",
        ]

    def get_phone(self, arrival) -> str:
        return self.context["shown"][arrival.pk].phone

    def get_id_number(self, arrival) -> str:
        return self.context["shown"][arrival.pk].id_number

    def get_masked(self, arrival) -> bool:
        return not self.context["shown"][arrival.pk].full


class ArrivalFilterSerializer(serializers.Serializer):
    grid = serializers.CharField(required=False, max_length=15, help_text="A grid's code.")
    community = serializers.CharField(required=False, max_length=12, help_text="A community's code.")
    status = serializers.ChoiceField(required=False, choices=HealthStatus.choices)
    arrived_from = serializers.DateField(required=False)
    arrived_to = serializers.DateField(required=False)
    follow_up = serializers.ChoiceField(
        required=False, choices=[(DUE_TODAY, "due today"), (OVERDUE, "overdue")], help_text="Entries with an open follow-up due today, or overdue."
    )
    q = serializers.CharField(required=False, max_length=50, help_text="Part of the name.")


class ArrivalInputSerializer(serializers.Serializer):
    """Types only: the service checks the rest (ID check digit, date, duplicates) and names the field."""

    grid = serializers.CharField(max_length=15, help_text="The grid's code.")
    compound = id_field(required=False, allow_null=True, default=None, help_text="A compound of that grid.")
    campaign = id_field(required=False, allow_null=True, default=None, help_text="The emergency campaign, if any.")
    name = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=20)
    id_number = serializers.CharField(max_length=40, help_text="18 characters; spaces and a lower-case x are accepted.")
    origin = serializers.CharField(max_length=100, help_text="Where the person arrives from.")
    arrived_on = serializers.DateField()
    health_status = serializers.ChoiceField(choices=HealthStatus.choices, default=HealthStatus.HEALTHY)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    uuid = serializers.UUIDField(required=False, help_text="Made by the client; sending it again returns the same entry (200).")


class FollowUpDoneSerializer(serializers.Serializer):
    health_status = serializers.ChoiceField(choices=HealthStatus.choices, help_text="The health status found.")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200, help_text="The result, briefly.")


class WorkflowErrorsMixin:
    def handle_exception(self, exc):
        """A service's refusal, answered with its status and field messages; nothing was changed."""
        if isinstance(exc, WorkflowError):
            return error_response(exc)
        return super().handle_exception(exc)


def _answer(request, arrivals, *, many: bool, code=status.HTTP_200_OK):
    shown = services.arrivals_disclose(viewer=request.user, arrivals=arrivals, where=request.get_full_path())
    context = {"request": request, "shown": {item.arrival.pk: item for item in shown}}
    data = ArrivalSerializer([item.arrival for item in shown], many=True, context=context).data
    return data if many else Response(data[0], status=code)


class ArrivalViewSet(WorkflowErrorsMixin, viewsets.GenericViewSet):
    """The screening register (摸排): people arriving in each grid, with their follow-ups."""

    lookup_value_regex = ID_PATTERN
    parser_classes = [JSONParser]
    serializer_class = ArrivalSerializer

    def get_queryset(self):
        return with_follow_ups(arrivals_visible_to(self.request.user))

    @extend_schema(parameters=[ArrivalFilterSerializer], responses=ArrivalSerializer(many=True))
    def list(self, request):
        """The entries the asker may see, latest arrival first: a grid worker's grids, or the town's."""
        filters = ArrivalFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        found = arrivals_filter(self.get_queryset(), today=timezone.localdate(), **filters.validated_data)
        page = self.paginate_queryset(found)
        return self.get_paginated_response(_answer(request, page, many=True))

    @extend_schema(responses=ArrivalSerializer)
    def retrieve(self, request, pk=None):
        """One entry with its follow-ups."""
        arrival = arrival_get_for_user(user=request.user, arrival_id=int(pk))
        return _answer(request, [arrival], many=False)

    @extend_schema(request=ArrivalInputSerializer, responses={201: ArrivalSerializer, 200: ArrivalSerializer, 409: CONFLICT})
    def create(self, request):
        """Register an arrival (a grid worker in their grids, the command centre anywhere); its
        follow-ups are scheduled from the arrival date."""
        if not may_register(request.user):
            raise NotAllowed(_("Only grid workers and the command centre register arrivals."))
        body = ArrivalInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        grid = Grid.objects.filter(code=values.pop("grid")).first()
        if grid is None:
            raise InvalidInput(_("No such grid."), fields={"grid": _("No such grid.")})
        compound_id, campaign_id = values.pop("compound"), values.pop("campaign")
        compound = Compound.objects.filter(pk=compound_id).first() if compound_id else None
        if compound_id and compound is None:
            raise InvalidInput(_("No such compound."), fields={"compound": _("No such compound.")})
        campaign = None
        if campaign_id:
            campaign = Campaign.objects.filter(pk=campaign_id).first()
            if campaign is None:
                raise InvalidInput(_("No such campaign."), fields={"campaign": _("No such campaign.")})
        arrival, created = services.arrival_register(
            actor=request.user, grid=grid, compound=compound, campaign=campaign, client_uuid=values.pop("uuid", None), **values,
        )
        arrival = with_follow_ups(arrivals_visible_to(request.user)).get(pk=arrival.pk)
        return _answer(request, [arrival], many=False, code=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class FollowUpViewSet(WorkflowErrorsMixin, viewsets.GenericViewSet):
    """The follow-ups of the register's entries."""

    lookup_value_regex = ID_PATTERN
    parser_classes = [JSONParser]
    serializer_class = ScreeningFollowUpSerializer

    def get_queryset(self):
        return FollowUp.objects.filter(arrival__in=arrivals_visible_to(self.request.user).values("pk"))

    @extend_schema(request=FollowUpDoneSerializer, responses={200: ScreeningFollowUpSerializer})
    @action(detail=True, methods=["post"], serializer_class=FollowUpDoneSerializer)
    def done(self, request, pk=None):
        """Mark the follow-up done with the health status found; the entry takes that status. One
        done already is answered as it is."""
        body = FollowUpDoneSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        follow_up, _changed = services.follow_up_done(actor=request.user, follow_up_id=int(pk), **body.validated_data)
        return Response(ScreeningFollowUpSerializer(follow_up).data)
