from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from incidents.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Patrol, PatrolCheckin, PatrolEvent, PatrolReminder


class CheckinInline(ReadOnlyInline):
    model = PatrolCheckin
    fields = ["at", "compound", "distance_m", "latitude", "longitude"]


class EventInline(ReadOnlyInline):
    model = PatrolEvent
    fields = ["at", "action", "actor", "data"]


@admin.register(Patrol)
class PatrolAdmin(ReadOnlyAdmin):
    """Read-only here: patrols are made on the phones, through the services and the API. The
    positions are many; the console's patrol page draws them."""

    list_display = ["worker", "grid", "started_at", "ended_at", "distance", "coverage_percent", "point_count"]
    list_filter = ["grid__community"]
    list_select_related = ["worker", "grid"]
    search_fields = ["worker__username", "worker__first_name", "grid__code", "grid__name", "uuid"]
    date_hierarchy = "started_at"
    inlines = [CheckinInline, EventInline]

    @admin.display(description=_("distance (m)"), ordering="distance_m")
    def distance(self, patrol):
        return round(patrol.distance_m)

    @admin.display(description=_("coverage"), ordering="coverage")
    def coverage_percent(self, patrol):
        return "" if patrol.coverage is None else f"{patrol.coverage:.0%}"


@admin.register(PatrolReminder)
class PatrolReminderAdmin(admin.ModelAdmin):
    list_display = ["date", "created_at"]
    readonly_fields = ["date", "created_at", "workers"]

    def has_add_permission(self, request):
        return False
