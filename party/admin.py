from django.contrib import admin
from django.utils import timezone

from incidents.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    Employer, Meeting, MeetingFollowUp, MemberCheckIn, PartyBranch, PartyEvent, PartyGroup, PartyMember, PartyReminder, ServicePost,
)


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ["name", "contact_person", "email"]
    search_fields = ["name", "contact_person"]


class GroupInline(admin.TabularInline):
    model = PartyGroup
    extra = 0
    autocomplete_fields = ["compound", "leader"]


@admin.register(PartyBranch)
class PartyBranchAdmin(admin.ModelAdmin):
    list_display = ["name", "grid", "secretary", "set_up_on"]
    list_select_related = ["grid", "secretary"]
    search_fields = ["name", "grid__code", "grid__name"]
    autocomplete_fields = ["grid", "secretary"]
    inlines = [GroupInline]


@admin.register(PartyGroup)
class PartyGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "branch", "compound", "leader"]
    list_select_related = ["branch", "compound", "leader"]
    search_fields = ["name", "compound__name"]
    autocomplete_fields = ["branch", "compound", "leader"]


class PostInline(admin.TabularInline):
    model = ServicePost
    extra = 0
    autocomplete_fields = ["compound"]


@admin.register(PartyMember)
class PartyMemberAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "employer", "grid", "branch", "joined_on", "active"]
    list_filter = ["kind", "active", "employer"]
    list_select_related = ["employer", "grid", "branch"]
    search_fields = ["name", "phone", "employer__name"]
    autocomplete_fields = ["employer", "branch", "group", "grid", "user"]
    inlines = [PostInline]


@admin.register(ServicePost)
class ServicePostAdmin(admin.ModelAdmin):
    list_display = ["kind", "member", "compound", "buildings", "since"]
    list_filter = ["kind"]
    list_select_related = ["member", "compound"]
    search_fields = ["member__name", "compound__name"]
    autocomplete_fields = ["member", "compound"]


class EventInline(ReadOnlyInline):
    model = PartyEvent
    fields = ["at", "action", "actor", "data"]
    fk_name = "checkin"


@admin.register(MemberCheckIn)
class MemberCheckInAdmin(ReadOnlyAdmin):
    """Read-only here: check-ins are recorded and confirmed through the pages and the API."""

    list_display = ["member", "grid", "date", "hours", "status", "recorded_by", "decided_by"]
    list_filter = ["status"]
    list_select_related = ["member", "grid", "recorded_by", "decided_by"]
    search_fields = ["member__name", "grid__code", "grid__name"]
    date_hierarchy = "date"
    inlines = [EventInline]


class FollowUpInline(admin.TabularInline):
    model = MeetingFollowUp
    extra = 0
    fields = ["what", "owner", "owner_name", "due_on", "done_on", "grid", "incident"]
    readonly_fields = ["incident"]
    autocomplete_fields = ["owner", "grid"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["date", "body", "title", "community", "grid"]
    list_filter = ["body", "community"]
    list_select_related = ["community", "grid"]
    search_fields = ["title", "topics", "decisions"]
    date_hierarchy = "date"
    autocomplete_fields = ["attendees", "community", "grid"]
    readonly_fields = ["recorded_by", "recorded_at"]
    inlines = [FollowUpInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by, obj.recorded_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(PartyEvent)
class PartyEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "actor", "checkin", "meeting", "follow_up"]
    list_filter = ["action"]
    list_select_related = ["actor", "checkin__member", "meeting", "follow_up"]


@admin.register(PartyReminder)
class PartyReminderAdmin(ReadOnlyAdmin):
    list_display = ["month", "sent_on", "created_at"]
