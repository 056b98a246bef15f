"""FilterSets of the employment API lists. They narrow a list already scoped by a selector."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from employment.models import Employment, JobPosting, Trade


class JobPostingFilter(django_filters.FilterSet):
    district = django_filters.NumberFilter(field_name="district_id", label=_("District"))
    trade = django_filters.ChoiceFilter(choices=Trade.choices, label=_("Trade"))
    pay = django_filters.NumberFilter(
        field_name="pay_max", lookup_expr="gte", label=_("Monthly pay at least (yuan)")
    )
    skill = django_filters.CharFilter(method="filter_skill", label=_("Skill"))

    class Meta:
        model = JobPosting
        fields: list[str] = []

    def filter_skill(self, queryset, name, value):
        return queryset.filter(skills__contains=[value.strip()]) if value.strip() else queryset


class EmploymentFilter(django_filters.FilterSet):
    current = django_filters.BooleanFilter(
        field_name="end_date", lookup_expr="isnull", label=_("Current workers only")
    )
    late = django_filters.BooleanFilter(field_name="start_late", label=_("Declared late"))

    class Meta:
        model = Employment
        fields: list[str] = []
