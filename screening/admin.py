from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.privacy import mask_id_number, mask_phone
from emergency.admin import data_lines
from incidents.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Arrival, FollowUp, ScreeningEvent


class FollowUpInline(ReadOnlyInline):
    model = FollowUp
    fields = ["day", "due_on", "done_at", "done_by", "health_status", "note"]


class EventInline(ReadOnlyInline):
    model = ScreeningEvent
    fields = ["at", "action", "actor", "follow_up", "details"]

    @admin.display(description=_("details"))
    def details(self, event):
        return data_lines(event.data)


@admin.register(Arrival)
class ArrivalAdmin(ReadOnlyAdmin):
    """Read-only here: entries are registered through the services (console, phone, API).

    Phone and ID number are masked on the list and the change page alike: the admin never shows
    them in full, so it has no sights to record. The full numbers are read on the console's
    entry page, where each sight is recorded."""

    list_display = ["name", "id_number_masked", "phone_masked", "grid", "origin", "arrived_on", "health_status", "recorded_by"]
    list_filter = ["health_status", "campaign", "grid__community"]
    list_select_related = ["grid", "recorded_by"]
    # Not by phone or ID number: a search would show which entry holds a number.
    search_fields = ["name", "origin", "grid__name", "grid__code"]
    date_hierarchy = "arrived_on"
    fields = [
        "grid", "compound", "campaign", "name", "phone_masked", "id_number_masked", "origin", "arrived_on", "health_status",
        "notes", "recorded_by", "recorded_at", "updated_at",
    ]
    readonly_fields = fields
    inlines = [FollowUpInline, EventInline]

    @admin.display(description=_("phone"))
    def phone_masked(self, arrival):
        return mask_phone(arrival.phone)

    @admin.display(description=_("ID number"))
    def id_number_masked(self, arrival):
        return mask_id_number(arrival.id_number)


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ["arrival", "day", "due_on", "done_at", "done_by", "health_status"]
    list_filter = ["health_status", "due_on"]
    list_select_related = ["arrival", "done_by"]
    search_fields = ["arrival__name"]
    date_hierarchy = "due_on"


@admin.register(ScreeningEvent)
class ScreeningEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "arrival", "actor"]
    list_filter = ["action"]
    list_select_related = ["arrival", "actor"]
    date_hierarchy = "at"
    fields = ["arrival", "follow_up", "action", "actor", "at", "details"]
    readonly_fields = fields

    @admin.display(description=_("details"))
    def details(self, event):
        return data_lines(event.data)
