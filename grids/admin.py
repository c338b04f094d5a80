from django import forms
from django.contrib import admin
from django.contrib.admin.options import IS_POPUP_VAR
from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .geojson import grid_feature
from .models import Community, Compound, Grid, GridWorker, Town
from .widgets import BoundaryMapWidget, map_settings_json

# Community colours on the overview map, given out in community-code order.
COMMUNITY_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"]


@admin.register(Town)
class TownAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "county"]
    search_fields = ["code", "name"]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "town"]
    list_filter = ["town"]
    search_fields = ["code", "name"]


class GridAdminForm(forms.ModelForm):
    """Draws the boundary on a map, with the other grids around it for reference."""

    class Meta:
        model = Grid
        fields = ["community", "code", "name", "boundary"]
        widgets = {"boundary": BoundaryMapWidget}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        others = Grid.objects.exclude(pk=self.instance.pk).only("code", "name", "boundary")
        self.fields["boundary"].widget.context_grids = [grid_feature(grid) for grid in others]


@admin.register(Grid)
class GridAdmin(admin.ModelAdmin):
    form = GridAdminForm
    list_display = ["code", "name", "community", "compound_count", "worker_count"]
    list_filter = ["community__town", "community"]
    list_select_related = ["community"]
    search_fields = ["code", "name", "community__name"]
    readonly_fields = ["updated_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            compounds_total=Count("compounds", distinct=True), workers_total=Count("workers", distinct=True)
        )

    @admin.display(description=_("compounds"), ordering="compounds_total")
    def compound_count(self, grid):
        return grid.compounds_total

    @admin.display(description=_("grid workers"), ordering="workers_total")
    def worker_count(self, grid):
        return grid.workers_total

    def changelist_view(self, request, extra_context=None):
        if IS_POPUP_VAR not in request.GET:
            extra_context = {**(extra_context or {}), **self.overview_context(request)}
        return super().changelist_view(request, extra_context)

    def overview_context(self, request) -> dict:
        """Every grid, coloured by community, and every compound the user may see, for the map
        above the list; each links to its change page."""
        communities = Community.objects.filter(grids__isnull=False).distinct().order_by("code")
        colours = {community.pk: COMMUNITY_COLOURS[i % len(COMMUNITY_COLOURS)] for i, community in enumerate(communities)}
        grids = [
            grid_feature(
                grid,
                community=grid.community.name,
                color=colours[grid.community_id],
                url=reverse("admin:grids_grid_change", args=[grid.pk]),
            )
            for grid in Grid.objects.select_related("community")
        ]
        compounds = []
        if self.admin_site.get_model_admin(Compound).has_view_permission(request):
            compounds = [
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [compound.longitude, compound.latitude]},
                    "properties": {"name": compound.name, "is_old": compound.is_old, "url": reverse("admin:grids_compound_change", args=[compound.pk])},
                }
                for compound in Compound.objects.all()
            ]
        return {
            "map_json": map_settings_json(),
            "overview": {
                "grids": {"type": "FeatureCollection", "features": grids},
                "compounds": {"type": "FeatureCollection", "features": compounds},
            },
            "overview_legend": [(community.name, colours[community.pk]) for community in communities],
        }


@admin.register(Compound)
class CompoundAdmin(admin.ModelAdmin):
    list_display = ["name", "grid", "is_old", "households", "latitude", "longitude"]
    list_filter = ["is_old", "grid__community"]
    list_select_related = ["grid"]
    search_fields = ["name", "grid__code", "grid__name"]
    autocomplete_fields = ["grid"]


@admin.register(GridWorker)
class GridWorkerAdmin(admin.ModelAdmin):
    list_display = ["user", "full_time", "grid_codes", "hired_on"]
    list_filter = ["full_time", "grids__community"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "grids__code"]
    filter_horizontal = ["grids"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("grids")

    @admin.display(description=_("grids"))
    def grid_codes(self, worker):
        return ", ".join(grid.code for grid in worker.grids.all())
