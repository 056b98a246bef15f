"""Filters of the work queue and of an applicant's own applications."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.workflow.models import OPEN_STATUSES, Case, Status
from portal.workflow.registry import all_kinds


def _kind_choices() -> list[tuple[str, str]]:
    return [(kind.code, kind.label) for kind in all_kinds()]


def overdue_condition() -> Q:
    """Still open and past its due date (in the portal's time zone)."""
    return Q(due_date__lt=timezone.localdate(), status__in=list(OPEN_STATUSES))


class MyCaseFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        choices=_kind_choices, label=_("Kind"), help_text=_("Application kind.")
    )
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices,
        label=_("Status"),
        help_text=_("Status; repeat the parameter for several."),
    )

    class Meta:
        model = Case
        fields = ["kind", "status"]


class WorkQueueFilter(MyCaseFilter):
    """The work queue's filters, shared by the API and the workbench page."""

    district = django_filters.CharFilter(
        field_name="district__code",
        label=_("District code"),
        help_text=_("Division code of the district."),
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        label=_("Overdue"),
        help_text=_("Still open and past the due date."),
    )
    due_before = django_filters.DateFilter(
        field_name="due_date",
        lookup_expr="lte",
        label=_("Due by"),
        help_text=_("Due on or before this date."),
    )
    submitted_after = django_filters.DateFilter(
        field_name="submitted_at",
        lookup_expr="date__gte",
        label=_("Submitted from"),
        help_text=_("Submitted on or after this date."),
    )
    q = django_filters.CharFilter(
        method="reference_prefix",
        label=_("Reference number"),
        help_text=_("The start of the reference number."),
    )

    class Meta:
        model = Case
        fields = ["kind", "status", "district", "overdue", "due_before", "submitted_after", "q"]

    def filter_overdue(self, queryset: QuerySet[Case], name: str, value: bool) -> QuerySet[Case]:
        return (
            queryset.filter(overdue_condition()) if value else queryset.exclude(overdue_condition())
        )

    def reference_prefix(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return queryset.filter(reference__startswith=value.strip().upper())
