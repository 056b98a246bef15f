"""FilterSets of the points API lists (scoping is the selectors' job)."""

from __future__ import annotations

import django_filters

from points.models import (
    ApplicationStatus,
    Claim,
    PointsApplication,
    RankingList,
    RankingStatus,
    Service,
)
from portal.workflow.models import Status


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ApplicationStatus.choices)
    service = django_filters.ChoiceFilter(choices=Service.choices)

    class Meta:
        model = PointsApplication
        fields = ["status", "service"]


class ReviewClaimFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(field_name="case__status", choices=Status.choices)
    fact_type = django_filters.CharFilter(field_name="fact_type_id")
    overdue = django_filters.BooleanFilter(method="filter_overdue")

    class Meta:
        model = Claim
        fields = ["status", "fact_type"]

    def filter_overdue(self, queryset, name, value):
        from django.utils import timezone

        if value:
            return queryset.filter(
                case__due_date__lt=timezone.localdate(),
                case__status__in=[Status.SUBMITTED, Status.IN_REVIEW],
            )
        return queryset


class RankingFilter(django_filters.FilterSet):
    service = django_filters.ChoiceFilter(choices=Service.choices)
    status = django_filters.ChoiceFilter(choices=RankingStatus.choices)

    class Meta:
        model = RankingList
        fields = ["service", "status"]
