"""Admin screens for notices: read-only records. Policies are published through their pages
and services (portal/notices/views.py), never by editing a status here."""

from django.contrib import admin

from portal.admin_base import ReadOnlyAdmin
from portal.notices.models import Delivery, Grant, Notification, Policy, PushRun


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "created_at", "read_at"]
    list_filter = ["read_at"]
    search_fields = ["title", "recipient__username"]
    readonly_fields = [
        "recipient",
        "title",
        "body",
        "link",
        "created_at",
        "read_at",
        "dismissed_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(Policy)
class PolicyAdmin(ReadOnlyAdmin):
    list_display = ["title", "department", "status", "starts_on", "ends_on", "published_at"]
    list_filter = ["status", "department"]
    search_fields = ["title", "title_en"]
    date_hierarchy = "starts_on"


@admin.register(PushRun)
class PushRunAdmin(ReadOnlyAdmin):
    list_display = ["policy", "trigger", "status", "audience", "notices_added", "started_at"]
    list_filter = ["status", "trigger"]
    list_select_related = ["policy"]


@admin.register(Grant)
class GrantAdmin(ReadOnlyAdmin):
    list_display = ["policy", "person", "amount", "granted_at"]
    list_select_related = ["policy", "person"]
    raw_id_fields = ["policy", "person"]
    show_full_result_count = False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["policy", "channel", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["channel", "status"]
    list_select_related = ["policy"]
    raw_id_fields = ["notice", "policy"]
    show_full_result_count = False
