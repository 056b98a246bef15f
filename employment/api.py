"""The employment API: employers register and declare workers (one by one or as a list), job
search and applications for residents, enrolment on courses.

One view per use case for writes; lists are ListAPIViews over a selector with a FilterSet.
Input serializers check shape only; the services decide. Refusals come back in the one error
format {"code", "message", "fields"}; another account's employer or worker is a 404.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from employment import filters, selectors, services
from employment.models import (
    Employer,
    Employment,
    Enrolment,
    JobApplication,
    JobPosting,
    Trade,
    WorkerUpload,
)
from portal.api import error_responses
from portal.workflow.models import Status

# --- output shapes ---------------------------------------------------------------------------


class EmployerOut(serializers.ModelSerializer):
    reference = serializers.CharField(source="case.reference")
    status = serializers.ChoiceField(source="case.status", choices=Status.choices)
    district = serializers.CharField(source="district.code")

    class Meta:
        model = Employer
        fields = [
            "id",
            "reference",
            "status",
            "name",
            "credit_code",
            "district",
            "trade",
            "is_active",
        ]


class EmploymentOut(serializers.ModelSerializer):
    name = serializers.CharField(source="person.name")
    id_masked = serializers.CharField(source="person.id_masked")
    dormitory = serializers.IntegerField(source="dormitory_id", allow_null=True)

    class Meta:
        model = Employment
        fields = [
            "id",
            "name",
            "id_masked",
            "job_title",
            "dormitory",
            "start_date",
            "end_date",
            "start_late",
            "end_late",
        ]


class UploadOut(serializers.ModelSerializer):
    class Meta:
        model = WorkerUpload
        fields = ["id", "action", "filename", "rows_total", "rows_accepted", "problems"]


class PostingOut(serializers.ModelSerializer):
    employer = serializers.CharField(source="employer.name")
    district = serializers.CharField(source="district.code")

    class Meta:
        model = JobPosting
        fields = [
            "id",
            "title",
            "employer",
            "trade",
            "district",
            "pay_min",
            "pay_max",
            "skills",
            "openings",
            "description",
        ]


class JobApplicationOut(serializers.ModelSerializer):
    class Meta:
        model = JobApplication
        fields = ["id", "posting", "applied_at"]


class EnrolmentOut(serializers.ModelSerializer):
    class Meta:
        model = Enrolment
        fields = ["id", "course", "status", "enrolled_at"]


# --- employers -------------------------------------------------------------------------------


class EmployerListCreateApi(ListAPIView):
    """The caller's enterprises; POST registers one (checked by its credit code)."""

    serializer_class = EmployerOut

    class EmployerIn(serializers.Serializer):
        name = serializers.CharField(max_length=100)
        credit_code = serializers.CharField(max_length=30)
        district = serializers.IntegerField()
        trade = serializers.ChoiceField(choices=Trade.choices)
        contact_name = serializers.CharField(max_length=50)
        contact_phone = serializers.CharField(max_length=20)

    def get_queryset(self):
        return selectors.employers_of(self.request.user)

    @extend_schema(request=EmployerIn, responses={201: EmployerOut, **error_responses(400, 403)})
    def post(self, request: Request) -> Response:
        data = self.EmployerIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        employer = services.register_employer(
            actor=request.user, district_id=values.pop("district"), **values
        )
        return Response(EmployerOut(employer).data, status=status.HTTP_201_CREATED)


class WorkerListCreateApi(ListAPIView):
    """The workers of one of the caller's enterprises; POST declares one who started."""

    serializer_class = EmploymentOut
    filterset_class = filters.EmploymentFilter

    class WorkerIn(serializers.Serializer):
        name = serializers.CharField(max_length=50)
        id_number = serializers.CharField(max_length=18)
        start_date = serializers.DateField()
        job_title = serializers.CharField(max_length=50, required=False, default="")
        dormitory = serializers.IntegerField(required=False, allow_null=True, default=None)

    def _employer(self) -> Employer:
        return get_object_or_404(selectors.employers_of(self.request.user), pk=self.kwargs["pk"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Employment.objects.none()
        return selectors.workers_of_employer(self._employer())

    @extend_schema(
        request=WorkerIn, responses={201: EmploymentOut, **error_responses(400, 404, 409)}
    )
    def post(self, request: Request, pk: int) -> Response:
        employer = self._employer()
        data = self.WorkerIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        employment = services.declare_worker_start(
            actor=request.user,
            employer_id=employer.pk,
            dormitory_id=values.pop("dormitory"),
            **values,
        )
        return Response(EmploymentOut(employment).data, status=status.HTTP_201_CREATED)


class WorkerEndApi(APIView):
    class WorkerEndIn(serializers.Serializer):
        end_date = serializers.DateField()
        reason = serializers.CharField(max_length=200, required=False, default="")

    @extend_schema(
        request=WorkerEndIn, responses={200: EmploymentOut, **error_responses(400, 404, 409)}
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.WorkerEndIn(data=request.data)
        data.is_valid(raise_exception=True)
        employment = services.declare_worker_end(
            actor=request.user, employment_id=pk, **data.validated_data
        )
        return Response(EmploymentOut(employment).data)


class WorkerListUploadApi(APIView):
    """Upload a worker list (.xlsx or .csv): valid rows are declared, the rest reported."""

    parser_classes = [MultiPartParser]

    class WorkerListIn(serializers.Serializer):
        action = serializers.ChoiceField(choices=WorkerUpload.Action.choices)
        file = serializers.FileField()

    @extend_schema(request=WorkerListIn, responses={201: UploadOut, **error_responses(400, 404)})
    def post(self, request: Request, pk: int) -> Response:
        employer = get_object_or_404(selectors.employers_of(request.user), pk=pk)
        data = self.WorkerListIn(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        result = services.upload_worker_list(
            actor=request.user,
            employer_id=employer.pk,
            action=data.validated_data["action"],
            filename=upload.name,
            content=upload.read(),
        )
        return Response(UploadOut(result).data, status=status.HTTP_201_CREATED)


# --- residents -------------------------------------------------------------------------------


class JobSearchApi(ListAPIView):
    """Approved open job postings, filtered by district, trade, pay and skill."""

    serializer_class = PostingOut
    filterset_class = filters.JobPostingFilter

    def get_queryset(self):
        return selectors.open_postings().order_by("-created_at", "-id")


class JobApplyApi(APIView):
    @extend_schema(
        request=None, responses={201: JobApplicationOut, **error_responses(400, 404, 409)}
    )
    def post(self, request: Request, pk: int) -> Response:
        application = services.apply_for_job(actor=request.user, posting_id=pk)
        return Response(JobApplicationOut(application).data, status=status.HTTP_201_CREATED)


class CourseEnrolApi(APIView):
    @extend_schema(request=None, responses={201: EnrolmentOut, **error_responses(400, 404, 409)})
    def post(self, request: Request, pk: int) -> Response:
        enrolment = services.enrol(actor=request.user, course_id=pk)
        return Response(EnrolmentOut(enrolment).data, status=status.HTTP_201_CREATED)
