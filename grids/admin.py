from django.contrib import admin

from .models import Community, Compound, Grid, GridWorker, Town


@admin.register(Town)
class TownAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "county"]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "town"]
    search_fields = ["code", "name"]


@admin.register(Grid)
class GridAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "community", "updated_at"]
    list_filter = ["community"]
    search_fields = ["code", "name"]


@admin.register(Compound)
class CompoundAdmin(admin.ModelAdmin):
    list_display = ["name", "grid", "is_old", "households"]
    list_filter = ["is_old", "grid__community"]
    search_fields = ["name"]


@admin.register(GridWorker)
class GridWorkerAdmin(admin.ModelAdmin):
    list_display = ["user", "full_time", "hired_on"]
    filter_horizontal = ["grids"]
