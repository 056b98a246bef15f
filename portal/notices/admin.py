from django.contrib import admin

from portal.notices.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "created_at", "read_at"]
    list_filter = ["read_at"]
    search_fields = ["title", "recipient__username"]
    readonly_fields = ["recipient", "title", "body", "link", "created_at", "read_at"]

    def has_add_permission(self, request):
        return False
