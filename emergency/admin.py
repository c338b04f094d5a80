"""Read-only in the admin: campaigns, checkpoints, people and shifts change through the services
(the console's duty pages and the API), each change with its event row."""

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from incidents.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Campaign, Checkpoint, DutyEvent, DutyPerson, RosterRun, Shift, Shortfall, SwapRequest


class CheckpointInline(ReadOnlyInline):
    model = Checkpoint
    fields = ["name", "grid", "latitude", "longitude", "round_the_clock", "first_day", "last_day", "people_per_shift", "closed_at"]


# The words for what an event's data holds (its keys are the code's).
DATA_LABELS = {
    "accuracy": _("accuracy (m)"), "arrived_on": _("arrival date"), "available": _("available"), "changed": _("changed"),
    "checkpoint": _("checkpoint"), "created": _("shifts created"), "day": _("day after arrival"), "due_on": _("due on"),
    "early_minutes": _("minutes early"), "ended": _("ended"), "exchange": _("in exchange for shift"), "first_day": _("first day"),
    "from": _("from"), "grid": _("grid"), "health_status": _("health status"), "kind": _("kind"), "last_day": _("last day"),
    "late_minutes": _("minutes late"), "latitude": _("latitude"), "linked_volunteers": _("linked to their volunteer record"),
    "longitude": _("longitude"), "made_at": _("made on the phone at"), "missing": _("places unfilled"), "name": _("name"),
    "names": _("people added"), "note": _("note"), "people": _("people"), "person": _("person on duty"),
    "position_available": _("position available"), "replaced": _("shifts replaced"), "rest_hours": _("minimum rest between shifts (hours)"),
    "shift_hours": _("shift length (hours)"), "shifts_removed": _("shifts removed"), "short_slots": _("shifts short"),
    "skipped_days": _("follow-up days not scheduled"), "starts_at": _("starts at"), "strained": _("hours spread unevenly"),
    "swap": _("swap request"), "to": _("to"), "volunteers": _("volunteers"),
}


def _value_text(value) -> str:
    if value is True:
        return str(_("yes"))
    if value is False:
        return str(_("no"))
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(_value_text(item) for item in value)
    return str(value)


def data_lines(data: dict):
    """An event's data as "label: value" lines; a change as "label: before → after"."""
    lines = []
    for key, value in (data or {}).items():
        if key == "changed" and isinstance(value, dict):
            lines += [
                (DATA_LABELS.get(field, field.replace("_", " ")), f"{_value_text(change[0])} → {_value_text(change[1])}")
                for field, change in value.items()
            ]
        else:
            lines.append((DATA_LABELS.get(key, key.replace("_", " ")), _value_text(value)))
    return format_html_join("", "<div>{}: {}</div>", lines) if lines else "—"


class EventInline(ReadOnlyInline):
    model = DutyEvent
    fields = ["at", "action", "actor", "shift", "details"]

    @admin.display(description=_("details"))
    def details(self, event):
        return data_lines(event.data)


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
