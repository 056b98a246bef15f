"""Filters of the area and address lists."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from portal.areas import selectors
from portal.areas.models import Address, Area, Level


class AreaFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Level.choices, help_text=_("Level of the area."))
    parent = django_filters.CharFilter(
        field_name="parent__code", help_text=_("Division code of the parent area.")
    )
    district = django_filters.CharFilter(
        field_name="district__code", help_text=_("Division code of the district.")
    )
    q = django_filters.CharFilter(
        method="search", help_text=_("Part of the name, or the start of the division code.")
    )

    class Meta:
        model = Area
        fields = ["level", "parent", "district", "q"]

    def search(self, queryset: QuerySet[Area], name: str, value: str) -> QuerySet[Area]:
        return selectors.search_areas(value, queryset=queryset)


class AddressFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", help_text=_("Words of the address, e.g. 人民路 101.")
    )
    area = django_filters.ModelChoiceFilter(
        queryset=Area.objects.all(),
        to_field_name="code",
        method="in_area",
        help_text=_("Division code of any area containing the address (grid to district)."),
    )
    grid = django_filters.CharFilter(
        field_name="grid__code", help_text=_("Division code of the grid.")
    )

    class Meta:
        model = Address
        fields = ["q", "area", "grid"]

    def search(self, queryset: QuerySet[Address], name: str, value: str) -> QuerySet[Address]:
        return selectors.search_addresses(value, queryset=queryset)

    def in_area(self, queryset: QuerySet[Address], name: str, value: Area) -> QuerySet[Address]:
        return selectors.addresses_in_area(value, queryset=queryset)
