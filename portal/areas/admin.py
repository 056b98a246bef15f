"""Configuration screens for the area tree and the standard addresses."""

from __future__ import annotations

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from portal.areas.models import Address, Area


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "level", "parent", "district"]
    list_filter = ["level"]
    list_select_related = ["parent", "district"]
    search_fields = ["code", "name", "name_en"]
    autocomplete_fields = ["parent", "district"]
    ordering = ["code"]


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ["text", "grid"]
    list_select_related = ["grid"]
    search_fields = ["text", "road", "grid__code", "grid__name"]
    autocomplete_fields = ["grid"]
    readonly_fields = ["text"]
    fields = ["grid", "road", "number", "building", "unit", "room", "text"]

    def save_model(self, request: HttpRequest, obj: Address, form: ModelForm, change: bool) -> None:
        obj.text = Address.compose_text(
            road=obj.road, number=obj.number, building=obj.building, unit=obj.unit, room=obj.room
        )
        super().save_model(request, obj, form, change)
