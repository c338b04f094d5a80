"""The master data of volunteer service. Teams and volunteers are added and changed here through
the services (so each change leaves its event row); activities are recorded on the pages and
the API, and shown here as they were recorded. Nothing is deleted: a volunteer who stops is
made inactive and keeps their hours."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from incidents.admin import ReadOnlyAdmin, ReadOnlyInline

from . import services
from .models import Activity, ActivityPhoto, ActivityVolunteer, Event, Team, Volunteer


class NoDeleteAdmin(admin.ModelAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Team)
class TeamAdmin(NoDeleteAdmin):
    list_display = ["name", "kind", "community", "leader"]
    list_filter = ["kind", "community"]
    list_select_related = ["community", "leader"]
    search_fields = ["name"]

    def get_fields(self, request, obj=None):
        # A new team has no members to lead it yet.
        return ["name", "kind", "community"] + (["leader"] if obj else [])

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None:
            form.base_fields["leader"].queryset = obj.volunteers.order_by("name")
        return form

    def save_model(self, request, obj, form, change):
        values = form.cleaned_data
        if change:
            saved = services.team_update(actor=request.user, team=obj, changes={name: values[name] for name in form.changed_data})
        else:
            saved = services.team_create(actor=request.user, name=values["name"], kind=values["kind"], community=values.get("community"))
        obj.pk = saved.pk


@admin.register(Volunteer)
class VolunteerAdmin(NoDeleteAdmin):
    list_display = ["name", "team", "profession", "active"]
    list_filter = ["active", "profession", "team"]
    list_select_related = ["team"]
    search_fields = ["name", "skills"]
    raw_id_fields = ["user"]
    fields = ["name", "team", "profession", "skills", "phone", "user", "active"]

    def save_model(self, request, obj, form, change):
        values = form.cleaned_data
        if change:
            saved = services.volunteer_update(actor=request.user, volunteer=obj, changes={name: values[name] for name in form.changed_data})
        else:
            saved = services.volunteer_register(
                actor=request.user, team=values["team"], name=values["name"], profession=values["profession"], skills=values["skills"],
                phone=values["phone"], user=values.get("user"),
            )
        obj.pk = saved.pk


class ParticipationInline(ReadOnlyInline):
    model = ActivityVolunteer
    fields = ["volunteer", "hours"]


class PhotoInline(ReadOnlyInline):
    model = ActivityPhoto
    fields = ["image", "width", "height", "uploaded_by", "created_at"]


class EventInline(ReadOnlyInline):
    model = Event
    fields = ["at", "action", "actor", "data"]


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["date", "title", "kind", "team", "grid", "audience"]
    list_filter = ["kind", "team", "grid__community"]
    list_select_related = ["team", "grid"]
    search_fields = ["title", "grid__name", "grid__code"]
    date_hierarchy = "date"
    inlines = [ParticipationInline, PhotoInline, EventInline]


@admin.register(ActivityVolunteer)
class ActivityVolunteerAdmin(ReadOnlyAdmin):
    list_display = ["activity", "volunteer", "hours"]
    list_select_related = ["activity", "volunteer"]
    search_fields = ["volunteer__name", "activity__title"]


@admin.register(ActivityPhoto)
class ActivityPhotoAdmin(ReadOnlyAdmin):
    list_display = ["activity", "created_at", "uploaded_by"]
    list_select_related = ["activity", "uploaded_by"]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "subject", "actor"]
    list_filter = ["action"]
    list_select_related = ["team", "volunteer", "activity", "actor"]
    date_hierarchy = "at"

    @admin.display(description=_("changed"))
    def subject(self, event):
        return event.team or event.volunteer or event.activity
