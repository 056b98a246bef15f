"""Administrators edit the service list and its guide versions here; ratings are read-only records."""

from django.contrib import admin

from portal.admin_base import ReadOnlyAdmin
from portal.catalogue.models import Rating, RatingPolicy, Rectification, Service, ServiceVersion


class ServiceVersionInline(admin.StackedInline):
    model = ServiceVersion
    extra = 0


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "life_event", "department_name", "kind", "order"]
    list_filter = ["life_event"]
    search_fields = ["code", "name", "name_en", "keywords"]
    inlines = [ServiceVersionInline]


@admin.register(RatingPolicy)
class RatingPolicyAdmin(admin.ModelAdmin):
    list_display = ["effective_from", "rectification_days", "source"]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["case", "level", "department", "kind", "rated_at"]
    list_filter = ["level", "department", "kind"]


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdmin):
    list_display = ["rating", "department", "status", "due_date", "answered_at"]
    list_filter = ["status", "department"]
