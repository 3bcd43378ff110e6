"""Administrators manage agencies, teams and accounts here. No case data is registered
in the admin: being an administrator gives no sight of children's records."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from threadline.audit.models import AuditAction
from threadline.audit.services import record_event

from .models import Agency, Practitioner, Team


class AuditedAdmin(admin.ModelAdmin):
    """Every change made in the admin is on the audit trail as a permission change."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changed = ", ".join(form.changed_data) or "nothing"
        record_event(
            actor=request.user,
            action=AuditAction.PERMISSION_CHANGE,
            target=obj,
            summary=f"{'Changed' if change else 'Created'} {obj} in admin: {changed}",
            request=request,
        )

    def has_delete_permission(self, request, obj=None):
        return False  # accounts and agencies are deactivated, never deleted


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin):
    list_display = ["name", "code", "agency_type", "area"]
    list_filter = ["agency_type", "area"]
    search_fields = ["name", "code"]


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    list_display = ["name", "agency"]
    list_filter = ["agency"]


@admin.register(Practitioner)
class PractitionerAdmin(AuditedAdmin, UserAdmin):
    list_display = ["username", "first_name", "last_name", "agency", "role", "is_active"]
    list_filter = ["agency", "role", "is_active"]
    fieldsets = [
        *UserAdmin.fieldsets,
        (
            "Threadline",
            {
                "fields": [
                    "agency",
                    "team",
                    "role",
                    "job_title",
                    "phone",
                    "experience",
                    "mfa_exempt",
                ]
            },
        ),
    ]
    add_fieldsets = [
        *UserAdmin.add_fieldsets,
        ("Threadline", {"fields": ["agency", "role", "first_name", "last_name", "email"]}),
    ]
