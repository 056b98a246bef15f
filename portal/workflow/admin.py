"""Read-only screens of the applications and their history.

A status moves only through the workflow services, so nothing here can change a case.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from portal.admin_base import ReadOnly, ReadOnlyAdmin
from portal.workflow.models import Case, Transition


class TransitionInline(ReadOnly, admin.TabularInline):
    model = Transition
    fields = ["at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields
    ordering = ["at", "id"]
    extra = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("actor")


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = [
        "reference",
        "kind",
        "status",
        "department",
        "district",
        "applicant",
        "submitted_at",
        "due_date",
    ]
    list_filter = ["status", "kind", "department"]
    list_select_related = ["department", "district", "applicant"]
    search_fields = ["reference", "applicant__username", "subject"]
    date_hierarchy = "submitted_at"
    inlines = [TransitionInline]
