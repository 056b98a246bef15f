"""The staff work queue and an applicant's own applications, read-only.

Decisions are not made here: each transition is its own use case (portal.workflow.services).
"""

from __future__ import annotations

from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, permissions, serializers
from rest_framework.request import Request
from rest_framework.views import APIView

from portal.accounts import selectors as account_selectors
from portal.accounts.api import DepartmentRef
from portal.api import error_responses
from portal.areas.api import AreaRef
from portal.workflow import selectors
from portal.workflow.filters import MyCaseFilter, WorkQueueFilter
from portal.workflow.models import Case, Status, Transition
from portal.workflow.registry import get_kind


def work_queue(user) -> QuerySet[Case]:
    """The cases a reviewer may see, most urgent first."""
    return selectors.cases_reviewable_by(user).order_by(
        F("due_date").asc(nulls_last=True), F("submitted_at").asc(), "id"
    )


def own_cases(user) -> QuerySet[Case]:
    """The caller's own applications, newest first."""
    return (
        selectors.cases_of_applicant(user)
        .select_related("applicant")
        .order_by("-created_at", "-id")
    )


class IsReviewer(permissions.BasePermission):
    message = _("Only reviewers of a department can see the work queue.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return account_selectors.is_reviewer_of(request.user)


class CaseOutput(serializers.ModelSerializer):
    kind_label = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display")
    department = DepartmentRef()
    district = AreaRef()
    applicant = serializers.CharField(source="applicant.username")

    class Meta:
        model = Case
        fields = [
            "id",
            "kind",
            "kind_label",
            "reference",
            "status",
            "status_label",
            "department",
            "district",
            "applicant",
            "subject",
            "submitted_at",
            "due_date",
            "decided_at",
        ]

    @extend_schema_field(serializers.CharField())
    def get_kind_label(self, case: Case) -> str:
        try:
            return str(get_kind(case.kind).label)
        except LookupError:
            return case.kind


class TimelineEntryOutput(serializers.ModelSerializer):
    """One step of a case's history: the status it reached, who moved it, why and when."""

    status = serializers.ChoiceField(source="to_status", choices=Status.choices)
    status_label = serializers.CharField(source="get_to_status_display")
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)

    class Meta:
        model = Transition
        fields = ["status", "status_label", "actor", "reason", "at"]


class CaseDetailOutput(CaseOutput):
    reviewer = serializers.CharField(source="reviewer.username", allow_null=True, default=None)
    timeline = serializers.SerializerMethodField()

    class Meta(CaseOutput.Meta):
        fields = [*CaseOutput.Meta.fields, "reviewer", "last_reason", "timeline"]

    @extend_schema_field(TimelineEntryOutput(many=True))
    def get_timeline(self, case: Case) -> list:
        return TimelineEntryOutput(selectors.case_timeline(case), many=True).data


class ApplicantTimelineEntryOutput(serializers.ModelSerializer):
    """A step of the applicant's own case: what happened and when; staff are not named."""

    status = serializers.ChoiceField(source="to_status", choices=Status.choices)
    status_label = serializers.CharField(source="get_to_status_display")
    by_applicant = serializers.SerializerMethodField()

    class Meta:
        model = Transition
        fields = ["status", "status_label", "by_applicant", "reason", "at"]

    @extend_schema_field(serializers.BooleanField())
    def get_by_applicant(self, step: Transition) -> bool:
        return step.actor_id == step.case.applicant_id


class MyCaseDetailOutput(CaseOutput):
    timeline = serializers.SerializerMethodField()

    class Meta(CaseOutput.Meta):
        fields = [*CaseOutput.Meta.fields, "last_reason", "timeline"]

    @extend_schema_field(ApplicantTimelineEntryOutput(many=True))
    def get_timeline(self, case: Case) -> list:
        steps = selectors.case_timeline(case)
        for step in steps:
            step.case = case
        return ApplicantTimelineEntryOutput(steps, many=True).data


@extend_schema_view(
    get=extend_schema(
        operation_id="cases_list",
        summary="The work queue",
        description=(
            "Applications of the reviewer's department in the districts they review, once "
            "submitted; ordered by due date, then submission time. Callers who are not "
            "reviewers of a department get 403."
        ),
        responses={200: CaseOutput(many=True), **error_responses(400, 403)},
        tags=["cases"],
    )
)
class WorkQueueView(generics.ListAPIView):
    permission_classes = [permissions.IsAuthenticated, IsReviewer]
    serializer_class = CaseOutput
    filterset_class = WorkQueueFilter

    def get_queryset(self) -> QuerySet[Case]:
        return work_queue(self.request.user)


@extend_schema_view(
    get=extend_schema(
        operation_id="cases_retrieve",
        summary="One application in the work queue, with its history",
        description="A case outside the reviewer's department and districts is 404.",
        responses={200: CaseDetailOutput, **error_responses(403, 404)},
        tags=["cases"],
    )
)
class WorkQueueCaseView(generics.RetrieveAPIView):
    permission_classes = [permissions.IsAuthenticated, IsReviewer]
    serializer_class = CaseDetailOutput

    def get_queryset(self) -> QuerySet[Case]:
        return work_queue(self.request.user)


@extend_schema_view(
    get=extend_schema(
        operation_id="my_cases_list",
        summary="My applications",
        description="The applications the caller filed, newest first.",
        responses={200: CaseOutput(many=True), **error_responses(400, 403)},
        tags=["cases"],
    )
)
class MyCaseListView(generics.ListAPIView):
    serializer_class = CaseOutput
    filterset_class = MyCaseFilter

    def get_queryset(self) -> QuerySet[Case]:
        return own_cases(self.request.user)


@extend_schema_view(
    get=extend_schema(
        operation_id="my_cases_retrieve",
        summary="One of my applications, with its progress",
        description="Another user's application is 404.",
        responses={200: MyCaseDetailOutput, **error_responses(403, 404)},
        tags=["cases"],
    )
)
class MyCaseView(generics.RetrieveAPIView):
    serializer_class = MyCaseDetailOutput

    def get_queryset(self) -> QuerySet[Case]:
        return own_cases(self.request.user)
