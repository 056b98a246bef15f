"""Admin screens of the residents app: the permit policy is configuration; the rest (persons,
registrations, permits, grid officers' visits and field tasks) is read-only.

The full ID number is never shown here: staff open a record on the staff page, which logs why.
"""

from __future__ import annotations

from django.contrib import admin

from portal.admin_base import ReadOnlyAdmin
from residents.models import (
    FieldTask,
    Permit,
    PermitApplication,
    PermitEvent,
    PermitPolicy,
    Person,
    PersonRecordAccess,
    Registration,
    RegistrationPolicy,
    Visit,
    VisitEntry,
)


@admin.register(PermitPolicy)
class PermitPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "effective_from",
        "min_residence_months",
        "validity_months",
        "endorsement_window_months",
        "continuity_gap_days",
        "source",
    ]


@admin.register(RegistrationPolicy)
class RegistrationPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "effective_from",
        "self_days",
        "landlord_days",
        "sublessor_days",
        "employer_days",
        "grid_officer_days",
        "calendar_days",
        "source",
    ]


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["name", "id_masked", "birth_date", "sex", "created_at"]
    search_fields = ["name"]
    fields = ["name", "id_masked", "birth_date", "sex", "origin_code", "education", "created_at"]


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdmin):
    list_display = ["person", "address", "start_date", "end_date", "source"]
    list_filter = ["source", "reason"]
    list_select_related = ["person", "address"]
    raw_id_fields = ["person", "address", "registered_by"]


@admin.register(PermitApplication)
class PermitApplicationAdmin(ReadOnlyAdmin):
    list_display = ["case", "person", "basis", "created_at"]
    list_select_related = ["case", "person"]
    raw_id_fields = ["case", "person", "registration"]


class PermitEventInline(admin.TabularInline):
    model = PermitEvent
    extra = 0
    can_delete = False
    fields = ["kind", "on", "valid_until", "card_version", "reason", "actor", "at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Permit)
class PermitAdmin(ReadOnlyAdmin):
    list_display = ["number", "person", "district", "issued_on", "valid_until", "status"]
    list_filter = ["status", "district"]
    list_select_related = ["person", "district"]
    search_fields = ["number"]
    raw_id_fields = ["person", "application", "address"]
    inlines = [PermitEventInline]


@admin.register(PersonRecordAccess)
class PersonRecordAccessAdmin(ReadOnlyAdmin):
    list_display = ["at", "staff", "person", "reason"]
    list_select_related = ["staff", "person"]
    search_fields = ["staff__username", "reason"]


class VisitEntryInline(admin.TabularInline):
    model = VisitEntry
    extra = 0
    can_delete = False
    fields = ["person", "finding", "registration", "moved_from"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ["visited_at", "address", "officer", "outcome", "recorded_at"]
    list_filter = ["outcome"]
    list_select_related = ["address", "officer"]
    search_fields = ["address__text", "officer__username"]
    date_hierarchy = "visited_at"
    raw_id_fields = ["address", "officer"]
    inlines = [VisitEntryInline]


@admin.register(FieldTask)
class FieldTaskAdmin(ReadOnlyAdmin):
    list_display = ["due_date", "kind", "status", "address", "person", "source", "source_ref"]
    list_filter = ["status", "kind", "source"]
    list_select_related = ["address", "person"]
    search_fields = ["address__text", "source_ref"]
    raw_id_fields = ["address", "person", "closed_by"]


from residents import (  # noqa: E402 - these modules register more screens
    admin_permits,  # noqa: F401
    admin_reconciliation,  # noqa: F401
)
