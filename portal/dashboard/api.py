"""The city's view over the API: the registered metrics, one area's monthly facts (scoped to the
reader: 404 outside their districts), and the public open statistics."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import error_responses
from portal.areas.models import Area, Level
from portal.dashboard import metrics, opendata, selectors
from portal.dashboard.models import Fact, current_facts
from portal.errors import InvalidInput


class MetricOutput(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    kind = serializers.CharField()
    dimensions = serializers.ListField(child=serializers.CharField())


class MetricListView(APIView):
    @extend_schema(
        operation_id="dashboard_metrics",
        summary="Registered metrics",
        responses={200: MetricOutput(many=True), **error_responses(403, 404)},
        tags=["dashboard"],
    )
    def get(self, request: Request) -> Response:
        if not selectors.can_view_dashboard(request.user):
            raise Http404
        return Response(MetricOutput(metrics.all_metrics(), many=True).data)


class FactInput(serializers.Serializer):
    metric = serializers.CharField()
    area = serializers.CharField(required=False, allow_blank=True)
    dimension = serializers.CharField(required=False, allow_blank=True, default="")
    since = serializers.RegexField(r"^\d{4}-\d{2}$", required=False)
    until = serializers.RegexField(r"^\d{4}-\d{2}$", required=False)

    def validate_metric(self, value: str) -> str:
        if not metrics.has_metric(value):
            raise serializers.ValidationError(_("No such metric."))
        return value

    def validate(self, attrs):
        dimension = attrs.get("dimension", "")
        metric = attrs.get("metric")
        if dimension and metric and dimension not in metrics.get_metric(metric).dimensions:
            raise serializers.ValidationError(
                {"dimension": [_("The metric has no such dimension.")]}
            )
        return attrs


class FactOutput(serializers.ModelSerializer):
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    month = serializers.DateField(format="%Y-%m")

    class Meta:
        model = Fact
        fields = ["area", "month", "key", "value"]


class FactListView(generics.ListAPIView):
    """One metric's monthly values in one area (the reader's first area by default)."""

    serializer_class = FactOutput

    @extend_schema(
        operation_id="dashboard_facts",
        summary="Monthly facts of one metric in one area",
        parameters=[
            OpenApiParameter("metric", str, required=True),
            OpenApiParameter("area", str, description="division code"),
            OpenApiParameter("dimension", str, description="a dimension of the metric, or empty"),
            OpenApiParameter("since", str, description="YYYY-MM"),
            OpenApiParameter("until", str, description="YYYY-MM"),
        ],
        responses={200: FactOutput(many=True), **error_responses(400, 403, 404)},
        tags=["dashboard"],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        area = selectors.area_for(self.request.user, self.request.query_params.get("area"))
        data = FactInput(data=self.request.query_params)
        if not data.is_valid():
            raise InvalidInput(fields={k: [str(m) for m in v] for k, v in data.errors.items()})
        params = data.validated_data
        qs = (
            current_facts()
            .select_related("area")
            .filter(metric=params["metric"], area=area, dimension=params.get("dimension", ""))
        )
        if params.get("since"):
            qs = qs.filter(month__gte=f"{params['since']}-01")
        if params.get("until"):
            qs = qs.filter(month__lte=f"{params['until']}-01")
        return qs.order_by("month", "key")


class OpenCell(serializers.Serializer):
    area = serializers.DictField()
    total = serializers.IntegerField(allow_null=True)
    cells = serializers.ListField(child=serializers.IntegerField(allow_null=True))


class OpenTableOutput(serializers.Serializer):
    area = serializers.DictField()
    month = serializers.CharField()
    metric = serializers.CharField()
    k = serializers.IntegerField()
    dimension = serializers.CharField()
    columns = serializers.ListField(child=serializers.DictField())
    rows = OpenCell(many=True)
    total = serializers.DictField()


class OpenStatisticsView(APIView):
    """Public: registered new residents in the areas one level below an area, for a month,
    optionally by a dimension; figures under k and those that would give one away are null."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        operation_id="open_statistics",
        summary="Open statistics with small-cell suppression",
        parameters=[
            OpenApiParameter("area", str, description="division code (default: the city)"),
            OpenApiParameter("month", str, description="YYYY-MM (default: the latest)"),
            OpenApiParameter("dimension", str, description="age_sex, origin, reason or tenure"),
        ],
        responses={200: OpenTableOutput, **error_responses(400, 404)},
        tags=["open statistics"],
        auth=[],
    )
    def get(self, request: Request) -> Response:
        code = request.query_params.get("area")
        if code:
            area = get_object_or_404(Area, code=code)
        else:
            area = Area.objects.filter(level=Level.CITY).order_by("code").first()
        months = selectors.fact_months()
        errors: dict[str, list[str]] = {}
        raw_month = request.query_params.get("month")
        month = selectors.parse_month(raw_month, months)
        if raw_month and (month is None or selectors.month_label(month) != raw_month):
            errors["month"] = [str(_("No figures for that month."))]
        dimension = request.query_params.get("dimension", "")
        if dimension and dimension not in {d.code for d in opendata.public_dimensions()}:
            errors["dimension"] = [str(_("No such dimension."))]
        if errors:
            raise InvalidInput(fields=errors)
        if area is None or month is None:
            raise Http404
        table = opendata.published_table(area, month, dimension)
        return Response(opendata.as_data(table, month))
