"""The party API under /api/v1/party/: branches, members (phones masked per role), check-ins
(list, record, confirm, refuse), the year's compliance, and meetings with their follow-ups.

Parse the request, call one selector or service, render. Department members get a 404 for all
of it; a record outside the asker's grids is a 404 too.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.services import personal_data_views_record
from govgrid.ids import ID_PATTERN, id_field
from govgrid.schema import ERROR
from grids.models import Grid
from incidents.errors import WorkflowError
from patrols.api import error_response

from . import services
from .models import Meeting, MeetingFollowUp, MemberCheckIn, MemberKind, PartyBranch, PartyMember
from .selectors import (
    branches_visible_to,
    checkin_get_for_user,
    checkins_visible_to,
    compliance_by_employer,
    compliance_for_user,
    may_read,
    meeting_get_for_user,
    meetings_visible_to,
    members_filter,
    members_visible_to,
    phones_shown,
    required_per_year,
)

CONFLICT = OpenApiResponse(ERROR, description="The check-in was already decided otherwise, or the UUID is another check-in's.")


class PartyAPIMixin:
    """Department members (and anyone else who reads none of this) get a 404; a service's
    refusal is answered with its status and field messages."""

    lookup_value_regex = ID_PATTERN

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not may_read(request.user):
            raise NotFound(_("No such API address."))

    def handle_exception(self, exc):
        if isinstance(exc, WorkflowError):
            return error_response(exc)
        return super().handle_exception(exc)


class GridRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Grid
        fields = ["code", "name"]


class BranchSerializer(serializers.ModelSerializer):
    grid = GridRefSerializer()
    community = serializers.CharField(source="grid.community.name")
    secretary = serializers.CharField(source="secretary.name", default=None, allow_null=True)

    class Meta:
        model = PartyBranch
        fields = ["id", "name", "grid", "community", "secretary", "set_up_on"]


class MemberSerializer(serializers.ModelSerializer):
    phone = serializers.SerializerMethodField(help_text="In full for the command centre and the member's grid workers; masked otherwise.")
    employer = serializers.CharField(source="employer.name", default=None, allow_null=True)
    branch = serializers.CharField(source="branch.name", default=None, allow_null=True)
    grid = GridRefSerializer()

    class Meta:
        model = PartyMember
        fields = ["id", "name", "kind", "phone", "employer", "branch", "grid", "joined_on", "active"]

    def get_phone(self, member) -> str:
        return self.context["phones"].get(member.pk, "")


class MemberFilterSerializer(serializers.Serializer):
    grid = serializers.CharField(required=False, max_length=15, help_text="Grid code.")
    kind = serializers.ChoiceField(required=False, choices=MemberKind.choices)
    q = serializers.CharField(required=False, max_length=50, help_text="Part of a name, a phone or an employer.")


class CheckInSerializer(serializers.ModelSerializer):
    member = serializers.IntegerField(source="member_id")
    member_name = serializers.CharField(source="member.name")
    employer = serializers.CharField(source="member.employer.name", default=None, allow_null=True)
    grid = GridRefSerializer()
    recorded_by = serializers.CharField(source="recorded_by.username")
    decided_by = serializers.CharField(source="decided_by.username", default=None, allow_null=True)

    class Meta:
        model = MemberCheckIn
        fields = [
            "id", "uuid", "member", "member_name", "employer", "grid", "date", "activity", "hours", "status",
            "refusal_reason", "recorded_by", "recorded_at", "decided_by", "decided_at",
        ]


class CheckInFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(required=False, choices=MemberCheckIn.Status.choices)
    member = id_field(required=False)


class CheckInInputSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(help_text="Made by the client; sending it again returns the same check-in.")
    member = id_field(help_text="The in-service member's id.")
    grid = serializers.CharField(max_length=15, help_text="Code of the grid they served at.")
    date = serializers.DateField(required=False, allow_null=True, default=None, help_text="The town-local day; today if left out.")
    activity = serializers.CharField(max_length=2000, help_text="What they did.")
    hours = serializers.DecimalField(max_digits=6, decimal_places=2, help_text="More than 0, at most 24.")


class RefuseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, allow_blank=True)


class ComplianceQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2099, help_text="A calendar year; this year if left out.")


class ProgressSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="member.pk")
    name = serializers.CharField(source="member.name")
    employer = serializers.CharField(source="member.employer.name")
    grid = serializers.CharField(source="member.grid.code")
    count = serializers.IntegerField(help_text="Confirmed check-ins dated in the year.")
    required = serializers.IntegerField()
    missing = serializers.IntegerField()
    on_track = serializers.BooleanField(help_text="At least the share of the rule the part of the year gone by asks for (not behind).")


class EmployerSummarySerializer(serializers.Serializer):
    employer = serializers.CharField(source="employer.name")
    members = serializers.IntegerField()
    behind = serializers.IntegerField(source="behind_count", help_text="Members behind, as in `behind` above.")


class ComplianceSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    required = serializers.IntegerField()
    members = serializers.IntegerField()
    on_track = serializers.IntegerField()
    behind = ProgressSerializer(
        many=True,
        help_text="Members behind: fewer confirmed check-ins than the rule's pace asks by today; for a past year, below the rule.",
    )
    employers = EmployerSummarySerializer(many=True)


class FollowUpSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner_shown")
    grid = serializers.CharField(source="grid.code", default=None, allow_null=True)
    case = serializers.CharField(source="incident.code", default=None, allow_null=True, help_text="The case it opened, if any.")
    case_status = serializers.CharField(source="incident.status", default=None, allow_null=True)

    class Meta:
        model = MeetingFollowUp
        fields = ["id", "what", "owner", "due_on", "done_on", "grid", "case", "case_status"]


class MeetingSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="community.name")
    grid = serializers.CharField(source="grid.code", default=None, allow_null=True)

    class Meta:
        model = Meeting
        fields = ["id", "date", "body", "title", "community", "grid"]


class MeetingDetailSerializer(MeetingSerializer):
    attendees = serializers.SerializerMethodField()
    follow_ups = FollowUpSerializer(many=True, read_only=True)

    class Meta(MeetingSerializer.Meta):
        fields = MeetingSerializer.Meta.fields + ["attendees", "other_attendees", "topics", "decisions", "follow_ups"]

    def get_attendees(self, meeting) -> list[str]:
        return [member.name for member in meeting.attendees.all()]


class MeetingFilterSerializer(serializers.Serializer):
    body = serializers.ChoiceField(required=False, choices=Meeting.Body.choices)


class BranchViewSet(PartyAPIMixin, viewsets.ReadOnlyModelViewSet):
    """Grid party branches (网格党支部): the town's, or a worker's grids'."""

    serializer_class = BranchSerializer

    def get_queryset(self):
        return branches_visible_to(self.request.user)


class MemberViewSet(PartyAPIMixin, viewsets.GenericViewSet):
    """Party members, phones masked for the roles that do not call them; each number shown in
    full is recorded."""

    serializer_class = MemberSerializer

    def get_queryset(self):
        return members_visible_to(self.request.user).order_by("name", "pk")

    def _render(self, request, members: list, many: bool):
        phones, unmasked = phones_shown(request.user, members)
        personal_data_views_record(viewer=request.user, records=unmasked, fields=["phone"], where=request.path)
        return MemberSerializer(members if many else members[0], many=many, context={"phones": phones}).data

    @extend_schema(parameters=[MemberFilterSerializer], responses=MemberSerializer(many=True))
    def list(self, request):
        filters = MemberFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        members = members_filter(self.get_queryset(), kind=values.get("kind", ""), search=values.get("q", ""))
        if values.get("grid"):
            members = members.filter(grid__code=values["grid"])
        page = list(self.paginate_queryset(members))
        return self.get_paginated_response(self._render(request, page, many=True))

    @extend_schema(responses=MemberSerializer)
    def retrieve(self, request, pk=None):
        member = self.get_queryset().filter(pk=pk).first()
        if member is None:
            raise NotFound(_("No such party member."))
        return Response(self._render(request, [member], many=False))


class CheckInViewSet(PartyAPIMixin, viewsets.GenericViewSet):
    """In-service members' check-ins at a grid (在职党员到网格报到)."""

    serializer_class = CheckInSerializer
    parser_classes = [JSONParser]

    def get_queryset(self):
        return checkins_visible_to(self.request.user)

    @extend_schema(parameters=[CheckInFilterSerializer], responses=CheckInSerializer(many=True))
    def list(self, request):
        filters = CheckInFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        checkins = self.get_queryset()
        if filters.validated_data.get("status"):
            checkins = checkins.filter(status=filters.validated_data["status"])
        if filters.validated_data.get("member"):
            checkins = checkins.filter(member_id=filters.validated_data["member"])
        page = self.paginate_queryset(checkins)
        return self.get_paginated_response(CheckInSerializer(page, many=True).data)

    @extend_schema(responses=CheckInSerializer)
    def retrieve(self, request, pk=None):
        return Response(CheckInSerializer(checkin_get_for_user(user=request.user, checkin_id=pk)).data)

    @extend_schema(request=CheckInInputSerializer, responses={201: CheckInSerializer, 200: CheckInSerializer, 409: CONFLICT})
    def create(self, request):
        """Record a check-in (201); the same UUID again answers the same check-in (200)."""
        body = CheckInInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        member = members_visible_to(request.user).filter(pk=values["member"]).first()
        if member is None:
            return Response({"detail": _("No such party member."), "member": [_("No such party member.")]}, status=status.HTTP_400_BAD_REQUEST)
        grid = Grid.objects.filter(code=values["grid"]).first()
        if grid is None:
            return Response({"detail": _("No such grid."), "grid": [_("No such grid.")]}, status=status.HTTP_400_BAD_REQUEST)
        checkin, created = services.checkin_record(
            actor=request.user, member=member, grid=grid, day=values["date"], activity=values["activity"], hours=values["hours"],
            uuid=values["uuid"],
        )
        checkin = self.get_queryset().get(pk=checkin.pk)
        return Response(CheckInSerializer(checkin).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=None, responses={200: CheckInSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """The grid's worker confirms the check-in: it counts towards the rule."""
        checkin_get_for_user(user=request.user, checkin_id=pk)
        checkin = services.checkin_confirm(actor=request.user, checkin_id=pk)
        return Response(CheckInSerializer(self.get_queryset().get(pk=checkin.pk)).data)

    @extend_schema(request=RefuseSerializer, responses={200: CheckInSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], serializer_class=RefuseSerializer)
    def refuse(self, request, pk=None):
        """The grid's worker refuses the check-in, saying why."""
        checkin_get_for_user(user=request.user, checkin_id=pk)
        body = RefuseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        checkin = services.checkin_refuse(actor=request.user, checkin_id=pk, reason=body.validated_data["reason"])
        return Response(CheckInSerializer(self.get_queryset().get(pk=checkin.pk)).data)


class ComplianceView(PartyAPIMixin, APIView):
    """The year's compliance with the check-in rule: members below it and each employer's summary."""

    @extend_schema(parameters=[ComplianceQuerySerializer], responses=ComplianceSerializer)
    def get(self, request):
        query = ComplianceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = timezone.localdate()
        year = query.validated_data.get("year") or today.year
        progress = compliance_for_user(user=request.user, year=year, today=today)
        employers = compliance_by_employer(progress)
        for summary in employers:
            summary.behind_count = len(summary.behind)
        return Response(ComplianceSerializer({
            "year": year,
            "required": required_per_year(),
            "members": len(progress),
            "on_track": sum(1 for row in progress if row.on_track),
            "behind": [row for row in progress if row.behind],
            "employers": employers,
        }).data)


class MeetingViewSet(PartyAPIMixin, viewsets.GenericViewSet):
    """Meetings of one committee, three councils (一委三会), with their follow-ups."""

    serializer_class = MeetingSerializer

    def get_queryset(self):
        return meetings_visible_to(self.request.user)

    @extend_schema(parameters=[MeetingFilterSerializer], responses=MeetingSerializer(many=True))
    def list(self, request):
        filters = MeetingFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        meetings = self.get_queryset()
        if filters.validated_data.get("body"):
            meetings = meetings.filter(body=filters.validated_data["body"])
        page = self.paginate_queryset(meetings)
        return self.get_paginated_response(MeetingSerializer(page, many=True).data)

    @extend_schema(responses=MeetingDetailSerializer)
    def retrieve(self, request, pk=None):
        return Response(MeetingDetailSerializer(meeting_get_for_user(user=request.user, meeting_id=pk)).data)
