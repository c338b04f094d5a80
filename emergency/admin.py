"""Read-only in the admin: campaigns, checkpoints, people and shifts change through the services
(the console's duty pages and the API), each change with its event row."""

from django.contrib import admin

from incidents.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Campaign, Checkpoint, DutyEvent, DutyPerson, RosterRun, Shift, Shortfall, SwapRequest


class CheckpointInline(ReadOnlyInline):
    model = Checkpoint
    fields = ["name", "grid", "latitude", "longitude", "round_the_clock", "first_day", "last_day", "people_per_shift"]


class EventInline(ReadOnlyInline):
    model = DutyEvent
    fields = ["at", "action", "actor", "shift", "data"]


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "started", "ended", "active", "shift_hours", "rest_hours"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]
    inlines = [CheckpointInline, EventInline]


@admin.register(DutyPerson)
class DutyPersonAdmin(ReadOnlyAdmin):
    list_display = ["name", "campaign", "user", "volunteer", "available"]
    list_filter = ["campaign", "available"]
    list_select_related = ["campaign", "user", "volunteer"]
    search_fields = ["name", "user__username", "volunteer__name"]


@admin.register(Shift)
class ShiftAdmin(ReadOnlyAdmin):
    list_display = ["checkpoint", "person", "starts_at", "ends_at", "checked_in_at", "checked_out_at"]
    list_filter = ["checkpoint__campaign"]
    list_select_related = ["checkpoint", "person"]
    search_fields = ["person__name", "checkpoint__name"]
    date_hierarchy = "starts_at"


class ShortfallInline(ReadOnlyInline):
    model = Shortfall
    fields = ["checkpoint", "starts_at", "ends_at", "missing", "filled_at"]


@admin.register(RosterRun)
class RosterRunAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "first_day", "last_day", "shifts_created", "shifts_replaced", "by", "at"]
    list_select_related = ["campaign", "by"]
    inlines = [ShortfallInline]


@admin.register(SwapRequest)
class SwapRequestAdmin(ReadOnlyAdmin):
    list_display = ["shift", "from_person", "to_person", "other_shift", "status", "asked_by", "asked_at", "decided_by"]
    list_filter = ["status"]
    list_select_related = ["shift__checkpoint", "shift__person", "from_person", "to_person", "other_shift__checkpoint", "other_shift__person", "asked_by", "decided_by"]
