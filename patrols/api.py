"""The patrol API, JSON in and out: parse the request, call one service or selector, render.

A patrol the asker may not see is a 404; one they may see but is not theirs (the command centre
looking at a worker's) is a 403 for any change.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from govgrid.ids import id_field
from govgrid.schema import ERROR
from grids.models import Grid
from incidents.errors import NotAllowed, WorkflowError

from . import services
from .models import Patrol, PatrolCheckin
from .selectors import FIRST_DAY, LAST_DAY, patrol_get_for_user, patrol_track, patrols_filter, patrols_visible_to, with_checkins

UUID_PATTERN = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
CONFLICT = OpenApiResponse(
    ERROR, description="Another patrol is running, the patrol was stopped before these, or the UUID is another patrol's."
)


def error_response(error: WorkflowError) -> Response:
    """{"detail": message, field: [message]}; a list's messages keyed by the item's index:
    {"points": {"3": ["lat: Must be a number."]}}."""
    body = {"detail": error.message}
    for name, message in error.fields.items():
        if isinstance(message, dict):
            body[name] = {key: [str(line) for line in lines] for key, lines in message.items()}
        else:
            body[name] = [str(message)]
    return Response(body, status=error.status_code)


class PatrolGridSerializer(serializers.ModelSerializer):
    class Meta:
        model = Grid
        fields = ["code", "name"]


class PatrolCompoundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PatrolCheckinSerializer(serializers.ModelSerializer):
    compound = PatrolCompoundSerializer()
    compound_name = serializers.CharField(source="compound.name")
    distance_m = serializers.SerializerMethodField(help_text="Metres from the compound, rounded.")

    class Meta:
        model = PatrolCheckin
        fields = ["uuid", "compound", "compound_name", "at", "distance_m"]

    def get_distance_m(self, checkin) -> int:
        return round(checkin.distance_m)


class PatrolSerializer(serializers.ModelSerializer):
    worker = serializers.CharField(source="worker.username", help_text="The grid worker's user name.")
    worker_name = serializers.CharField(source="worker.display_name")
    grid = PatrolGridSerializer()
    running = serializers.BooleanField(read_only=True)
    duration_s = serializers.SerializerMethodField(help_text="Seconds from the start to the end, or to now while it runs.")
    distance_m = serializers.SerializerMethodField(help_text="Metres walked, from the kept positions.")
    coverage = serializers.FloatField(allow_null=True, help_text="Share (0 to 1) of the grid's area within PATROL_COVERAGE_METRES (30 m) of the track; null until positions arrive.")
    checkins = PatrolCheckinSerializer(many=True, read_only=True)

    class Meta:
        model = Patrol
        fields = [
            "uuid", "id", "worker", "worker_name", "grid", "started_at", "ended_at", "running",
            "duration_s", "distance_m", "coverage", "point_count", "checkins",
        ]

    def get_duration_s(self, patrol) -> int:
        return patrol.duration_seconds(self.context.get("now") or timezone.now())

    def get_distance_m(self, patrol) -> int:
        return round(patrol.distance_m)


class PatrolTrackSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["LineString"])
    coordinates = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2),
        help_text="[longitude, latitude] of each kept position in time order (WGS-84); fewer than two before the patrol has moved.",
    )


class PatrolDetailSerializer(PatrolSerializer):
    track = serializers.SerializerMethodField()

    class Meta(PatrolSerializer.Meta):
        fields = PatrolSerializer.Meta.fields + ["track"]

    @extend_schema_field(PatrolTrackSerializer)
    def get_track(self, patrol) -> dict:
        return {"type": "LineString", "coordinates": [[longitude, latitude] for latitude, longitude in patrol_track(patrol)]}


class PatrolFilterSerializer(serializers.Serializer):
    date = serializers.DateField(required=False, help_text="The town-local day the patrols started (YYYY-MM-DD).")
    worker = serializers.CharField(required=False, max_length=150, help_text="The grid worker's user name.")
    grid = serializers.CharField(required=False, max_length=15, help_text="Grid code.")

    def validate_date(self, day):
        if not FIRST_DAY <= day <= LAST_DAY:
            raise serializers.ValidationError(_("A day from %(first)s to %(last)s.") % {"first": FIRST_DAY, "last": LAST_DAY})
        return day


class PatrolStartSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(help_text="Made on the phone; sending it again returns the same patrol.")
    started_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="When it started on the phone (ISO 8601); within the last 24 hours. Now if left out."
    )
    grid = serializers.CharField(
        required=False, allow_null=True, default=None, max_length=15,
        help_text="Code of one of the worker's grids; left out, the first by code, or for a worker of several the one of the first position.",
    )


class PatrolPointSerializer(serializers.Serializer):
    """One GPS fix as the phone reads it."""

    t = serializers.IntegerField(help_text="When it was taken, in milliseconds since 1970 (JavaScript's Date.now()).")
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)
    accuracy = serializers.FloatField(min_value=0, help_text="Metres (GeolocationCoordinates.accuracy).")


class PatrolPointsDocSerializer(serializers.Serializer):
    points = PatrolPointSerializer(many=True)


class PatrolPointsSerializer(serializers.Serializer):
    """Each position is checked by the service, which names a bad one by its index."""

    points = serializers.ListField(child=serializers.JSONField(), allow_empty=True)


class PatrolPointsAnswerSerializer(serializers.Serializer):
    accepted = serializers.IntegerField(help_text="Positions kept (sending a batch again gives the same answer and adds nothing).")
    dropped = serializers.IntegerField(help_text="Positions left out: too inaccurate, too near the previous one, or after the patrol's end.")
    patrol = PatrolSerializer()


class PatrolStopSerializer(serializers.Serializer):
    ended_at = serializers.DateTimeField(required=False, allow_null=True, default=None, help_text="When it ended on the phone; now if left out.")


class PatrolCheckinInputSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(help_text="The check-in's own UUID, made on the phone.")
    compound = id_field(help_text="The compound's id (one of the worker's grids).")
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None, help_text="When it was made on the phone; now if left out.")


class PatrolViewSet(viewsets.GenericViewSet):
    """A grid worker's patrols (巡查): start, send the track in batches, check in, stop."""

    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN
    parser_classes = [JSONParser]
    serializer_class = PatrolSerializer

    def get_queryset(self):
        return with_checkins(patrols_visible_to(self.request.user))

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    def _own(self, uuid) -> Patrol:
        """The asker's own patrol: 404 if they may not see it, 403 if it is not theirs."""
        patrol = patrols_visible_to(self.request.user).filter(uuid=uuid).first()
        if patrol is None:
            raise NotFound(_("No such patrol."))
        if patrol.worker_id != self.request.user.pk:
            raise NotAllowed(_("Only the grid worker on this patrol can change it."))
        return patrol

    def handle_exception(self, exc):
        """A service's refusal, answered with its status and field messages; nothing was changed."""
        if isinstance(exc, WorkflowError):
            return error_response(exc)
        return super().handle_exception(exc)

    def patrol_response(self, patrol: Patrol, code=status.HTTP_200_OK) -> Response:
        patrol = with_checkins(patrols_visible_to(self.request.user)).get(pk=patrol.pk)
        return Response(PatrolSerializer(patrol, context=self.get_serializer_context()).data, status=code)

    @extend_schema(parameters=[PatrolFilterSerializer], responses=PatrolSerializer(many=True))
    def list(self, request):
        """The patrols the asker may see, newest first: a worker's own, or the town's."""
        filters = PatrolFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        patrols = patrols_filter(self.get_queryset(), day=values.get("date"), worker=values.get("worker"), grid=values.get("grid"))
        page = self.paginate_queryset(patrols)
        return self.get_paginated_response(PatrolSerializer(page, many=True, context=self.get_serializer_context()).data)

    @extend_schema(responses=PatrolDetailSerializer)
    def retrieve(self, request, uuid=None):
        """The patrol with its track as a GeoJSON LineString and its check-ins."""
        patrol = patrol_get_for_user(user=request.user, uuid=uuid)
        return Response(PatrolDetailSerializer(patrol, context=self.get_serializer_context()).data)

    @extend_schema(request=PatrolStartSerializer, responses={201: PatrolSerializer, 200: PatrolSerializer, 409: CONFLICT})
    def create(self, request):
        """Start a patrol (201); the same UUID again answers the same patrol (200)."""
        services.patrol_check_worker(worker=request.user)
        body = PatrolStartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        grid = None
        if values["grid"]:
            grid = Grid.objects.filter(code=values["grid"]).first()
            if grid is None:
                return Response({"detail": _("No such grid."), "grid": [_("No such grid.")]}, status=status.HTTP_400_BAD_REQUEST)
        patrol, created = services.patrol_start(worker=request.user, uuid=values["uuid"], started_at=values["started_at"], grid=grid)
        return self.patrol_response(patrol, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=PatrolPointsDocSerializer, responses={200: PatrolPointsAnswerSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], serializer_class=PatrolPointsSerializer)
    def points(self, request, uuid=None):
        """A batch of GPS positions; thinned and filtered here, the figures recomputed."""
        self._own(uuid)
        body = PatrolPointsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        answer = services.patrol_add_points(worker=request.user, uuid=uuid, points=body.validated_data["points"])
        patrol = self.patrol_response(answer["patrol"]).data
        return Response({"accepted": answer["accepted"], "dropped": answer["dropped"], "patrol": patrol})

    @extend_schema(request=PatrolStopSerializer, responses={200: PatrolSerializer})
    @action(detail=True, methods=["post"], serializer_class=PatrolStopSerializer)
    def stop(self, request, uuid=None):
        """Stop the patrol; a stopped one is answered as it is."""
        self._own(uuid)
        body = PatrolStopSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        patrol = services.patrol_stop(worker=request.user, uuid=uuid, ended_at=body.validated_data["ended_at"])
        return self.patrol_response(patrol)

    @extend_schema(request=PatrolCheckinInputSerializer, responses={201: PatrolCheckinSerializer, 200: PatrolCheckinSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], serializer_class=PatrolCheckinInputSerializer)
    def checkins(self, request, uuid=None):
        """Check in (打卡) at a compound of the worker's grids, within reach of it (201); the same
        check-in UUID again answers the same check-in (200)."""
        self._own(uuid)
        body = PatrolCheckinInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        checkin, created = services.patrol_checkin(
            worker=request.user, uuid=uuid, checkin_uuid=values["uuid"], compound_id=values["compound"],
            latitude=values["lat"], longitude=values["lng"], at=values["at"],
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(PatrolCheckinSerializer(checkin).data, status=code)

