"""The housing API: rental homes and tenancies for landlords and tenants, affordable-housing
rounds, applications and offers for applicants, and the housing department's decisions.

One view per use case for writes and transitions; lists are ListAPIViews over a selector with
a FilterSet. Input serializers check shape only; the services decide. Every refusal comes back
in the one error format {"code", "message", "fields"}.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from housing import filters, selectors, services
from housing.models import (
    ApplicationRound,
    HousingApplication,
    Offer,
    RentalHome,
    Tenancy,
    UnitType,
)
from portal.api import error_responses
from portal.workflow.endpoints import transition_endpoint
from portal.workflow.models import Status
from residents import disclosure

# --- output shapes ---------------------------------------------------------------------------


class RentalHomeOut(serializers.ModelSerializer):
    reference = serializers.CharField(source="case.reference")
    status = serializers.ChoiceField(source="case.status", choices=Status.choices)
    last_reason = serializers.CharField(source="case.last_reason")
    address_text = serializers.CharField(source="address.text")
    grid = serializers.CharField(source="address.grid.code")
    district = serializers.CharField(source="address.grid.district.code")
    floor_area = serializers.DecimalField(max_digits=7, decimal_places=2)

    class Meta:
        model = RentalHome
        fields = [
            "id",
            "reference",
            "status",
            "last_reason",
            "address",
            "address_text",
            "grid",
            "district",
            "owner_name",
            "property_certificate",
            "rooms",
            "floor_area",
            "max_occupants",
            "is_active",
            "overcrowded_since",
            "created_at",
        ]


class TenancyOut(serializers.ModelSerializer):
    address_text = serializers.CharField(source="home.address.text")
    tenant_name = serializers.CharField(source="person.name")
    id_number = serializers.CharField(
        source="person.id_masked", help_text="Masked: 1101**********002X"
    )
    phone = serializers.SerializerMethodField(
        help_text="Masked: 138****8111 (the landlord reaches the tenant; the full number is "
        "not theirs to keep)"
    )
    registration_source = serializers.CharField(source="registration.source")
    is_current = serializers.BooleanField()

    class Meta:
        model = Tenancy
        fields = [
            "id",
            "home",
            "address_text",
            "tenant_name",
            "id_number",
            "phone",
            "start_date",
            "end_date",
            "is_current",
            "registration",
            "registration_source",
            "declared_at",
            "confirmed_at",
        ]

    def get_phone(self, tenancy: Tenancy) -> str:
        return disclosure.mask_phone(tenancy.phone)


class RentalHomeDetailOut(RentalHomeOut):
    current_occupants = serializers.SerializerMethodField()

    class Meta(RentalHomeOut.Meta):
        fields = [*RentalHomeOut.Meta.fields, "current_occupants"]

    def get_current_occupants(self, home: RentalHome) -> int:
        return selectors.current_occupants(home.address_id)


class RoundUnitTypeOut(serializers.Serializer):
    unit_type = serializers.ChoiceField(choices=UnitType.choices)
    min_household = serializers.IntegerField()
    max_household = serializers.IntegerField()


class RoundOut(serializers.ModelSerializer):
    project_name = serializers.CharField(source="project.name")
    district = serializers.CharField(source="project.district.code")
    unit_types = RoundUnitTypeOut(many=True)
    seed = serializers.CharField(
        source="revealed_seed", help_text="The lottery seed, revealed once the round is ranked."
    )
    min_points = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)

    class Meta:
        model = ApplicationRound
        fields = [
            "id",
            "project",
            "project_name",
            "district",
            "name",
            "opens_on",
            "closes_on",
            "min_points",
            "offer_days",
            "status",
            "seed_hash",
            "seed",
            "ranked_at",
            "unit_types",
        ]


class RankingLineOut(serializers.Serializer):
    rank = serializers.IntegerField()
    name_masked = serializers.CharField(help_text="First character only: 张*")
    id_masked = serializers.CharField()
    unit_type = serializers.ChoiceField(choices=UnitType.choices)
    points = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    applied_at = serializers.DateTimeField(allow_null=True)
    lottery_key = serializers.CharField()


class HousingApplicationOut(serializers.ModelSerializer):
    reference = serializers.CharField(source="case.reference")
    status = serializers.ChoiceField(source="case.status", choices=Status.choices)
    last_reason = serializers.CharField(source="case.last_reason")
    submitted_at = serializers.DateTimeField(source="case.submitted_at", allow_null=True)
    due_date = serializers.DateField(source="case.due_date", allow_null=True)
    person_name = serializers.CharField(source="person.name")
    points = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)

    class Meta:
        model = HousingApplication
        fields = [
            "id",
            "reference",
            "status",
            "last_reason",
            "round",
            "person",
            "person_name",
            "unit_type",
            "household_size",
            "owns_home_in_city",
            "points",
            "applied_at",
            "submitted_at",
            "due_date",
            "rank",
            "lottery_key",
            "created_at",
        ]


class OfferOut(serializers.ModelSerializer):
    unit_label = serializers.CharField(source="unit.label")
    unit_type = serializers.ChoiceField(source="unit.unit_type", choices=UnitType.choices)
    floor_area = serializers.DecimalField(source="unit.floor_area", max_digits=6, decimal_places=2)
    monthly_rent = serializers.DecimalField(
        source="unit.monthly_rent", max_digits=8, decimal_places=2
    )
    project_name = serializers.CharField(source="unit.project.name")
    round = serializers.IntegerField(source="application.round_id")

    class Meta:
        model = Offer
        fields = [
            "id",
            "unit",
            "unit_label",
            "unit_type",
            "floor_area",
            "monthly_rent",
            "project_name",
            "round",
            "application",
            "status",
            "offered_at",
            "deadline",
            "decided_at",
        ]


# --- landlords: rental homes -------------------------------------------------------------------------


class RentalHomeListCreateApi(ListAPIView):
    """The caller's own rental homes (出租房屋), newest first."""

    serializer_class = RentalHomeOut
    filterset_class = filters.RentalHomeFilter

    class RentalHomeCreateIn(serializers.Serializer):
        grid = serializers.IntegerField(help_text="The grid (area id) the home lies in.")
        road = serializers.CharField(max_length=100)
        number = serializers.CharField(max_length=20)
        building = serializers.CharField(
            max_length=20, required=False, default="", allow_blank=True
        )
        unit = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
        room = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
        owner_name = serializers.CharField(max_length=50)
        property_certificate = serializers.CharField(max_length=40)
        rooms = serializers.IntegerField()
        floor_area = serializers.DecimalField(max_digits=7, decimal_places=2)
        max_occupants = serializers.IntegerField()

    def get_queryset(self):
        return selectors.homes_of_landlord(self.request.user)

    @extend_schema(
        request=RentalHomeCreateIn,
        responses={201: RentalHomeOut, **error_responses(400, 403)},
        description=(
            "Register a home for letting (a draft; submit it for the housing department's "
            "safety check). The standard address is made from the grid and address parts."
        ),
    )
    def post(self, request: Request) -> Response:
        data = self.RentalHomeCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        home = services.create_rental_home(actor=request.user, grid_id=values.pop("grid"), **values)
        home = selectors.homes_of_landlord(request.user).get(pk=home.pk)
        return Response(RentalHomeOut(home).data, status=status.HTTP_201_CREATED)


class RentalHomeDetailApi(RetrieveAPIView):
    """One of the caller's rental homes, with how many people are registered there now."""

    serializer_class = RentalHomeDetailOut

    def get_queryset(self):
        return selectors.homes_of_landlord(self.request.user)


RentalHomeSubmitApi = transition_endpoint(
    services.submit_rental_home,
    output=RentalHomeOut,
    lookup="home_id",
    description="Send the registration for the safety check (again after a return).",
)
RentalHomeWithdrawApi = transition_endpoint(
    services.withdraw_rental_home,
    output=RentalHomeOut,
    lookup="home_id",
    reason="optional",
    description="Withdraw a registration nobody has taken up yet.",
)


# --- landlords: tenancies ------------------------------------------------------------------------


class HomeTenancyListCreateApi(ListAPIView):
    """The tenancies of one of the caller's homes; declare a tenant (人来申报)."""

    serializer_class = TenancyOut
    filterset_class = filters.TenancyFilter

    class TenancyCreateIn(serializers.Serializer):
        name = serializers.CharField(max_length=50)
        id_number = serializers.CharField(max_length=20)
        phone = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
        start_date = serializers.DateField(help_text="The day the tenant moved in.")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Tenancy.objects.none()
        home = get_object_or_404(
            selectors.homes_of_landlord(self.request.user), pk=self.kwargs["pk"]
        )
        return selectors.tenancies_of_landlord(self.request.user).filter(home=home)

    @extend_schema(
        request=TenancyCreateIn,
        responses={201: TenancyOut, **error_responses(400, 404, 409)},
        description=(
            "Declare a tenant who moved in: they are registered at the home's address with "
            "source `landlord` and a grid officer is asked to verify. Refused for a home whose "
            "safety check is not approved, beyond the home's maximum number of occupants, and "
            "for a person with a current or later-ending tenancy."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.TenancyCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        tenancy = services.declare_tenant(actor=request.user, home_id=pk, **data.validated_data)
        tenancy = selectors.tenancies_of_landlord(request.user).get(pk=tenancy.pk)
        return Response(TenancyOut(tenancy).data, status=status.HTTP_201_CREATED)


class TenancyEndApi(APIView):
    class EndIn(serializers.Serializer):
        end_date = serializers.DateField(help_text="The day the tenant moved out.")
        reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)

    @extend_schema(
        request=EndIn,
        responses={200: TenancyOut, **error_responses(400, 404, 409)},
        description="Declare that a tenant moved out (人走注销): their registration there ends.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.EndIn(data=request.data)
        data.is_valid(raise_exception=True)
        tenancy = services.end_tenancy(actor=request.user, tenancy_id=pk, **data.validated_data)
        return Response(TenancyOut(tenancy).data)


# --- tenants --------------------------------------------------------------------------------------


class MyTenancyListApi(ListAPIView):
    """The tenancies where the caller is the tenant."""

    serializer_class = TenancyOut
    filterset_class = filters.TenancyFilter

    def get_queryset(self):
        return selectors.tenancies_of_tenant(self.request.user)


class MyTenancyConfirmApi(APIView):
    @extend_schema(
        request=None,
        responses={200: TenancyOut, **error_responses(404)},
        description="The tenant confirms the tenancy their landlord declared.",
    )
    def post(self, request: Request, pk: int) -> Response:
        tenancy = services.confirm_tenancy(actor=request.user, tenancy_id=pk)
        return Response(TenancyOut(tenancy).data)


# --- affordable housing: rounds ---------------------------------------------------------------------


class RoundListApi(ListAPIView):
    """Every application round, with its unit types and the published seed commitment."""

    serializer_class = RoundOut
    filterset_class = filters.RoundFilter

    def get_queryset(self):
        return selectors.rounds()


class RankingApi(ListAPIView):
    """The published ranking of a round (公示), names and ID numbers masked; empty before."""

    serializer_class = RankingLineOut
    permission_classes = [permissions.AllowAny]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return HousingApplication.objects.none()
        application_round = get_object_or_404(selectors.rounds(), pk=self.kwargs["pk"])
        return selectors.published_ranking(application_round)

    def list(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        lines = selectors.ranking_lines(page if page is not None else self.get_queryset())
        data = RankingLineOut(lines, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)


class RoundRankApi(APIView):
    @extend_schema(
        request=None,
        responses={200: RoundOut, **error_responses(404, 409)},
        description=(
            "Rank the approved applications of a closed round (points, then time of "
            "application, then the lottery number) and publish the ranking; reveals the seed."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        application_round = services.rank_round(actor=request.user, round_id=pk)
        return Response(RoundOut(selectors.rounds().get(pk=application_round.pk)).data)


class RoundAllocateApi(APIView):
    class AllocateOut(serializers.Serializer):
        offered = serializers.IntegerField(help_text="How many offers were made.")

    @extend_schema(
        request=None,
        responses={200: AllocateOut, **error_responses(404, 409)},
        description="Offer every free unit to the best-ranked household waiting for its type.",
    )
    def post(self, request: Request, pk: int) -> Response:
        offered = services.allocate_round(actor=request.user, round_id=pk)
        return Response({"offered": offered})


# --- affordable housing: applications and offers -----------------------------------------------------


class HousingApplicationListCreateApi(ListAPIView):
    """Applications: the caller's own; for housing reviewers, those of their districts."""

    serializer_class = HousingApplicationOut
    filterset_class = filters.HousingApplicationFilter

    class ApplicationCreateIn(serializers.Serializer):
        round = serializers.IntegerField()
        unit_type = serializers.ChoiceField(choices=UnitType.choices)
        household_size = serializers.IntegerField(
            min_value=1,
            max_value=20,
            required=False,
            help_text="Ignored: the household's size is that of the registered household.",
        )
        owns_home_in_city = serializers.BooleanField(
            help_text="Declared: does anyone in the household own a home in the city?"
        )

    def get_queryset(self):
        user = self.request.user
        mine = selectors.housing_applications_of(user)
        theirs = selectors.housing_applications_reviewable_by(user)
        return (mine | theirs).order_by("-created_at", "-id")

    @extend_schema(
        request=ApplicationCreateIn,
        responses={201: HousingApplicationOut, **error_responses(400, 403, 404)},
        description=(
            "Start an application (a draft) in an open round. Refused, with nothing written, "
            "without a valid residence permit, with a home in the city, with a household that "
            "does not fit the unit type, or with fewer housing points than the round needs."
        ),
    )
    def post(self, request: Request) -> Response:
        data = self.ApplicationCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        application = services.create_housing_application(
            actor=request.user, round_id=values.pop("round"), **values
        )
        return Response(HousingApplicationOut(application).data, status=status.HTTP_201_CREATED)


class HousingApplicationDetailApi(RetrieveAPIView):
    serializer_class = HousingApplicationOut

    def get_queryset(self):
        user = self.request.user
        return selectors.housing_applications_of(
            user
        ) | selectors.housing_applications_reviewable_by(user)


HousingApplicationSubmitApi = transition_endpoint(
    services.submit_housing_application,
    output=HousingApplicationOut,
    description=(
        "Submit (or resubmit after a return); eligibility is checked again and the points and "
        "time of application are fixed."
    ),
)
HousingApplicationWithdrawApi = transition_endpoint(
    services.withdraw_housing_application,
    output=HousingApplicationOut,
    reason="optional",
    description="Withdraw before review.",
)
HousingApplicationAcceptApi = transition_endpoint(
    services.accept_housing_application,
    output=HousingApplicationOut,
    description="A housing reviewer takes it up (受理).",
)
HousingApplicationApproveApi = transition_endpoint(
    services.approve_housing_application,
    output=HousingApplicationOut,
    reason="optional",
    description="The household qualifies.",
)
HousingApplicationRejectApi = transition_endpoint(
    services.reject_housing_application,
    output=HousingApplicationOut,
    reason="required",
    description="Reject, with a reason.",
)
HousingApplicationReturnApi = transition_endpoint(
    services.return_housing_application,
    output=HousingApplicationOut,
    reason="required",
    description="Return for more information, listing everything at once.",
)


ReviewHomeAcceptApi = transition_endpoint(
    services.accept_rental_home,
    output=RentalHomeOut,
    lookup="home_id",
    description="Take the safety check up (受理).",
)
ReviewHomeApproveApi = transition_endpoint(
    services.approve_rental_home,
    output=RentalHomeOut,
    lookup="home_id",
    reason="optional",
    description="The safety check passed: the home may be let.",
)
ReviewHomeRejectApi = transition_endpoint(
    services.reject_rental_home,
    output=RentalHomeOut,
    lookup="home_id",
    reason="required",
    description="The home may not be let; the reason goes to the landlord.",
)
ReviewHomeReturnApi = transition_endpoint(
    services.return_rental_home,
    output=RentalHomeOut,
    lookup="home_id",
    reason="required",
    description="Back to the landlord to correct.",
)


class ReviewHomeListApi(ListAPIView):
    """Rental homes whose safety check the housing reviewer may see (their districts)."""

    serializer_class = RentalHomeOut
    filterset_class = filters.RentalHomeFilter

    def get_queryset(self):
        return selectors.homes_reviewable_by(self.request.user).order_by("-created_at", "-id")


class OfferListApi(ListAPIView):
    """The offers made to the caller's applications, newest first."""

    serializer_class = OfferOut
    filterset_class = filters.OfferFilter

    def get_queryset(self):
        return selectors.offers_of(self.request.user)


OfferAcceptApi = transition_endpoint(
    services.accept_offer,
    output=OfferOut,
    lookup="offer_id",
    errors=(404, 409),
    scope=selectors.offers_of,
    description=(
        "Accept the unit before the deadline: it is let to the household. A second answer is a 409."
    ),
)
OfferDeclineApi = transition_endpoint(
    services.decline_offer,
    output=OfferOut,
    lookup="offer_id",
    errors=(404, 409),
    scope=selectors.offers_of,
    description="Decline: the unit passes to the next household waiting for its type.",
)
