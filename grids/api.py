from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.privacy import phone_shown_to
from govgrid.ids import ID_PATTERN

from .geojson import grid_feature
from .models import Grid, GridWorker


FEATURE_COLLECTION = {
    "type": "object",
    "description": "Every grid as a GeoJSON Feature: its boundary (WGS-84), its code as the id, code, name and community in the properties.",
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "type": {"type": "string", "enum": ["Feature"]},
                    "id": {"type": "string"},
                    "geometry": {"type": "object", "description": "A GeoJSON Polygon or MultiPolygon."},
                    "properties": {
                        "type": "object",
                        "properties": {"code": {"type": "string"}, "name": {"type": "string"}, "community": {"type": "string"}},
                        "required": ["code", "name", "community"],
                    },
                },
                "required": ["type", "id", "geometry", "properties"],
            },
        },
    },
    "required": ["type", "features"],
}


class GridSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="community.code")
    community_name = serializers.CharField(source="community.name")

    class Meta:
        model = Grid
        fields = ["id", "code", "name", "community", "community_name", "boundary"]


class GridViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Grid.objects.select_related("community")
    serializer_class = GridSerializer
    lookup_field = "code"

    @extend_schema(responses={200: FEATURE_COLLECTION})
    @action(detail=False, pagination_class=None)
    def geojson(self, request):
        """All grids as one GeoJSON FeatureCollection, for maps."""
        features = [grid_feature(grid, community=grid.community.name) for grid in self.get_queryset()]
        return Response({"type": "FeatureCollection", "features": features})


class WorkerSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField(source="user.id")
    username = serializers.CharField(source="user.username")
    name = serializers.CharField(source="user.display_name")
    phone = serializers.SerializerMethodField()
    grids = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = GridWorker
        fields = ["user_id", "username", "name", "phone", "full_time", "grids"]

    def get_phone(self, worker) -> str:
        return phone_shown_to(self.context["request"].user, worker.user.phone)


class WorkerViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = GridWorker.objects.select_related("user").prefetch_related("grids").filter(user__is_active=True)
    serializer_class = WorkerSerializer
    lookup_field = "user_id"
    lookup_value_regex = ID_PATTERN
