"""FilterSets of the housing API lists. They narrow a list already scoped by a selector."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from housing.models import (
    ApplicationRound,
    HousingApplication,
    Offer,
    OfferStatus,
    RentalHome,
    RoundStatus,
    Tenancy,
    UnitType,
)
from portal.workflow.models import Status


class RentalHomeFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        field_name="case__status", choices=Status.choices, label=_("Status of the check")
    )
    active = django_filters.BooleanFilter(field_name="is_active", label=_("On the register"))

    class Meta:
        model = RentalHome
        fields: list[str] = []


class TenancyFilter(django_filters.FilterSet):
    current = django_filters.BooleanFilter(
        field_name="end_date", lookup_expr="isnull", label=_("Current tenancies only")
    )

    class Meta:
        model = Tenancy
        fields: list[str] = []


class RoundFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RoundStatus.choices, label=_("Status"))
    project = django_filters.NumberFilter(field_name="project_id", label=_("Project"))

    class Meta:
        model = ApplicationRound
        fields: list[str] = []


class HousingApplicationFilter(django_filters.FilterSet):
    round = django_filters.NumberFilter(field_name="round_id", label=_("Round"))
    status = django_filters.MultipleChoiceFilter(
        field_name="case__status", choices=Status.choices, label=_("Status")
    )
    unit_type = django_filters.ChoiceFilter(choices=UnitType.choices, label=_("Unit type"))

    class Meta:
        model = HousingApplication
        fields: list[str] = []


class OfferFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=OfferStatus.choices, label=_("Status"))

    class Meta:
        model = Offer
        fields: list[str] = []
