"""The reconciliation API: department systems send their data feeds and read back the report.

POST /api/v1/feeds/ takes a feed file (multipart: `kind`, `file`, optionally `encoding` and
`format`) from a department system's account (token authentication) and queues its run:
201 with the new feed and its run, or 200 with the feed first received when the same file
was sent before. GET /api/v1/feeds/ and /api/v1/feeds/<id>/ give the sender's feeds with
the report of their latest run; /api/v1/reconciliation-runs/<id>/rejected-rows/ the reject
report. Thin: input serializers check shape; residents.reconciliation.services decides and
residents.reconciliation.selectors scopes.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from portal.api import error_responses
from residents.models import (
    FeedChannel,
    FeedEncoding,
    FeedFormat,
    FeedKindCode,
    FeedUpload,
    ReconciliationRun,
    RejectedRow,
)
from residents.reconciliation import selectors, services


class RunOut(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")
    discrepancies_by_kind = serializers.DictField(child=serializers.IntegerField())

    class Meta:
        model = ReconciliationRun
        fields = [
            "id",
            "status",
            "status_label",
            "step",
            "progress",
            "run_on",
            "rows_read",
            "rows_rejected",
            "rows_matched",
            "rows_matched_by_name",
            "discrepancies_by_kind",
            "tasks_raised",
            "seconds",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]


class FeedOut(serializers.ModelSerializer):
    run = serializers.SerializerMethodField(help_text="The report of the feed's latest run.")

    class Meta:
        model = FeedUpload
        fields = [
            "id",
            "kind",
            "format",
            "encoding",
            "channel",
            "original_name",
            "size",
            "sha256",
            "received_at",
            "run",
        ]

    @extend_schema_field(RunOut(allow_null=True))
    def get_run(self, feed: FeedUpload) -> dict | None:
        run = self.context.get("run") or selectors.latest_run(feed)
        return RunOut(run).data if run is not None else None


class RejectedRowOut(serializers.ModelSerializer):
    reason_label = serializers.CharField(source="get_reason_display")

    class Meta:
        model = RejectedRow
        fields = ["row_no", "reason", "reason_label", "column", "value", "raw"]


@extend_schema_view(
    get=extend_schema(
        operation_id="feeds_list",
        summary="Feeds sent",
        description="The caller's feeds (every feed for supervisors), newest first.",
        responses={200: FeedOut(many=True), **error_responses(401, 403)},
        tags=["reconciliation"],
    )
)
class FeedListReceiveApi(ListAPIView):
    """Receive a department's feed; list the feeds sent."""

    class FeedIn(serializers.Serializer):
        kind = serializers.ChoiceField(choices=FeedKindCode.choices)
        file = serializers.FileField()
        encoding = serializers.ChoiceField(
            choices=FeedEncoding.choices,
            required=False,
            allow_blank=True,
            help_text="Read from the start of the file when not given.",
        )
        format = serializers.ChoiceField(
            choices=FeedFormat.choices,
            required=False,
            allow_blank=True,
            help_text="Read from the file name (.csv, .jsonl) when not given.",
        )

    serializer_class = FeedOut
    parser_classes = (MultiPartParser,)

    def get_queryset(self) -> QuerySet[FeedUpload]:
        return selectors.feeds_visible_to(self.request.user)

    @extend_schema(
        operation_id="feeds_create",
        summary="Send a feed",
        description=(
            "A department system sends a data file (CSV with a header, or JSON lines; UTF-8 or "
            "GB18030) to be reconciled against the registry tonight. The run is queued at "
            "once. 201 with the new feed and its run; 200 with the first feed when the same "
            "file was sent before; 403 when the account may not send this kind."
        ),
        request={"multipart/form-data": FeedIn},
        responses={201: FeedOut, 200: FeedOut, **error_responses(400, 401, 403)},
        tags=["reconciliation"],
    )
    def post(self, request: Request) -> Response:
        data = self.FeedIn(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        feed, created = services.receive_feed(
            kind=data.validated_data["kind"],
            source=upload,
            original_name=upload.name,
            channel=FeedChannel.API,
            actor=request.user,
            encoding=data.validated_data.get("encoding", ""),
            fmt=data.validated_data.get("format", ""),
        )
        run = services.start_run(feed_id=feed.pk, actor=request.user)
        body = FeedOut(feed, context={"run": run}).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


@extend_schema_view(
    get=extend_schema(
        operation_id="feeds_retrieve",
        summary="One feed, with its latest run's report",
        responses={200: FeedOut, **error_responses(401, 403, 404)},
        tags=["reconciliation"],
    )
)
class FeedDetailApi(RetrieveAPIView):
    serializer_class = FeedOut

    def get_queryset(self) -> QuerySet[FeedUpload]:
        return selectors.feeds_visible_to(self.request.user)


@extend_schema_view(
    get=extend_schema(
        operation_id="reconciliation_rejected_rows_list",
        summary="A run's reject report",
        description="The rows of the feed that failed validation, in file order, with the reason.",
        responses={200: RejectedRowOut(many=True), **error_responses(401, 403, 404)},
        tags=["reconciliation"],
    )
)
class RejectedRowListApi(ListAPIView):
    serializer_class = RejectedRowOut

    def get_queryset(self) -> QuerySet[RejectedRow]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no run
            return RejectedRow.objects.none()
        run = get_object_or_404(selectors.runs_visible_to(self.request.user), pk=self.kwargs["pk"])
        return selectors.rejected_rows_of(run)
