"""The volunteer service API, JSON in and out: parse the request, call one service or selector,
render. Teams and volunteers are read here (phones masked but for the command centre, whose
every full sight is recorded); activities are listed, read and recorded; the coverage of a
period is computed as the console's page shows it.
"""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from govgrid.ids import ID_PATTERN, id_field
from grids.models import Grid
from incidents.errors import NotAllowed, WorkflowError
from patrols.api import error_response

from . import services
from .models import MAX_HOURS_PER_ACTIVITY, Activity, ActivityPhoto, Team, Volunteer
from .selectors import (
    FIRST_DAY,
    LAST_DAY,
    activities_filter,
    activities_visible_to,
    activity_get_for_user,
    coverage,
    may_read,
    may_read_town,
    may_record_in,
    period_bounds,
    phones_shown_to,
    teams_visible_to,
    volunteers_filter,
    volunteers_visible_to,
)

# One name in the schema for the kinds of an activity, however many components list them
# (settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
ACTIVITY_KINDS = Activity.Kind.choices


class VolunteerTeamSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="community.code", allow_null=True, default=None, help_text="Community code; null for a town-wide team.")
    leader = serializers.IntegerField(source="leader_id", allow_null=True, help_text="The leading volunteer's id.")
    members = serializers.IntegerField(help_text="Active volunteers of the team.")
    hours = serializers.DecimalField(max_digits=10, decimal_places=1, help_text="Hours served at the team's activities.")

    class Meta:
        model = Team
        fields = ["id", "name", "kind", "community", "leader", "members", "hours"]


class VolunteerSerializer(serializers.ModelSerializer):
    team = serializers.IntegerField(source="team_id")
    team_name = serializers.CharField(source="team.name")
    phone = serializers.SerializerMethodField(help_text="In full for the command centre (and recorded), masked for everyone else.")
    hours = serializers.DecimalField(max_digits=10, decimal_places=1, help_text="Service hours: the sum of the hours at their activities.")

    class Meta:
        model = Volunteer
        fields = ["id", "name", "team", "team_name", "profession", "skills", "phone", "active", "hours"]

    def get_phone(self, volunteer) -> str:
        return self.context["phones"].get(volunteer.pk, "")


class VolunteerFilterSerializer(serializers.Serializer):
    team = id_field(required=False, help_text="Team id.")
    profession = serializers.ChoiceField(choices=Volunteer.Profession.choices, required=False)
    search = serializers.CharField(required=False, max_length=50, help_text="Part of the name or the skills.")


class ActivityVolunteerInSerializer(serializers.Serializer):
    volunteer = id_field(help_text="Volunteer id.")
    name = serializers.CharField(source="volunteer.name", read_only=True)
    hours = serializers.DecimalField(max_digits=4, decimal_places=1, min_value=Decimal("0.1"), max_value=MAX_HOURS_PER_ACTIVITY)


class ActivityVolunteerSerializer(serializers.Serializer):
    volunteer = serializers.IntegerField(source="volunteer_id")
    name = serializers.CharField(source="volunteer.name")
    hours = serializers.DecimalField(max_digits=4, decimal_places=1)


class ActivityCompoundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    is_old = serializers.BooleanField()


class ActivityPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = ActivityPhoto
        fields = ["id", "url", "width", "height", "created_at"]

    def get_url(self, photo) -> str:
        return f"/console/volunteers/photos/{photo.pk}/"


class VolunteerActivitySerializer(serializers.ModelSerializer):
    team = serializers.IntegerField(source="team_id")
    team_name = serializers.CharField(source="team.name")
    grid = serializers.CharField(source="grid.code", help_text="Grid code.")
    is_outreach = serializers.BooleanField(help_text="An outreach session (宣讲场次): policy or party-history outreach.")
    hours = serializers.DecimalField(max_digits=10, decimal_places=1, help_text="Hours served by all its volunteers.")
    volunteer_count = serializers.IntegerField(default=0)

    class Meta:
        model = Activity
        fields = ["id", "kind", "is_outreach", "title", "date", "team", "team_name", "grid", "audience", "volunteer_count", "hours"]


class VolunteerActivityDetailSerializer(VolunteerActivitySerializer):
    compounds = ActivityCompoundSerializer(many=True)
    volunteers = ActivityVolunteerSerializer(source="participations", many=True)
    photos = ActivityPhotoSerializer(many=True)

    class Meta(VolunteerActivitySerializer.Meta):
        fields = VolunteerActivitySerializer.Meta.fields + ["notes", "compounds", "volunteers", "photos", "created_at"]


class VolunteerActivityFilterSerializer(serializers.Serializer):
    start = serializers.DateField(required=False, help_text="First day (YYYY-MM-DD).")
    end = serializers.DateField(required=False, help_text="Last day (YYYY-MM-DD).")
    kind = serializers.ChoiceField(choices=[("outreach", "outreach sessions"), *Activity.Kind.choices], required=False)
    team = id_field(required=False, help_text="Team id.")
    grid = serializers.CharField(required=False, max_length=15, help_text="Grid code.")

    def validate(self, values):
        for name in ("start", "end"):
            if name in values and not FIRST_DAY <= values[name] <= LAST_DAY:
                raise serializers.ValidationError({name: _("A day from %(first)s to %(last)s.") % {"first": FIRST_DAY, "last": LAST_DAY}})
        return values


class VolunteerActivityCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Activity.Kind.choices)
    title = serializers.CharField(max_length=200)
    team = id_field(help_text="Team id.")
    date = serializers.DateField(help_text="The day it was held: today or earlier.")
    grid = serializers.CharField(max_length=15, help_text="Code of the grid it was held in (a grid worker: one of theirs).")
    audience = serializers.IntegerField(
        min_value=0, help_text="People reached.",
        error_messages={"min_value": gettext_lazy("The audience cannot be below zero."), "invalid": gettext_lazy("The audience is a whole number of people.")},
    )
    compounds = serializers.ListField(
        child=id_field(), required=False, default=list, help_text="Ids of the compounds reached: compounds of the activity's grid only.",
    )
    volunteers = ActivityVolunteerInSerializer(many=True, help_text="At least one: each volunteer once, with their hours (0 < hours ≤ 24).")
    notes = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000)


class ActivityPhotoUploadSerializer(serializers.Serializer):
    photos = serializers.ListField(child=serializers.FileField(), help_text="JPEG, PNG, WebP or HEIC; at most PHOTO_MAX_COUNT (9) an activity.")


class VolunteerCoverageQuerySerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=["year", "quarter", "month", "custom"], required=False, default="year")
    year = serializers.IntegerField(required=False, min_value=FIRST_DAY.year, max_value=LAST_DAY.year)
    quarter = serializers.IntegerField(required=False, min_value=1, max_value=4)
    month = serializers.IntegerField(required=False, min_value=1, max_value=12)
    start = serializers.DateField(required=False, help_text="First day of a custom period.")
    end = serializers.DateField(required=False, help_text="Last day of a custom period.")
    team = id_field(required=False, help_text="Team id: that team's activities only.")

    def validate(self, values):
        for name in ("start", "end"):
            if name in values and not FIRST_DAY <= values[name] <= LAST_DAY:
                raise serializers.ValidationError({name: _("A day from %(first)s to %(last)s.") % {"first": FIRST_DAY, "last": LAST_DAY}})
        try:
            values["first"], values["last"] = period_bounds(
                kind=values["period"], today=timezone.localdate(), year=values.get("year"), quarter=values.get("quarter"),
                month=values.get("month"), first=values.get("start"), last=values.get("end"),
            )
        except ValueError as wrong:
            raise serializers.ValidationError({"end": str(wrong)}) from None
        return values


class VolunteerFiguresSerializer(serializers.Serializer):
    sessions = serializers.IntegerField(help_text="Outreach sessions (宣讲场次) held.")
    activities = serializers.IntegerField(help_text="Activities of every kind held.")
    grids_reached = serializers.IntegerField(help_text="Grids an outreach session was held in.")
    old_compounds_reached = serializers.IntegerField(help_text="Old compounds an outreach session reached.")
    audience = serializers.IntegerField(help_text="People reached by all activities.")
    hours = serializers.DecimalField(max_digits=12, decimal_places=1, help_text="Volunteer hours served at all activities.")


class VolunteerTeamFiguresSerializer(VolunteerFiguresSerializer):
    team = serializers.IntegerField()
    team_name = serializers.CharField()


class VolunteerMonthFiguresSerializer(VolunteerFiguresSerializer):
    month = serializers.CharField(help_text="YYYY-MM.")


class VolunteerCoverageSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    team = serializers.IntegerField(allow_null=True)
    total = VolunteerFiguresSerializer()
    grid_count = serializers.IntegerField(help_text="All the town's grids.")
    old_compound_count = serializers.IntegerField(help_text="All the town's old compounds.")
    by_team = VolunteerTeamFiguresSerializer(many=True)
    by_month = VolunteerMonthFiguresSerializer(many=True)
    grids_missing = serializers.ListField(child=serializers.DictField(), help_text="Grids no outreach session reached: code, name, community.")
    old_compounds_missing = serializers.ListField(child=serializers.DictField(), help_text="Old compounds no outreach session reached: id, name, grid, community.")


class _ServiceErrors:
    def handle_exception(self, exc):
        """A service's refusal, answered with its status and field messages; nothing was changed."""
        if isinstance(exc, WorkflowError):
            return error_response(exc)
        return super().handle_exception(exc)


class TeamViewSet(viewsets.ReadOnlyModelViewSet):
    """Volunteer teams (红色义工, 宣讲团, 法律援助, 三官一律) with their members and hours."""

    serializer_class = VolunteerTeamSerializer
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        return teams_visible_to(self.request.user).order_by("name")


class VolunteerViewSet(viewsets.GenericViewSet):
    """Volunteers with their service hours; phones masked but for the command centre."""

    serializer_class = VolunteerSerializer
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        return volunteers_visible_to(self.request.user).order_by("team__name", "name", "pk")

    def _render(self, volunteers, *, many: bool):
        phones = phones_shown_to(self.request.user, volunteers, where=self.request.path)
        shown = volunteers if many else volunteers[0]
        return VolunteerSerializer(shown, many=many, context={"phones": phones}).data

    @extend_schema(parameters=[VolunteerFilterSerializer], responses=VolunteerSerializer(many=True))
    def list(self, request):
        filters = VolunteerFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        team = Team.objects.filter(pk=values["team"]).first() if "team" in values else None
        if "team" in values and team is None:
            return Response({"detail": _("No such team."), "team": [_("No such team.")]}, status=status.HTTP_400_BAD_REQUEST)
        found = volunteers_filter(self.get_queryset(), team=team, profession=values.get("profession", ""), search=values.get("search", "").strip())
        page = list(self.paginate_queryset(found))
        return self.get_paginated_response(self._render(page, many=True))

    @extend_schema(responses=VolunteerSerializer)
    def retrieve(self, request, pk=None):
        volunteer = self.get_queryset().filter(pk=pk).first()
        if volunteer is None:
            raise NotFound(_("No such volunteer."))
        return Response(self._render([volunteer], many=False))


class ActivityViewSet(_ServiceErrors, viewsets.GenericViewSet):
    """Volunteer activities: listed and read by whoever may see them (a grid worker: their
    grids'), recorded by the command centre anywhere and by a grid worker in their grids."""

    serializer_class = VolunteerActivitySerializer
    parser_classes = [JSONParser]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        return activities_visible_to(self.request.user)

    @extend_schema(parameters=[VolunteerActivityFilterSerializer], responses=VolunteerActivitySerializer(many=True))
    def list(self, request):
        filters = VolunteerActivityFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        team = Team.objects.filter(pk=values["team"]).first() if "team" in values else None
        grid = Grid.objects.filter(code=values["grid"]).first() if "grid" in values else None
        errors = {}
        if "team" in values and team is None:
            errors["team"] = [_("No such team.")]
        if "grid" in values and grid is None:
            errors["grid"] = [_("No such grid.")]
        if errors:
            return Response({"detail": _("No such team or grid."), **errors}, status=status.HTTP_400_BAD_REQUEST)
        found = activities_filter(
            self.get_queryset(), first=values.get("start"), last=values.get("end"), kind=values.get("kind", ""), team=team, grid=grid,
        )
        page = self.paginate_queryset(found)
        return self.get_paginated_response(VolunteerActivitySerializer(page, many=True).data)

    @extend_schema(responses=VolunteerActivityDetailSerializer)
    def retrieve(self, request, pk=None):
        return Response(VolunteerActivityDetailSerializer(activity_get_for_user(user=request.user, activity_id=int(pk))).data)

    @extend_schema(request=VolunteerActivityCreateSerializer, responses={201: VolunteerActivityDetailSerializer})
    def create(self, request):
        """Record an activity (201). Photos are added to it after, one request each batch."""
        if not may_read(request.user):
            raise NotFound(_("No such API address."))
        if not may_record_in(request.user, None):
            raise NotAllowed(_("Your role does not record volunteer activities."))
        body = VolunteerActivityCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        team = Team.objects.filter(pk=values["team"]).first()
        grid = Grid.objects.filter(code=values["grid"]).first()
        errors = {}
        if team is None:
            errors["team"] = [_("No such team.")]
        if grid is None:
            errors["grid"] = [_("No such grid.")]
        if errors:
            return Response({"detail": _("The activity was not recorded: see the fields."), **errors}, status=status.HTTP_400_BAD_REQUEST)
        recorded = services.activity_record(
            actor=request.user, kind=values["kind"], title=values["title"], team=team, day=values["date"], grid=grid,
            audience=values["audience"], volunteer_hours=[(part["volunteer"], part["hours"]) for part in values["volunteers"]],
            compound_ids=values["compounds"], notes=values["notes"],
        )
        return Response(VolunteerActivityDetailSerializer(activity_get_for_user(user=request.user, activity_id=recorded.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request={"multipart/form-data": ActivityPhotoUploadSerializer}, responses={201: VolunteerActivityDetailSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def photos(self, request, pk=None):
        """Add photos to an activity (multipart, field `photos`, several at once)."""
        shown = activity_get_for_user(user=request.user, activity_id=int(pk))
        services.activity_add_photos(actor=request.user, activity=shown, photos=request.FILES.getlist("photos"))
        return Response(VolunteerActivityDetailSerializer(activity_get_for_user(user=request.user, activity_id=shown.pk)).data, status=status.HTTP_201_CREATED)


class CoverageView(APIView):
    """The coverage of a period (this year unless asked): outreach sessions held, the grids and
    old compounds they reached of all the town's, people reached and hours served; by team and
    by month; and the grids and old compounds not yet reached."""

    @extend_schema(parameters=[VolunteerCoverageQuerySerializer], responses=VolunteerCoverageSerializer)
    def get(self, request):
        if not may_read_town(request.user):
            raise NotFound(_("No such API address."))
        query = VolunteerCoverageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        team = None
        if "team" in values:
            team = Team.objects.filter(pk=values["team"]).first()
            if team is None:
                return Response({"detail": _("No such team."), "team": [_("No such team.")]}, status=status.HTTP_400_BAD_REQUEST)
        figures = coverage(first=values["first"], last=values["last"], team=team)
        return Response(VolunteerCoverageSerializer({
            "start": figures.first, "end": figures.last, "team": team.pk if team else None, "total": _figures_of(figures.total),
            "grid_count": figures.grid_count, "old_compound_count": figures.old_compound_count,
            "by_team": [_figures_of(row, team=shown.pk, team_name=shown.name) for shown, row in figures.by_team],
            "by_month": [_figures_of(row, month=f"{month:%Y-%m}") for month, row in figures.by_month],
            "grids_missing": [{"code": grid.code, "name": grid.name, "community": grid.community.name} for grid in figures.grids_missing],
            "old_compounds_missing": [
                {"id": compound.pk, "name": compound.name, "grid": compound.grid.code, "community": compound.grid.community.name}
                for compound in figures.old_compounds_missing
            ],
        }).data)


def _figures_of(figures, **extra) -> dict:
    return {
        "sessions": figures.sessions, "activities": figures.activities, "grids_reached": len(figures.grids),
        "old_compounds_reached": len(figures.old_compounds),
        "audience": figures.audience, "hours": figures.hours, **extra,
    }
