"""The calendar an administrator extends each year with the newly announced holidays."""

from __future__ import annotations

from django.contrib import admin

from portal.calendar.models import SpecialDay


@admin.register(SpecialDay)
class SpecialDayAdmin(admin.ModelAdmin):
    list_display = ["day", "kind", "name", "source"]
    list_filter = ["kind"]
    date_hierarchy = "day"
    search_fields = ["name"]
    ordering = ["-day"]
