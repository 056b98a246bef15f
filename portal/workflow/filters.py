"""Filters of the work queue and of an applicant's own applications."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from portal.workflow import selectors
from portal.workflow.models import Case, Status
from portal.workflow.registry import all_kinds


def _kind_choices() -> list[tuple[str, str]]:
    return [(kind.code, kind.label) for kind in all_kinds()]


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
    """The work queue's filters, shared by the API and the workbench page. Given the request,
    the kind filter offers only the kinds of the reviewer's department."""

    district = django_filters.CharFilter(
        field_name="district__code",
        label=_("District code"),
        help_text=_("Division code of the district."),
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        label=_("Overdue"),
        help_text=_(
            "Yes: waiting for the department past its due date, counted in working days from "
            "submission (holidays skipped). No: the others."
        ),
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is not None:
            self.filters["kind"].extra["choices"] = [
                (kind.code, kind.label) for kind in selectors.kinds_reviewed_by(user)
            ]

    def filter_overdue(self, queryset: QuerySet[Case], name: str, value: bool) -> QuerySet[Case]:
        overdue = selectors.overdue_condition()
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def reference_prefix(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return queryset.filter(reference__startswith=value.strip().upper())


def _sort_choices() -> list[tuple[str, Any]]:
    """Every key of selectors.SORT_KEYS, both ways (the column headings link to these)."""
    return [
        ("due", _("Due date, soonest first")),
        ("-due", _("Due date, latest first")),
        ("submitted", _("Submitted, oldest first")),
        ("-submitted", _("Submitted, newest first")),
        ("reference", _("Reference number, ascending")),
        ("-reference", _("Reference number, descending")),
        ("kind", _("Kind, ascending")),
        ("-kind", _("Kind, descending")),
        ("area", _("Area, ascending")),
        ("-area", _("Area, descending")),
        ("status", _("Status, in lifecycle order")),
        ("-status", _("Status, in reverse lifecycle order")),
    ]


class WorkbenchFilter(WorkQueueFilter):
    """The workbench page and its Excel export: the queue's filters as the page offers them
    (statuses as boxes to tick, no drafts: reviewers never see them) and the sort order."""

    status = django_filters.MultipleChoiceFilter(
        choices=[(value, label) for value, label in Status.choices if value != Status.DRAFT],
        label=_("Status"),
        widget=forms.CheckboxSelectMultiple,
    )
    sort = django_filters.ChoiceFilter(
        choices=_sort_choices(),
        method="order",
        label=_("Sort by"),
        empty_label=None,
    )

    class Meta(WorkQueueFilter.Meta):
        fields = [*WorkQueueFilter.Meta.fields, "sort"]

    def order(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return selectors.sorted_work_queue(queryset, value)
