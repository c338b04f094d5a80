from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Department, Notification, PersonalDataView, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "department", "is_active"]
    list_filter = ["role", "department", "is_active"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("Platform"), {"fields": ["role", "phone", "department", "is_department_head"]}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("Platform"), {"fields": ["role", "phone", "department", "is_department_head"]}),)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "phone"]
    search_fields = ["code", "name"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipient", "created_at", "read_at", "email_to", "emailed_at", "email_attempts", "email_failed_at"]
    list_filter = ["read_at", "email_failed_at"]
    raw_id_fields = ["recipient", "event"]


@admin.register(PersonalDataView)
class PersonalDataViewAdmin(admin.ModelAdmin):
    """The record of who saw personal data in full: read only, for administrators."""

    list_display = ["at", "viewer", "record_type", "record", "fields", "where"]
    list_filter = ["record_type", "at"]
    search_fields = ["viewer__username", "record", "where"]
    date_hierarchy = "at"
    raw_id_fields = ["viewer"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_platform_admin

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_platform_admin

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
