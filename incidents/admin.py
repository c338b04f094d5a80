from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import CalendarDay, Category, Incident, IncidentEvent, IncidentPhoto, IncidentStage, StageLimit, SupervisionCard


class CategoryStageLimitInline(admin.TabularInline):
    """A category that needs its own limit for accepting, dispatching or inspecting."""

    model = StageLimit
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "time_limit", "time_unit", "department", "active"]
    list_filter = ["kind", "time_unit", "active"]
    search_fields = ["code", "name"]
    inlines = [CategoryStageLimitInline]


@admin.register(StageLimit)
class StageLimitAdmin(admin.ModelAdmin):
    """The town's limits for accepting, dispatching and inspecting (a row without a category),
    and any category's own. They apply to stages that start after the change."""

    list_display = ["stage", "category", "minutes"]
    list_filter = ["stage"]
    list_select_related = ["category"]
    autocomplete_fields = ["category"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """National days are loaded from the State Council's notices; a day saved here is local
    and the next load leaves it alone."""

    list_display = ["date", "name", "is_working_day", "source"]
    list_filter = ["is_working_day", "source"]
    date_hierarchy = "date"
    exclude = ["source"]
    actions = None  # no bulk delete: national days are not deleted (see has_delete_permission)

    def save_model(self, request, obj, form, change):
        obj.source = CalendarDay.Source.LOCAL
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        # A national day deleted here would be loaded again the next morning; change it instead
        # (a holiday the town works becomes a local working day), and it stays as changed.
        if obj is not None and obj.source == CalendarDay.Source.NATIONAL:
            return False
        return super().has_delete_permission(request, obj)


class ReadOnlyInline(admin.TabularInline):
    """A history shown as it was recorded (a case's, a patrol's): nothing added, changed or
    deleted here."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyInline):
    model = IncidentEvent
    fields = ["created_at", "action", "actor", "from_status", "to_status", "note", "processed_at"]


class StageInline(ReadOnlyInline):
    model = IncidentStage
    fk_name = "incident"
    fields = ["stage", "started_at", "deadline", "warned_at", "escalated_at", "ended_at", "ended_by", "completed", "elapsed_seconds"]


class CardInline(ReadOnlyInline):
    model = SupervisionCard
    fields = ["created_at", "level", "rule", "issued_by", "note"]


class PhotoInline(ReadOnlyInline):
    """Each photo as its thumbnail, linking to the whole photo, both through the photo view:
    it checks who may see the case, and the files themselves are not served."""

    model = IncidentPhoto
    fields = ["stage", "photo", "created_at"]

    @admin.display(description=_("photo"))
    def photo(self, photo):
        return format_html(
            '<a href="{}"><img src="{}" alt="{}" loading="lazy"></a>',
            reverse("incident-photo", args=[photo.pk]),
            reverse("incident-photo-thumbnail", args=[photo.pk]),
            photo.get_stage_display(),
        )


class MajorCategoryFilter(admin.SimpleListFilter):
    title = _("major category")
    parameter_name = "major"

    def lookups(self, request, model_admin):
        return [(c.code, str(c)) for c in Category.objects.filter(parent__isnull=True)]

    def queryset(self, request, queryset):
        return queryset.filter(category__parent__code=self.value()) if self.value() else queryset


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the services write (a case, a patrol): shown here, never added, changed or
    deleted by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    """Read-only here: every change of a case goes through the workflow services and the API."""

    list_display = ["code", "category", "grid", "status", "closure", "reported_at", "deadline"]
    list_filter = ["status", "closure", "appeal", "source", MajorCategoryFilter, "grid__community"]
    list_select_related = ["category", "grid"]
    search_fields = ["code", "description", "address"]
    date_hierarchy = "reported_at"
    inlines = [PhotoInline, StageInline, CardInline, EventInline]
