"""FilterSets of the residents API lists. They narrow a list already scoped by a selector."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.areas.models import Address
from portal.workflow.models import Status
from residents import idnumber, selectors
from residents.models import Permit, PermitApplication, PermitState, Person, Registration


class PersonFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(method="filter_name", label=_("Name"))
    id_number = django_filters.CharFilter(
        method="filter_id_number", label=_("ID number (exact match)")
    )
    district = django_filters.CharFilter(
        method="filter_district", label=_("Currently registered in district (division code)")
    )

    class Meta:
        model = Person
        fields: list[str] = []

    def filter_name(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(selectors.name_contains(value))

    def filter_id_number(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(id_hash=idnumber.keyed_hash(value))

    def filter_district(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # The person's current address, tested person by person like the scope (a join on
        # registrations would gather and sort the whole district before the first page).
        return queryset.alias(current_address=selectors.current_address()).filter(
            current_address__in=Address.objects.filter(grid__district__code=value).values("pk")
        )


class RegistrationFilter(django_filters.FilterSet):
    person = django_filters.NumberFilter(field_name="person_id", label=_("Person"))
    current = django_filters.BooleanFilter(
        field_name="end_date", lookup_expr="isnull", label=_("Current registrations only")
    )
    district = django_filters.CharFilter(
        field_name="address__grid__district__code", label=_("District (division code)")
    )

    class Meta:
        model = Registration
        fields: list[str] = []


class PermitApplicationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        field_name="case__status", choices=Status.choices, label=_("Status")
    )
    reference = django_filters.CharFilter(field_name="case__reference", label=_("Reference number"))

    class Meta:
        model = PermitApplication
        fields: list[str] = []


class PermitFilter(django_filters.FilterSet):
    number = django_filters.CharFilter(field_name="number", label=_("Permit number"))
    state = django_filters.ChoiceFilter(
        method="filter_state", choices=PermitState.choices, label=_("State today")
    )
    district = django_filters.CharFilter(
        field_name="district__code", label=_("Issuing district (division code)")
    )

    class Meta:
        model = Permit
        fields: list[str] = []

    def filter_state(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.in_state_on(value, timezone.localdate())
