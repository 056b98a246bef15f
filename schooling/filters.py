"""FilterSets of the schooling API lists. They narrow a list already scoped by a selector."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from portal.workflow.models import Status
from schooling.models import (
    EnrolmentApplication,
    EnrolmentRound,
    Offer,
    OfferStatus,
    RoundStatus,
    School,
    Stage,
)


class RoundFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year", label=_("Year of entry"))
    stage = django_filters.ChoiceFilter(field_name="stage", choices=Stage.choices, label=_("Stage"))
    status = django_filters.ChoiceFilter(
        field_name="status", choices=RoundStatus.choices, label=_("Status")
    )

    class Meta:
        model = EnrolmentRound
        fields: list[str] = []


class SchoolFilter(django_filters.FilterSet):
    stage = django_filters.ChoiceFilter(field_name="stage", choices=Stage.choices, label=_("Stage"))
    district = django_filters.CharFilter(
        field_name="district__code", label=_("District (division code)")
    )
    catchment = django_filters.CharFilter(
        field_name="catchment__code", label=_("Community in the catchment (division code)")
    )

    class Meta:
        model = School
        fields: list[str] = []


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        field_name="case__status", choices=Status.choices, label=_("Status")
    )
    round = django_filters.NumberFilter(field_name="round_id", label=_("Enrolment round"))
    reference = django_filters.CharFilter(field_name="case__reference", label=_("Reference number"))

    class Meta:
        model = EnrolmentApplication
        fields: list[str] = []


class OfferFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        field_name="status", choices=OfferStatus.choices, label=_("Status")
    )
    round = django_filters.NumberFilter(field_name="round_id", label=_("Enrolment round"))

    class Meta:
        model = Offer
        fields: list[str] = []
