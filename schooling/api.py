"""The schooling API: rounds and schools, applications and preferences, the draw, offers, results.

One view per use case for writes and transitions; lists are ListAPIViews over a selector with
a FilterSet. Input serializers check shape only; the services decide. Every refusal comes back
in the one error format {"code", "message", "fields"}.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import error_responses
from portal.workflow import selectors as workflow_selectors
from portal.workflow.endpoints import transition_endpoint
from schooling import filters, selectors, services
from schooling.models import (
    AllocationRun,
    EnrolmentApplication,
    EnrolmentRound,
    Offer,
    OfferPhase,
    OfferStatus,
    RoundSchool,
    School,
    Tenure,
    TenureRule,
)

# The outcome of one ranked school in the first round (schooling.selectors.explain_application).
OUTCOME_CHOICES = (
    ("placed", "placed"),
    ("below_cutoff", "below_cutoff"),
    ("no_seats", "no_seats"),
    ("not_needed", "not_needed"),
    ("not_in_round", "not_in_round"),
    ("not_drawn", "not_drawn"),
)


# --- output shapes ---------------------------------------------------------------------------------


class SchoolOut(serializers.ModelSerializer):
    district = serializers.CharField(source="district.code")
    community = serializers.CharField(source="community.code")
    catchment = serializers.SerializerMethodField()

    class Meta:
        model = School
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "stage",
            "district",
            "community",
            "address",
            "catchment",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_catchment(self, school: School) -> list[str]:
        return sorted(area.code for area in school.catchment.all())


class SchoolCategoryOut(serializers.Serializer):
    rank = serializers.IntegerField()
    label = serializers.CharField()
    label_en = serializers.CharField()
    tenure = serializers.ChoiceField(choices=TenureRule.choices)
    in_catchment = serializers.BooleanField()


class SchoolCutoffOut(serializers.Serializer):
    category = serializers.IntegerField(source="cutoff_category")
    rank = serializers.IntegerField(source="cutoff_rank", help_text="Place in the round's order.")
    points = serializers.DecimalField(source="cutoff_points", max_digits=7, decimal_places=2)
    lottery = serializers.IntegerField(source="cutoff_lottery")


class RoundSchoolOut(serializers.Serializer):
    school = serializers.IntegerField(source="school_id")
    code = serializers.CharField(source="school.code")
    name = serializers.CharField(source="school.name")
    district = serializers.CharField(source="school.district.code")
    seats = serializers.IntegerField()
    applicants = serializers.IntegerField(
        help_text="Children who listed the school (after the draw)."
    )
    admitted = serializers.IntegerField(help_text="Admitted in the first round.")
    admitted_second = serializers.IntegerField(help_text="Placed in the second round.")
    cutoff = serializers.SerializerMethodField(
        help_text="The lowest admitted key: category, place in the order, points, lottery number."
    )

    @extend_schema_field(SchoolCutoffOut(allow_null=True))
    def get_cutoff(self, place: RoundSchool) -> dict | None:
        return None if place.cutoff_rank is None else SchoolCutoffOut(place).data


class SchoolResultOut(RoundSchoolOut):
    held = serializers.IntegerField(help_text="Seats held now (offered or accepted).")
    accepted = serializers.IntegerField()


class SchoolPlacementOut(serializers.Serializer):
    drawn = serializers.IntegerField()
    placed_first = serializers.IntegerField()
    holding = serializers.IntegerField()
    accepted = serializers.IntegerField()
    seats = serializers.IntegerField()
    rate = serializers.FloatField(help_text="Children holding a seat / children in the draw.")


class SchoolRoundOut(serializers.ModelSerializer):
    lottery_seed = serializers.CharField(
        source="revealed_seed", help_text="Empty until the draw reveals it."
    )

    class Meta:
        model = EnrolmentRound
        fields = [
            "id",
            "name",
            "year",
            "stage",
            "grade",
            "min_age",
            "age_reference_date",
            "application_opens",
            "application_closes",
            "preference_opens",
            "preference_closes",
            "offer_deadline",
            "answer_days",
            "points_rule_set",
            "points_threshold",
            "min_permit_months",
            "max_preferences",
            "tie_breaks",
            "status",
            "lottery_seed_sha256",
            "seed_committed_at",
            "lottery_seed",
            "allocated_at",
            "second_round_at",
        ]


class SchoolRoundDetailOut(SchoolRoundOut):
    categories = SchoolCategoryOut(many=True)
    schools = serializers.SerializerMethodField()
    placement = serializers.SerializerMethodField()

    class Meta(SchoolRoundOut.Meta):
        fields = [*SchoolRoundOut.Meta.fields, "categories", "schools", "placement"]

    @extend_schema_field(RoundSchoolOut(many=True))
    def get_schools(self, enrolment_round: EnrolmentRound) -> list[dict]:
        return RoundSchoolOut(selectors.round_schools(enrolment_round), many=True).data

    @extend_schema_field(SchoolPlacementOut(allow_null=True))
    def get_placement(self, enrolment_round: EnrolmentRound) -> dict | None:
        if not enrolment_round.is_drawn:
            return None
        rate = selectors.placement_rate(enrolment_round)
        return SchoolPlacementOut(
            {
                "drawn": rate.drawn,
                "placed_first": rate.placed_first,
                "holding": rate.holding,
                "accepted": rate.accepted,
                "seats": rate.seats,
                "rate": round(rate.rate, 4),
            }
        ).data


class SchoolDrawRunOut(serializers.ModelSerializer):
    class Meta:
        model = AllocationRun
        fields = [
            "id",
            "phase",
            "seed_sha256",
            "applicants",
            "placed",
            "match_seconds",
            "total_seconds",
            "started_at",
            "finished_at",
        ]


class SchoolMaterialOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="vaccination | household | housing")
    content_type = serializers.CharField()
    original_name = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()


class SchoolPreferenceOut(serializers.Serializer):
    rank = serializers.IntegerField()
    school = serializers.IntegerField(source="school_id")
    school_name = serializers.CharField(source="school.name")
    category = serializers.IntegerField(help_text="The child's priority category at this school.")


class SchoolOfferOut(serializers.ModelSerializer):
    child_name = serializers.CharField(source="application.child.name")
    reference = serializers.CharField(source="application.case.reference")
    school = serializers.IntegerField(source="place.school_id")
    school_name = serializers.CharField(source="place.school.name")
    phase = serializers.ChoiceField(choices=OfferPhase.choices)
    status = serializers.ChoiceField(choices=OfferStatus.choices)

    class Meta:
        model = Offer
        fields = [
            "id",
            "application",
            "reference",
            "child_name",
            "school",
            "school_name",
            "seat_no",
            "phase",
            "status",
            "distance_km",
            "offered_at",
            "deadline",
            "answered_at",
        ]


class SchoolTransitionOut(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    reason = serializers.CharField()
    at = serializers.DateTimeField()


class SchoolChoiceResultOut(serializers.Serializer):
    rank = serializers.IntegerField()
    school = serializers.IntegerField(source="school.pk")
    school_name = serializers.CharField(source="school.name")
    category = serializers.IntegerField()
    outcome = serializers.CharField(
        help_text=" | ".join(value for value, _label in OUTCOME_CHOICES)
    )
    my_key = serializers.SerializerMethodField()
    cutoff = serializers.SerializerMethodField()
    cutoff_points = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    message = serializers.CharField()

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField(), allow_null=True))
    def get_my_key(self, choice) -> list[int] | None:
        return list(choice.key) if choice.key else None

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField(), allow_null=True))
    def get_cutoff(self, choice) -> list[int] | None:
        return list(choice.cutoff) if choice.cutoff else None


class SchoolApplicationOut(serializers.ModelSerializer):
    reference = serializers.CharField(source="case.reference")
    status = serializers.CharField(source="case.status")
    district = serializers.CharField(source="case.district.code")
    child_name = serializers.CharField(source="child.name")
    home_community = serializers.CharField(source="home_community.code")
    submitted_at = serializers.DateTimeField(source="case.submitted_at", allow_null=True)
    due_date = serializers.DateField(source="case.due_date", allow_null=True)
    last_reason = serializers.CharField(source="case.last_reason")
    order_rank = serializers.SerializerMethodField()
    lottery_number = serializers.SerializerMethodField()

    class Meta:
        model = EnrolmentApplication
        fields = [
            "id",
            "reference",
            "status",
            "round",
            "district",
            "child",
            "child_name",
            "home_community",
            "tenure",
            "points",
            "permit_months",
            "residence_months",
            "order_rank",
            "lottery_number",
            "submitted_at",
            "due_date",
            "last_reason",
            "created_at",
        ]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_order_rank(self, application: EnrolmentApplication) -> int | None:
        entry = selectors.draw_entry_of(application)
        return entry.order_rank if entry else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_lottery_number(self, application: EnrolmentApplication) -> int | None:
        entry = selectors.draw_entry_of(application)
        return entry.lottery_number if entry else None


class SchoolApplicationDetailOut(SchoolApplicationOut):
    materials = SchoolMaterialOut(many=True)
    preferences = SchoolPreferenceOut(many=True)
    offers = SchoolOfferOut(many=True)
    timeline = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()

    class Meta(SchoolApplicationOut.Meta):
        fields = [
            *SchoolApplicationOut.Meta.fields,
            "materials",
            "preferences",
            "offers",
            "timeline",
            "result",
        ]

    @extend_schema_field(SchoolTransitionOut(many=True))
    def get_timeline(self, application: EnrolmentApplication) -> list[dict]:
        return SchoolTransitionOut(
            workflow_selectors.case_timeline(application.case), many=True
        ).data

    @extend_schema_field(SchoolChoiceResultOut(many=True))
    def get_result(self, application: EnrolmentApplication) -> list[dict]:
        return SchoolChoiceResultOut(selectors.explain_application(application), many=True).data


# --- rounds and schools ------------------------------------------------------------------------------


class RoundListApi(ListAPIView):
    """Enrolment rounds: every published round; rounds in preparation for those who manage them."""

    serializer_class = SchoolRoundOut
    filterset_class = filters.RoundFilter

    def get_queryset(self):
        return selectors.rounds_visible_to(self.request.user)


class RoundDetailApi(RetrieveAPIView):
    """A round with its priority categories, schools and seats, and after the draw its cutoffs
    and placement rate. The lottery seed is empty until the draw reveals it."""

    serializer_class = SchoolRoundDetailOut

    def get_queryset(self):
        return selectors.rounds_visible_to(self.request.user).prefetch_related("categories")


class RoundResultsApi(ListAPIView):
    """Per school of the caller's districts (education reviewers): seats, applicants, admitted,
    cutoff, seats held and accepted now."""

    serializer_class = SchoolResultOut
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RoundSchool.objects.none()
        enrolment_round = get_object_or_404(
            selectors.rounds_visible_to(self.request.user), pk=self.kwargs["pk"]
        )
        return selectors.results_for_reviewer(self.request.user, enrolment_round)


def _round_response(enrolment_round: EnrolmentRound) -> Response:
    return Response(SchoolRoundOut(enrolment_round).data)


class RoundOpenApi(APIView):
    @extend_schema(
        request=None,
        responses={200: SchoolRoundOut, **error_responses(400, 404, 409)},
        description="Publish a round prepared in the admin (needs a school with seats).",
    )
    def post(self, request: Request, pk: int) -> Response:
        return _round_response(services.open_round(actor=request.user, round_id=pk))


class RoundCommitSeedApi(APIView):
    class SchoolSeedIn(serializers.Serializer):
        seed = serializers.CharField(
            max_length=128,
            required=False,
            default="",
            allow_blank=True,
            help_text="A seed drawn in public; empty for a random one.",
        )

    @extend_schema(
        request=SchoolSeedIn,
        responses={200: SchoolRoundOut, **error_responses(400, 404, 409)},
        description=(
            "Commit the lottery seed before the preference window closes. Its SHA-256 "
            "(`lottery_seed_sha256`) is published at once; the seed stays hidden until the draw."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.SchoolSeedIn(data=request.data)
        data.is_valid(raise_exception=True)
        return _round_response(
            services.commit_lottery_seed(
                actor=request.user, round_id=pk, seed=data.validated_data["seed"]
            )
        )


class RoundDrawApi(APIView):
    @extend_schema(
        request=None,
        responses={200: SchoolDrawRunOut, **error_responses(400, 404, 409)},
        description=(
            "The first round: reveal the seed and place every approved child by deferred "
            "acceptance (category at the school, points, tie-breaks, lottery). Once, after the "
            "preference window closes."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        return Response(
            SchoolDrawRunOut(services.run_first_round(actor=request.user, round_id=pk)).data
        )


class RoundSecondRoundApi(APIView):
    @extend_schema(
        request=None,
        responses={200: SchoolDrawRunOut, **error_responses(400, 404, 409)},
        description=(
            "The second round, after the offer deadline: children without any offer, in the "
            "round's order, each get the nearest school of their district with a seat left."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        return Response(
            SchoolDrawRunOut(services.run_second_round(actor=request.user, round_id=pk)).data
        )


class RoundCloseApi(APIView):
    @extend_schema(request=None, responses={200: SchoolRoundOut, **error_responses(404, 409)})
    def post(self, request: Request, pk: int) -> Response:
        return _round_response(services.close_round(actor=request.user, round_id=pk))


class SchoolListApi(ListAPIView):
    """Schools taking migrant children, with their district, community and catchment."""

    serializer_class = SchoolOut
    filterset_class = filters.SchoolFilter

    def get_queryset(self):
        return selectors.schools_visible_to(self.request.user)


# --- applications ------------------------------------------------------------------------------------


class ApplicationListCreateApi(ListAPIView):
    """School-place applications: the caller's own; for education reviewers, those of their districts."""

    serializer_class = SchoolApplicationOut
    filterset_class = filters.ApplicationFilter

    class SchoolApplicationIn(serializers.Serializer):
        round = serializers.IntegerField()
        child = serializers.IntegerField(help_text="A dependant the caller is guardian of.")
        tenure = serializers.ChoiceField(choices=Tenure.choices)

    def get_queryset(self):
        return selectors.applications_visible_to(self.request.user)

    @extend_schema(
        request=SchoolApplicationIn,
        responses={201: SchoolApplicationOut, **error_responses(400, 404)},
        description=(
            "Start an application (a draft) for a child in an open round. Refused (400) outside "
            "the application window (`window_closed`), for a child too young (`age`: 6 by "
            "31 August for primary, 12 for junior middle) or already applying (`duplicate`)."
        ),
    )
    def post(self, request: Request) -> Response:
        data = self.SchoolApplicationIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        application = services.create_application(
            actor=request.user,
            round_id=values["round"],
            child_id=values["child"],
            tenure=values["tenure"],
        )
        fresh = selectors.applications_of(request.user).get(pk=application.pk)
        return Response(SchoolApplicationOut(fresh).data, status=status.HTTP_201_CREATED)


class ApplicationDetailApi(RetrieveAPIView):
    """An application with its materials, ranked schools, offers, history and, after the draw,
    the outcome at each school it ranked with that school's cutoff."""

    serializer_class = SchoolApplicationDetailOut

    def get_queryset(self):
        return selectors.with_details(selectors.applications_visible_to(self.request.user))


def _application_response(user, application: EnrolmentApplication) -> Response:
    return Response(
        SchoolApplicationOut(selectors.applications_visible_to(user).get(pk=application.pk)).data
    )


class ApplicationHousingApi(APIView):
    class SchoolHousingIn(serializers.Serializer):
        tenure = serializers.ChoiceField(choices=Tenure.choices)

    @extend_schema(
        request=SchoolHousingIn,
        responses={200: SchoolApplicationOut, **error_responses(400, 404, 409)},
        description="Change the declared housing of a draft or returned application.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.SchoolHousingIn(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.update_application(
            actor=request.user, application_id=pk, tenure=data.validated_data["tenure"]
        )
        return _application_response(request.user, application)


class ApplicationMaterialApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    class SchoolMaterialIn(serializers.Serializer):
        kind = serializers.CharField(help_text="vaccination | household | housing")
        file = serializers.FileField(help_text="JPEG, PNG or PDF, checked by content.")

    @extend_schema(
        request={"multipart/form-data": SchoolMaterialIn},
        responses={201: SchoolMaterialOut, **error_responses(400, 404, 409)},
        description="Upload the vaccination certificate, household proof or housing proof.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.SchoolMaterialIn(data=request.data)
        data.is_valid(raise_exception=True)
        material = services.add_material(
            actor=request.user,
            application_id=pk,
            kind=data.validated_data["kind"],
            upload=data.validated_data["file"],
        )
        return Response(SchoolMaterialOut(material).data, status=status.HTTP_201_CREATED)


class MaterialDeleteApi(APIView):
    @extend_schema(request=None, responses={204: None, **error_responses(404, 409)})
    def delete(self, request: Request, pk: int) -> Response:
        services.remove_material(actor=request.user, material_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


ApplicationSubmitApi = transition_endpoint(
    services.submit_application,
    output=SchoolApplicationOut,
    scope=selectors.applications_visible_to,
    description=(
        "Submit (or resubmit after a return). Eligibility is checked: the guardian's permit "
        "(valid, held the round's months), school points at the threshold, the child's age, "
        "the materials. Every problem is listed at once in `fields` (code `incomplete`)."
    ),
)
ApplicationWithdrawApi = transition_endpoint(
    services.withdraw_application,
    output=SchoolApplicationOut,
    reason="optional",
    errors=(404, 409),
    scope=selectors.applications_visible_to,
)
ApplicationAcceptApi = transition_endpoint(
    services.accept_application,
    output=SchoolApplicationOut,
    errors=(404, 409),
    scope=selectors.applications_visible_to,
    description="An education reviewer of the district takes the application up (受理).",
)
ApplicationApproveApi = transition_endpoint(
    services.approve_application,
    output=SchoolApplicationOut,
    reason="optional",
    scope=selectors.applications_visible_to,
    description="Approve: the child takes part in the draw. A second decision gets 409.",
)
ApplicationRejectApi = transition_endpoint(
    services.reject_application,
    output=SchoolApplicationOut,
    reason="required",
    scope=selectors.applications_visible_to,
)
ApplicationReturnApi = transition_endpoint(
    services.return_application,
    output=SchoolApplicationOut,
    reason="required",
    scope=selectors.applications_visible_to,
    description="Return for more material; the reason lists everything missing at once.",
)


class ApplicationPreferencesApi(APIView):
    class SchoolPreferencesIn(serializers.Serializer):
        schools = serializers.ListField(
            child=serializers.IntegerField(),
            max_length=5,
            help_text="School ids, most wanted first (at most the round's maximum, five).",
        )

    @extend_schema(
        request=SchoolPreferencesIn,
        responses={200: SchoolPreferenceOut(many=True), **error_responses(400, 404, 409)},
        description=(
            "Replace the ranked schools during the preference window. Each preference records "
            "the child's priority category at that school."
        ),
    )
    def put(self, request: Request, pk: int) -> Response:
        data = self.SchoolPreferencesIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.save_preferences(
            actor=request.user, application_id=pk, school_ids=data.validated_data["schools"]
        )
        application = get_object_or_404(selectors.applications_of(request.user), pk=pk)
        preferences = application.preferences.select_related("school").order_by("rank")
        return Response(SchoolPreferenceOut(preferences, many=True).data)


# --- offers ------------------------------------------------------------------------------------------------


class OfferListApi(ListAPIView):
    """The offers made to the caller's children."""

    serializer_class = SchoolOfferOut
    filterset_class = filters.OfferFilter

    def get_queryset(self):
        return selectors.offers_of(self.request.user).order_by("-offered_at", "-id")


OfferAcceptApi = transition_endpoint(
    services.accept_offer,
    output=SchoolOfferOut,
    lookup="offer_id",
    errors=(404, 409),
    scope=selectors.offers_of,
    description=(
        "Accept a seat by its deadline. Any other seat the child holds is given up and "
        "passes to the next child on that school's waiting list."
    ),
)
OfferDeclineApi = transition_endpoint(
    services.decline_offer,
    output=SchoolOfferOut,
    lookup="offer_id",
    errors=(404, 409),
    scope=selectors.offers_of,
    description="Decline a seat; it passes to the next child on the school's waiting list.",
)
