"""The incident API: parse the request, call one service or selector, render the answer."""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import phone_validator
from accounts.privacy import phone_shown_to
from govgrid.ids import ID_PATTERN

from . import services, stats
from .errors import WorkflowError
from .models import Category, Incident, IncidentEvent, IncidentPhoto, IncidentStage, Source, SupervisionCard
from .inputs import ACTIONS, JSON_INPUT, action_take, photo_list
from .selectors import categories_for_reporting, incident_get_for_user, incidents_filter, incidents_visible_to
from .workflow import Card, Closure, Stage, Status, action_label, actions_for, is_assignee

User = get_user_model()


def workflow_error_response(error: WorkflowError) -> Response:
    body = {"detail": error.message}
    body.update({field: [str(message)] for field, message in error.fields.items()})
    return Response(body, status=error.status_code)


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent.code", allow_null=True, default=None)
    department = serializers.CharField(source="department.name", allow_null=True, default=None)

    class Meta:
        model = Category
        fields = ["id", "code", "name", "kind", "parent", "time_limit", "time_unit", "department", "filing_condition", "closing_condition"]


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = categories_for_reporting()
    serializer_class = CategorySerializer
    lookup_field = "code"


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = IncidentPhoto
        fields = ["id", "stage", "url", "thumbnail_url", "width", "height", "taken_at", "latitude", "longitude", "created_at"]

    def get_url(self, photo) -> str:
        return self.context["request"].build_absolute_uri(reverse("incident-photo", args=[photo.pk]))

    def get_thumbnail_url(self, photo) -> str:
        """The photo itself until its thumbnail is made, a moment after the upload."""
        name = "incident-photo-thumbnail" if photo.thumbnail else "incident-photo"
        return self.context["request"].build_absolute_uri(reverse(name, args=[photo.pk]))


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.display_name", allow_null=True, default=None)
    action_display = serializers.CharField(source="get_action_display")

    class Meta:
        model = IncidentEvent
        fields = ["id", "action", "action_display", "actor", "from_status", "to_status", "note", "data", "created_at"]


class IncidentSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.code")
    category_name = serializers.CharField(source="category.name")
    grid = serializers.CharField(source="grid.code", allow_null=True, default=None)
    grid_name = serializers.CharField(source="grid.name", allow_null=True, default=None)
    status_display = serializers.CharField(source="get_status_display")
    reporter_name = serializers.CharField(source="reporter.display_name", allow_null=True, default=None)
    assignee_name = serializers.CharField(source="assignee.display_name", allow_null=True, default=None)
    contact_phone = serializers.SerializerMethodField()
    warning_light = serializers.SerializerMethodField(help_text="The case's overall light: green, yellow, red, or null.")
    overdue = serializers.SerializerMethodField()
    stage = serializers.CharField(source="current_stage.stage", allow_null=True, default=None, help_text="The stage being timed now.")
    stage_deadline = serializers.DateTimeField(source="current_stage.deadline", allow_null=True, default=None)
    stage_light = serializers.SerializerMethodField(help_text="The light of the stage being timed now.")
    time_exempt = serializers.BooleanField(read_only=True)
    actions = serializers.SerializerMethodField(help_text="What the asker may do now, from the transition table.")
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id", "code", "status", "status_display", "category", "category_name", "description",
            "latitude", "longitude", "address", "grid", "grid_name", "source", "reporter", "reporter_name",
            "contact_name", "contact_phone", "handled_on_spot", "assignee", "assignee_name", "assigned_department",
            "duplicate_of", "reported_at", "accepted_at", "assigned_at", "handled_at", "inspected_at", "closed_at",
            "closure", "deadline", "warn_at", "warning_light", "overdue", "stage", "stage_deadline", "stage_light",
            "rework_count", "return_count", "resend_count", "extension_count", "extension_requested_until",
            "suspended_at", "review_on", "appeal", "time_exempt", "actions", "version", "photos",
        ]

    def get_contact_phone(self, incident) -> str:
        """In full for the command centre, for whoever must call the resident back, and for the
        reporter who typed it."""
        user = self.context["request"].user
        needs_it = is_assignee(user, incident) or incident.reporter_id == user.pk
        return phone_shown_to(user, incident.contact_phone, needs_it=needs_it)

    def get_warning_light(self, incident) -> str | None:
        return incident.warning_light(self.context["now"])

    def get_overdue(self, incident) -> bool:
        """Past its deadline, and not excused by an upheld appeal."""
        return incident.warning_light(self.context["now"]) == "red" and not incident.time_exempt

    def get_stage_light(self, incident) -> str | None:
        return incident.stage_light(self.context["now"])

    def get_actions(self, incident) -> list[str]:
        return actions_for(self.context["request"].user, incident, self.context["now"])


class StageSerializer(serializers.ModelSerializer):
    on_time = serializers.BooleanField(allow_null=True, read_only=True)

    class Meta:
        model = IncidentStage
        fields = [
            "stage", "started_at", "limit", "unit", "deadline", "warn_at", "assignee", "department",
            "warned_at", "escalated_at", "paused_seconds", "ended_at", "ended_by", "completed", "elapsed_seconds", "on_time",
        ]


class CardSerializer(serializers.ModelSerializer):
    issued_by = serializers.CharField(source="issued_by.display_name", allow_null=True, default=None)

    class Meta:
        model = SupervisionCard
        fields = ["level", "rule", "issued_by", "note", "created_at"]


class IncidentDetailSerializer(IncidentSerializer):
    events = EventSerializer(many=True, read_only=True)
    stages = StageSerializer(many=True, read_only=True)
    cards = CardSerializer(many=True, read_only=True)

    class Meta(IncidentSerializer.Meta):
        fields = IncidentSerializer.Meta.fields + ["events", "stages", "cards"]


class ReportSerializer(serializers.Serializer):
    category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.all())
    description = serializers.CharField(max_length=4000)
    latitude = serializers.FloatField(min_value=-90, max_value=90)
    longitude = serializers.FloatField(min_value=-180, max_value=180)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    source = serializers.ChoiceField(choices=Source.choices, required=False, default=Source.PATROL)
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="", validators=[phone_validator])
    contact_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="", help_text="The caller, for a report by phone.")
    client_uuid = serializers.UUIDField(required=False, allow_null=True, default=None)
    handled_on_spot = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReportWithPhotosSerializer(ReportSerializer):
    """A report as multipart/form-data: the fields, and photos as repeated file parts."""

    photos = photo_list()
    before_photos = photo_list(help_text="A problem handled on the spot (自行处置): photos before it was fixed.")
    after_photos = photo_list(help_text="A problem handled on the spot: photos after it was fixed.")


class IncidentFilterSerializer(serializers.Serializer):
    """Query-string filters shared by the incident list and the measures."""

    status = serializers.ChoiceField(choices=Status.CHOICES, required=False)
    closure = serializers.ChoiceField(choices=Closure.CHOICES, required=False, help_text="How a closed case was closed.")
    grid = serializers.CharField(required=False, help_text="Grid code.")
    community = serializers.CharField(required=False, help_text="Community code.")
    category = serializers.CharField(required=False, help_text="Category code; a major category includes its minor ones.")
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    unrouted = serializers.BooleanField(required=False, allow_null=True, default=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # `from` is a Python keyword, so these two cannot be declared as attributes.
        self.fields["from"] = serializers.DateField(required=False, help_text="First day reported (YYYY-MM-DD).")
        self.fields["to"] = serializers.DateField(required=False, help_text="Last day reported (YYYY-MM-DD).")

    def validate(self, values):
        if values.get("from") and values.get("to") and values["from"] > values["to"]:
            raise serializers.ValidationError({"to": _("The end of the period is before its start.")})
        return values

    def selector_kwargs(self) -> dict:
        values = dict(self.validated_data)
        values["reported_from"] = values.pop("from", None)
        values["reported_to"] = values.pop("to", None)
        return values



def _action_view(name: str):
    input_serializer = ACTIONS[name][0]
    bodies = {"application/json": JSON_INPUT.get(name, input_serializer)}
    if name in JSON_INPUT:
        bodies["multipart/form-data"] = input_serializer

    def view(self, request, pk=None):
        # A case the asker may not see does not exist for them: 404, as for a missing id.
        incident = incidents_visible_to(request.user).filter(pk=pk).first()
        if incident is None:
            raise NotFound(_("No such incident."))
        # Not theirs to take (403) or not now (409), before anything is said about the body;
        # the service asks again under the lock.
        try:
            services.incident_check_action(incident=incident, actor=request.user, action=name, at=timezone.now())
        except WorkflowError as error:
            return workflow_error_response(error)
        body = input_serializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        try:
            action_take(name, incident_id=int(pk), actor=request.user, values=body.validated_data)
        except WorkflowError as error:
            return workflow_error_response(error)
        return self.detail_response(pk)

    view.__name__ = name
    view.__doc__ = f"{action_label(name)} (see incidents/workflow.py for who may, from which status)."
    routed = action(detail=True, methods=["post"], url_path=name.replace("_", "-"), serializer_class=input_serializer)(view)
    return extend_schema(request=bodies, responses={200: IncidentDetailSerializer})(routed)


class IncidentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = ID_PATTERN
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return incidents_visible_to(self.request.user).prefetch_related("photos")

    def get_serializer_class(self):
        if self.action == "create":
            return ReportWithPhotosSerializer
        return IncidentDetailSerializer if self.action == "retrieve" else IncidentSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    @extend_schema(parameters=[IncidentFilterSerializer])
    def list(self, request, *args, **kwargs):
        filters = IncidentFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        incidents = incidents_filter(self.get_queryset(), now=timezone.now(), **filters.selector_kwargs())
        page = self.paginate_queryset(incidents)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return self.detail_response(kwargs["pk"])

    @extend_schema(
        request={"application/json": ReportSerializer, "multipart/form-data": ReportWithPhotosSerializer},
        responses={201: IncidentDetailSerializer, 200: IncidentDetailSerializer},
    )
    def create(self, request, *args, **kwargs):
        body = ReportWithPhotosSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        photos = services.Photos(
            report=values.pop("photos", []), before=values.pop("before_photos", []), after=values.pop("after_photos", [])
        )
        try:
            incident, created = services.incident_report(reporter=request.user, photos=photos, **values)
        except WorkflowError as error:
            return workflow_error_response(error)
        response = self.detail_response(incident.pk)
        response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return response

    def detail_response(self, incident_id) -> Response:
        incident = incident_get_for_user(user=self.request.user, incident_id=incident_id)
        return Response(IncidentDetailSerializer(incident, context=self.get_serializer_context()).data)



# One view per action of the table; the router finds them on the class.
for _name in ACTIONS:
    setattr(IncidentViewSet, _name, _action_view(_name))


class StageMeasureSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    done_on_time = serializers.IntegerField()
    late_open = serializers.IntegerField()
    timely_rate = serializers.FloatField(allow_null=True)
    average_minutes = serializers.FloatField(allow_null=True)


def _counts_serializer(name: str, choices) -> type[serializers.Serializer]:
    return type(name, (serializers.Serializer,), {key: serializers.IntegerField() for key, _label in choices})


ClosureCountSerializer = _counts_serializer("ClosureCountSerializer", Closure.CHOICES)
CardCountSerializer = _counts_serializer("CardCountSerializer", Card.CHOICES)
StagesSerializer = type("StagesSerializer", (serializers.Serializer,), {stage: StageMeasureSerializer() for stage in Stage.ORDER})


class SummarySerializer(serializers.Serializer):
    """The measures, as defined in incidents/stats.py; rates are percentages, null when nothing is due."""

    reported = serializers.IntegerField()
    rejected = serializers.IntegerField()
    merged = serializers.IntegerField()
    open = serializers.IntegerField()
    due = serializers.IntegerField()
    closed = serializers.IntegerField()
    closed_on_time = serializers.IntegerField()
    closed_late = serializers.IntegerField()
    overdue_open = serializers.IntegerField()
    reworked = serializers.IntegerField()
    suspended = serializers.IntegerField()
    dispatched = serializers.IntegerField()
    accurately_dispatched = serializers.IntegerField()
    returned = serializers.IntegerField()
    extended = serializers.IntegerField()
    appeals = serializers.IntegerField()
    appeals_upheld = serializers.IntegerField()
    completion_rate = serializers.FloatField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True)
    overdue_completion_rate = serializers.FloatField(allow_null=True)
    rework_rate = serializers.FloatField(allow_null=True)
    timely_dispatch_rate = serializers.FloatField(allow_null=True)
    accurate_dispatch_rate = serializers.FloatField(allow_null=True)
    extension_rate = serializers.FloatField(allow_null=True)
    average_dispatch_minutes = serializers.FloatField(allow_null=True)
    average_handle_minutes = serializers.FloatField(allow_null=True)
    average_close_hours = serializers.FloatField(allow_null=True)
    closures = ClosureCountSerializer()
    cards = CardCountSerializer()
    stages = StagesSerializer()
    as_of = serializers.DateTimeField()
    filters = serializers.DictField(child=serializers.CharField())


class StatsSummaryView(APIView):
    """The measures of the cases reported in the period (town time), in the asker's scope: the
    town for the command centre, inspectors and officials, their grids for a grid worker, their
    department for its members — the dashboard's figures for the same filters. Without `from`,
    since the first case; without `to`, up to today."""

    @extend_schema(parameters=[IncidentFilterSerializer], responses=SummarySerializer)
    def get(self, request):
        filters = IncidentFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        now = timezone.now()
        values = filters.validated_data
        today = timezone.localdate(now)
        first = values.get("from") or stats.first_reported_day() or today
        chosen = stats.Filters.by_codes(
            first, values.get("to") or today,
            community=values.get("community", ""), grid=values.get("grid", ""), category=values.get("category", ""),
        ).within(request.user)
        if any(values.get(name) is not None for name in ("status", "closure", "overdue", "unrouted")):
            # Filters the daily counts do not split by: counted from the cases themselves.
            incidents = incidents_filter(stats.filter_cases(Incident.objects.all(), chosen), now=now, **filters.selector_kwargs())
            summary = stats.incident_summary(incidents, now=now)
        else:
            summary = stats.summary(chosen, now=now)
        applied = {key: str(value) for key, value in values.items() if value is not None}
        return Response({**summary, "as_of": timezone.localtime(now), "filters": applied})
