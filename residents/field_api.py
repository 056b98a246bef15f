"""The grid officers' field API, for the field pages' offline queue and a future mobile app.

GET /api/v1/field/grids/, /addresses/, /tasks/ and /visits/ list what the officer's grids hold;
POST /api/v1/field/visits/ records a visit, idempotent on the device's `client_id`: the first
copy answers 201, every later copy 200 with the visit first recorded. Supervisors (analysts)
read coverage per grid and per officer under /api/v1/field/coverage/. Thin: input serializers
check shape, residents.services.record_visit decides, residents.selectors scope every list.
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import permissions, serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.models import User
from portal.api import error_responses
from portal.areas.models import Address, Area
from residents import selectors, services
from residents.models import (
    Discrepancy,
    Disposition,
    FieldTask,
    Finding,
    Reason,
    Registration,
    TaskKind,
    TaskStatus,
    Visit,
    VisitEntry,
    VisitOutcome,
)
from residents.reconciliation import dispositions

# --- output shapes ---------------------------------------------------------------------------


@extend_schema_field({"type": "string", "enum": TaskKind.values}, component_name="FieldTaskKind")
class TaskKindField(serializers.CharField):
    """The kind of a field task, as its own schema component: the name `kind` is also used for
    the material kinds of the permit API, so a shared `KindEnum` cannot be named for both."""


class FieldGridOut(serializers.ModelSerializer):
    district = serializers.CharField(source="district.display_name", allow_null=True)
    community = serializers.CharField(source="parent.display_name", allow_null=True)
    address_count = serializers.IntegerField()
    resident_count = serializers.IntegerField(help_text="Persons registered there now.")
    visits_this_month = serializers.IntegerField()
    open_task_count = serializers.IntegerField()
    covered_count = serializers.IntegerField(
        help_text="Addresses with a visit that checked the residents in the last 30 days."
    )
    coverage = serializers.SerializerMethodField(help_text="covered_count / address_count, 0-1.")

    class Meta:
        model = Area
        fields = [
            "id",
            "code",
            "name",
            "community",
            "district",
            "address_count",
            "resident_count",
            "visits_this_month",
            "open_task_count",
            "covered_count",
            "coverage",
        ]

    @extend_schema_field(serializers.FloatField())
    def get_coverage(self, grid: Area) -> float:
        return selectors.coverage_share(grid.covered_count, grid.address_count)


class FieldResidentOut(serializers.ModelSerializer):
    registration = serializers.IntegerField(source="pk")
    person = serializers.IntegerField(source="person_id")
    name = serializers.CharField(source="person.name")
    id_number = serializers.CharField(source="person.id_masked", help_text="Masked.")
    registered_since = serializers.DateField(source="start_date")

    class Meta:
        model = Registration
        fields = ["registration", "person", "name", "id_number", "registered_since", "reason"]


class FieldAddressOut(serializers.ModelSerializer):
    grid_name = serializers.CharField(source="grid.display_name")
    residents = FieldResidentOut(
        source="current_registrations",
        many=True,
        help_text="The first persons registered here now (at most 20, the earliest first).",
    )
    resident_count = serializers.IntegerField(help_text="Persons registered here now.")
    open_task_count = serializers.IntegerField()
    last_visited_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        model = Address
        fields = [
            "id",
            "text",
            "grid",
            "grid_name",
            "residents",
            "resident_count",
            "open_task_count",
            "last_visited_at",
        ]


class FieldTaskOut(serializers.ModelSerializer):
    kind = TaskKindField()
    kind_label = serializers.CharField(source="get_kind_display")
    address_text = serializers.CharField(source="address.text")
    grid = serializers.IntegerField(source="address.grid_id")
    person_name = serializers.CharField(source="person.name", allow_null=True, default=None)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = FieldTask
        fields = [
            "id",
            "kind",
            "kind_label",
            "status",
            "address",
            "address_text",
            "grid",
            "person",
            "person_name",
            "due_date",
            "overdue",
            "source",
            "source_ref",
            "note",
            "created_at",
            "closed_at",
            "closed_by",
        ]

    @extend_schema_field(serializers.BooleanField())
    def get_overdue(self, task: FieldTask) -> bool:
        return task.is_overdue_on(timezone.localdate())


class VisitEntryOut(serializers.ModelSerializer):
    name = serializers.CharField(source="person.name")
    id_number = serializers.CharField(source="person.id_masked", help_text="Masked.")
    finding = serializers.ChoiceField(choices=Finding.choices)
    moved_from_date = serializers.DateField(
        source="moved_from.start_date",
        allow_null=True,
        default=None,
        help_text="For a move: when the ended registration elsewhere had started.",
    )

    class Meta:
        model = VisitEntry
        fields = ["person", "name", "id_number", "finding", "registration", "moved_from_date"]


class VisitOut(serializers.ModelSerializer):
    address_text = serializers.CharField(source="address.text")
    officer = serializers.CharField(source="officer.username")
    outcome = serializers.ChoiceField(choices=VisitOutcome.choices)
    entries = VisitEntryOut(many=True)
    closed_tasks = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    notices = serializers.SerializerMethodField(
        help_text="Messages for the officer, e.g. a person moved here from another address."
    )

    class Meta:
        model = Visit
        fields = [
            "id",
            "client_id",
            "address",
            "address_text",
            "officer",
            "visited_at",
            "recorded_at",
            "outcome",
            "note",
            "entries",
            "closed_tasks",
            "notices",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_notices(self, visit: Visit) -> list[str]:
        return selectors.visit_notices(visit)


class CoverageGridOut(serializers.ModelSerializer):
    district = serializers.CharField(source="district.display_name", allow_null=True)
    officers = serializers.SerializerMethodField()
    address_count = serializers.IntegerField()
    covered_count = serializers.IntegerField()
    coverage = serializers.SerializerMethodField()
    recent_visits = serializers.IntegerField(help_text="Visits in the last 30 days.")
    open_task_count = serializers.IntegerField()
    overdue_task_count = serializers.IntegerField()

    class Meta:
        model = Area
        fields = [
            "id",
            "code",
            "name",
            "district",
            "officers",
            "address_count",
            "covered_count",
            "coverage",
            "recent_visits",
            "open_task_count",
            "overdue_task_count",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_officers(self, grid: Area) -> list[str]:
        return [officer.username for officer in grid.grid_officers]

    @extend_schema_field(serializers.FloatField())
    def get_coverage(self, grid: Area) -> float:
        return selectors.coverage_share(grid.covered_count, grid.address_count)


class CoverageOfficerOut(serializers.ModelSerializer):
    name = serializers.CharField(source="get_full_name")
    grid_count = serializers.IntegerField()
    address_count = serializers.IntegerField()
    covered_count = serializers.IntegerField()
    coverage = serializers.SerializerMethodField()
    recent_visits = serializers.IntegerField(help_text="The officer's visits in the last 30 days.")
    open_task_count = serializers.IntegerField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "name",
            "grid_count",
            "address_count",
            "covered_count",
            "coverage",
            "recent_visits",
            "open_task_count",
        ]

    @extend_schema_field(serializers.FloatField())
    def get_coverage(self, officer: User) -> float:
        return selectors.coverage_share(officer.covered_count, officer.address_count)


# --- filters -----------------------------------------------------------------------------------


class FieldAddressFilter(django_filters.FilterSet):
    grid = django_filters.NumberFilter(field_name="grid_id", label=_("Grid"))
    q = django_filters.CharFilter(
        method="filter_q", label=_("Address, name, or full ID number (exact)")
    )

    class Meta:
        model = Address
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return selectors.search_field_addresses(queryset, value)


class FieldTaskFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=TaskStatus.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=TaskKind.choices, label=_("Kind of task"))
    grid = django_filters.NumberFilter(field_name="address__grid_id", label=_("Grid"))
    address = django_filters.NumberFilter(field_name="address_id", label=_("Address"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue only"))

    class Meta:
        model = FieldTask
        fields: list[str] = []

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        overdue = {"status": TaskStatus.OPEN, "due_date__lt": timezone.localdate()}
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)


class FieldVisitFilter(django_filters.FilterSet):
    address = django_filters.NumberFilter(field_name="address_id", label=_("Address"))
    outcome = django_filters.ChoiceFilter(choices=VisitOutcome.choices, label=_("Outcome"))

    class Meta:
        model = Visit
        fields: list[str] = []


class CoverageGridFilter(django_filters.FilterSet):
    district = django_filters.CharFilter(
        field_name="district__code", label=_("District (division code)")
    )

    class Meta:
        model = Area
        fields: list[str] = []


# --- the officer ---------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(responses={200: FieldGridOut(many=True), **error_responses(403)})
)
class FieldGridListApi(ListAPIView):
    """The caller's grids (grid officers), each with its counts and coverage."""

    serializer_class = FieldGridOut

    def get_queryset(self) -> QuerySet[Area]:
        return selectors.field_grids_of(self.request.user)


@extend_schema_view(
    get=extend_schema(responses={200: FieldAddressOut(many=True), **error_responses(400, 403)})
)
class FieldAddressListApi(ListAPIView):
    """The standard addresses of the caller's grids with who is registered at each now.

    `q`: words of the address or of a resident's name, or a full ID number (exact match).
    """

    serializer_class = FieldAddressOut
    filterset_class = FieldAddressFilter

    def get_queryset(self) -> QuerySet[Address]:
        return selectors.field_addresses_of(
            self.request.user, residents_listed=selectors.RESIDENTS_LISTED_PER_ADDRESS
        )


@extend_schema_view(
    get=extend_schema(responses={200: FieldTaskOut(many=True), **error_responses(400, 403)})
)
class FieldTaskListApi(ListAPIView):
    """Tasks at addresses of the caller's grids, soonest due first (open ones by default)."""

    serializer_class = FieldTaskOut
    filterset_class = FieldTaskFilter

    def get_queryset(self) -> QuerySet[FieldTask]:
        tasks = selectors.field_tasks_of(self.request.user)
        if "status" not in self.request.query_params:
            tasks = tasks.filter(status=TaskStatus.OPEN)
        return tasks


class ArrivalIn(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=20)
    start_date = serializers.DateField(
        required=False, allow_null=True, help_text="Defaults to the day of the visit."
    )
    reason = serializers.ChoiceField(choices=Reason.choices, default=Reason.WORK)
    phone = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)


class TaskFindingIn(serializers.Serializer):
    task = serializers.IntegerField()
    finding = serializers.CharField(max_length=1000, allow_blank=True)


class DepartureIn(serializers.Serializer):
    person = serializers.IntegerField()
    end_date = serializers.DateField(
        required=False, allow_null=True, help_text="Defaults to the day of the visit."
    )


@extend_schema_view(
    get=extend_schema(responses={200: VisitOut(many=True), **error_responses(400, 403)})
)
class FieldVisitListCreateApi(ListAPIView):
    """Visits at addresses of the caller's grids, newest first; POST records one."""

    serializer_class = VisitOut
    filterset_class = FieldVisitFilter

    class VisitIn(serializers.Serializer):
        client_id = serializers.UUIDField(
            help_text="Made by the device when the visit is filled in; a repeat returns the "
            "visit first recorded."
        )
        address = serializers.IntegerField(help_text="A standard address of the caller's grids.")
        outcome = serializers.ChoiceField(choices=VisitOutcome.choices)
        visited_at = serializers.DateTimeField(
            required=False, help_text="When the officer was at the door; defaults to now."
        )
        present = serializers.ListField(
            child=serializers.IntegerField(),
            required=False,
            default=list,
            max_length=100,
            help_text="Persons registered at the address who were found living there.",
        )
        arrivals = ArrivalIn(many=True, required=False, max_length=20)
        departures = DepartureIn(many=True, required=False, max_length=100)
        tasks = serializers.ListField(
            child=serializers.IntegerField(),
            required=False,
            default=list,
            max_length=100,
            help_text="Open tasks of the address this visit settles; each needs a finding in "
            "`task_findings`.",
        )
        task_findings = TaskFindingIn(
            many=True,
            required=False,
            max_length=100,
            help_text="What the visit found for each task it closes.",
        )
        note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)

    def get_queryset(self) -> QuerySet[Visit]:
        return selectors.field_visits_of(self.request.user)

    @extend_schema(
        request=VisitIn,
        responses={
            201: OpenApiResponse(VisitOut, description="Recorded."),
            200: OpenApiResponse(
                VisitOut, description="Already recorded under this client_id: the first visit."
            ),
            **error_responses(400, 403, 404, 409),
        },
        description=(
            "Record a door-to-door visit. `outcome=done`: confirm who lives there (`present`), "
            "register `arrivals` (a new ID number creates the person; a person registered "
            "elsewhere is moved here and `notices` says so) and `departures` (the registration "
            "ends; a valid residence permit is cancelled). `nobody_home` raises a revisit task. "
            "A `done` visit that records nothing is refused; a task is closed only with a "
            "finding for it (`task_findings`). "
            "An address, person or task outside the caller's grids is a 404. Errors are keyed "
            "by field, e.g. `arrivals.0.id_number`. Idempotent on `client_id`; a client id "
            "used by another officer is a 409."
        ),
    )
    def post(self, request: Request) -> Response:
        data = self.VisitIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        visit, created = services.record_visit(
            actor=request.user,
            client_id=values["client_id"],
            address_id=values["address"],
            outcome=values["outcome"],
            visited_at=values.get("visited_at"),
            present=values["present"],
            arrivals=[services.Arrival(**arrival) for arrival in values.get("arrivals", [])],
            departures=[
                services.Departure(person_id=d["person"], end_date=d.get("end_date"))
                for d in values.get("departures", [])
            ],
            task_ids=values["tasks"],
            task_findings={row["task"]: row["finding"] for row in values.get("task_findings", [])},
            note=values["note"],
        )
        shown = selectors.field_visits_of(request.user).get(pk=visit.pk)
        return Response(
            VisitOut(shown).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


# --- supervisors ----------------------------------------------------------------------------------


class IsFieldSupervisor(permissions.BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return selectors.can_supervise_field_work(request.user)


@extend_schema_view(
    get=extend_schema(responses={200: CoverageGridOut(many=True), **error_responses(400, 403)})
)
class CoverageGridListApi(ListAPIView):
    """Visit coverage of every grid (analysts): addresses covered in the last 30 days, visits,
    open and overdue tasks, and the grid's officers."""

    permission_classes = [permissions.IsAuthenticated, IsFieldSupervisor]
    serializer_class = CoverageGridOut
    filterset_class = CoverageGridFilter

    def get_queryset(self) -> QuerySet[Area]:
        return selectors.coverage_by_grid(self.request.user)


@extend_schema_view(
    get=extend_schema(responses={200: CoverageOfficerOut(many=True), **error_responses(403)})
)
class CoverageOfficerListApi(ListAPIView):
    """Visit coverage per grid officer (analysts): their grids' addresses covered in the last
    30 days, their own visits, and their open tasks."""

    permission_classes = [permissions.IsAuthenticated, IsFieldSupervisor]
    serializer_class = CoverageOfficerOut

    def get_queryset(self) -> QuerySet[User]:
        return selectors.coverage_by_officer(self.request.user)


class DiscrepancySettleApi(APIView):
    """POST /api/v1/field/discrepancies/<id>/settle/: a grid officer settles a discrepancy."""

    permission_classes = [permissions.IsAuthenticated]

    class SettleIn(serializers.Serializer):
        disposition = serializers.ChoiceField(choices=Disposition.choices)
        reason = serializers.CharField(max_length=2000)

    class SettledOut(serializers.ModelSerializer):
        class Meta:
            model = Discrepancy
            fields = [
                "id",
                "kind",
                "address",
                "person",
                "disposition",
                "settled_at",
                "settle_reason",
            ]

    @extend_schema(
        request=SettleIn,
        responses={200: SettledOut, **error_responses(400, 403, 404, 409)},
        description=(
            "Settle a discrepancy of the nightly reconciliation: confirmed, false_positive, "
            "disputed or resolved_elsewhere, with the reason. A confirmed departure ends the "
            "registration, naming the evidence; a false positive suppresses the same evidence "
            "in later runs. Outside the officer's grids: 404; settled already: 409."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.SettleIn(data=request.data)
        data.is_valid(raise_exception=True)
        discrepancy = dispositions.settle_discrepancy(
            actor=request.user,
            discrepancy_id=pk,
            disposition=data.validated_data["disposition"],
            reason=data.validated_data["reason"],
        )
        return Response(self.SettledOut(discrepancy).data)
