"""Areas and standard addresses: read-only reference data for any signed-in user."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers

from portal.api import error_responses
from portal.areas import selectors
from portal.areas.filters import AddressFilter, AreaFilter
from portal.areas.models import Address, Area


class AreaRef(serializers.Serializer):
    """An area as other objects point at it."""

    code = serializers.CharField()
    name = serializers.CharField(source="display_name")


class AreaOutput(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")
    level_label = serializers.CharField(source="get_level_display")
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)
    district = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Area
        fields = ["code", "name", "level", "level_label", "parent", "district"]


class AreaDetailOutput(AreaOutput):
    class Meta(AreaOutput.Meta):
        fields = [*AreaOutput.Meta.fields, "boundary"]


class AddressOutput(serializers.ModelSerializer):
    grid = AreaRef()
    district = AreaRef(source="grid.district")

    class Meta:
        model = Address
        fields = ["id", "text", "road", "number", "building", "unit", "room", "grid", "district"]


@extend_schema_view(
    get=extend_schema(
        operation_id="areas_list",
        summary="Areas",
        description="Districts, streets, communities and grids, in division-code order.",
        responses={200: AreaOutput(many=True), **error_responses(400, 403)},
        tags=["areas"],
    )
)
class AreaListView(generics.ListAPIView):
    serializer_class = AreaOutput
    filterset_class = AreaFilter

    def get_queryset(self) -> QuerySet[Area]:
        return selectors.areas()


@extend_schema_view(
    get=extend_schema(
        operation_id="areas_retrieve",
        summary="One area, by division code",
        responses={200: AreaDetailOutput, **error_responses(403, 404)},
        tags=["areas"],
    )
)
class AreaDetailView(generics.RetrieveAPIView):
    serializer_class = AreaDetailOutput
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[Area]:
        return selectors.areas()


@extend_schema_view(
    get=extend_schema(
        operation_id="addresses_list",
        summary="Standard addresses",
        description="Search by words of the address, within any area or one grid.",
        responses={200: AddressOutput(many=True), **error_responses(400, 403)},
        tags=["areas"],
    )
)
class AddressListView(generics.ListAPIView):
    serializer_class = AddressOutput
    filterset_class = AddressFilter

    def get_queryset(self) -> QuerySet[Address]:
        return selectors.addresses()


@extend_schema_view(
    get=extend_schema(
        operation_id="addresses_retrieve",
        summary="One standard address",
        responses={200: AddressOutput, **error_responses(403, 404)},
        tags=["areas"],
    )
)
class AddressDetailView(generics.RetrieveAPIView):
    serializer_class = AddressOutput

    def get_queryset(self) -> QuerySet[Address]:
        return selectors.addresses()
