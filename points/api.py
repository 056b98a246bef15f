"""The points API: estimate (no login), rule sets, fact types, the resident's score, applications
and claims, the departments' verification, ranking lists and objections, rule-set publishing.

One view per use case for writes; lists are ListAPIViews over a selector. Input serializers
check shape only; the services decide. Every refusal comes back as {"code", "message", "fields"}.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from points import engine, explain, filters, selectors, spec
from points.models import (
    Claim,
    Evidence,
    FactType,
    PointsApplication,
    RankingEntry,
    RankingList,
    RecomputeRun,
    RuleSet,
    Service,
)
from points.services import claims as claim_services
from points.services import rankings as ranking_services
from points.services import rules as rule_services
from portal.accounts.models import Role
from portal.api import error_responses
from portal.errors import NotAllowed, NotFound
from portal.workflow.endpoints import transition_endpoint

# --- output shapes -------------------------------------------------------------------------------


class PointsLineOut(serializers.Serializer):
    indicator = serializers.CharField()
    label = serializers.CharField()
    fact = serializers.CharField()
    fact_label = serializers.CharField()
    value = serializers.CharField(help_text="What the indicator measured, in words.")
    rule = serializers.CharField(help_text="The rule line applied.")
    raw_points = serializers.FloatField(help_text="Before the indicator's cap.")
    points = serializers.FloatField()
    counted = serializers.BooleanField()
    note = serializers.CharField(help_text="cap, highest_only, exclusive, veto or empty.")
    note_text = serializers.CharField()


class PointsFamilyOut(serializers.Serializer):
    family = serializers.CharField()
    label = serializers.CharField()
    part = serializers.CharField()
    total = serializers.FloatField()
    note_text = serializers.CharField()
    lines = PointsLineOut(many=True)


class PointsTieKeyOut(serializers.Serializer):
    subscore = serializers.CharField()
    value = serializers.FloatField()

    def to_representation(self, instance: Any) -> dict:
        return {"subscore": instance[0], "value": instance[1]}


class PointsServiceOut(serializers.Serializer):
    service = serializers.CharField(help_text="school, housing, hukou or standard")
    label = serializers.CharField()
    total = serializers.FloatField(allow_null=True, help_text="null under a veto (一票否决).")
    raw_total = serializers.FloatField(allow_null=True)
    multiplier = serializers.FloatField()
    threshold = serializers.FloatField()
    eligible = serializers.BooleanField()
    passed = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    tie_keys = PointsTieKeyOut(many=True)


class PointsGainOut(serializers.Serializer):
    service = serializers.CharField()
    gain = serializers.FloatField()

    def to_representation(self, instance: Any) -> dict:
        return {"service": instance[0], "gain": instance[1]}


class PointsSuggestionOut(serializers.Serializer):
    indicator = serializers.CharField()
    label = serializers.CharField()
    fact_label = serializers.CharField()
    current = serializers.CharField()
    target = serializers.CharField()
    gains = PointsGainOut(many=True)
    crosses = serializers.ListField(child=serializers.CharField())


class PointsExplanationOut(serializers.Serializer):
    services = PointsServiceOut(many=True)
    families = PointsFamilyOut(many=True)
    subscores = serializers.DictField(child=serializers.FloatField())


class PointsRuleSetOut(serializers.ModelSerializer):
    status = serializers.CharField(help_text="draft or published")
    scheme = serializers.CharField(source="scheme.code")
    scheme_name = serializers.CharField(source="scheme.display_name")
    name = serializers.CharField(source="display_name")
    in_force = serializers.SerializerMethodField()

    class Meta:
        model = RuleSet
        fields = [
            "id",
            "scheme",
            "scheme_name",
            "version",
            "name",
            "status",
            "effective_from",
            "effective_until",
            "published_at",
            "in_force",
        ]

    def get_in_force(self, rule_set: RuleSet) -> bool:
        current = self.context.get("in_force")
        return current is not None and current.pk == rule_set.pk


class PointsFactTypeOut(serializers.ModelSerializer):
    value_type = serializers.CharField(help_text="number, level, flag, date, events or periods")
    source = serializers.CharField(help_text="registry (derived) or claim (verified)")
    label = serializers.CharField(source="display_label")
    unit = serializers.CharField(source="display_unit")
    levels = serializers.SerializerMethodField()

    class Meta:
        model = FactType
        fields = [
            "code",
            "label",
            "value_type",
            "unit",
            "levels",
            "source",
            "department",
            "mandatory",
        ]

    def get_levels(self, fact_type: FactType) -> list[dict[str, str]]:
        return [{"code": code, "label": label} for code, label in fact_type.level_choices()]


class PointsEvidenceOut(serializers.ModelSerializer):
    class Meta:
        model = Evidence
        fields = ["id", "original_name", "content_type", "size", "uploaded_at"]


class PointsClaimOut(serializers.ModelSerializer):
    fact_type = serializers.CharField(source="fact_type_id")
    reference = serializers.CharField(source="case.reference")
    status = serializers.CharField(source="case.status")
    department = serializers.CharField(source="case.department.code")
    last_reason = serializers.CharField(source="case.last_reason")
    due_date = serializers.DateField(source="case.due_date", allow_null=True)
    value = serializers.JSONField()
    verified_value = serializers.JSONField(allow_null=True)
    evidence = PointsEvidenceOut(many=True)

    class Meta:
        model = Claim
        fields = [
            "id",
            "fact_type",
            "value",
            "verified_value",
            "note",
            "reference",
            "status",
            "department",
            "last_reason",
            "due_date",
            "evidence",
        ]


class PointsApplicationOut(serializers.ModelSerializer):
    status = serializers.CharField(help_text="draft, submitted, completed or withdrawn")
    service = serializers.CharField(help_text="school, housing, hukou or standard")
    district = serializers.CharField(source="district.code")
    claims = PointsClaimOut(many=True)

    class Meta:
        model = PointsApplication
        fields = [
            "id",
            "reference",
            "service",
            "status",
            "district",
            "created_at",
            "submitted_at",
            "completed_at",
            "claims",
        ]


class PointsReviewClaimOut(PointsClaimOut):
    application = serializers.CharField(source="application.reference")
    person_name = serializers.CharField(source="application.person.name")
    id_number = serializers.CharField(source="application.person.id_masked")
    district = serializers.CharField(source="case.district.code")

    class Meta(PointsClaimOut.Meta):
        fields = [
            *PointsClaimOut.Meta.fields,
            "application",
            "person_name",
            "id_number",
            "district",
        ]


class PointsRankingOut(serializers.ModelSerializer):
    status = serializers.CharField(help_text="published (open to objections) or final")
    service = serializers.CharField(help_text="school, housing, hukou or standard")

    class Meta:
        model = RankingList
        fields = [
            "id",
            "service",
            "round_name",
            "rule_set",
            "applications_from",
            "applications_until",
            "status",
            "published_at",
            "objection_until",
        ]


class PointsRankingEntryOut(serializers.ModelSerializer):
    tie_keys = serializers.ListField(child=serializers.FloatField())

    class Meta:
        model = RankingEntry
        fields = [
            "id",
            "rank",
            "name_masked",
            "id_masked",
            "total",
            "tie_keys",
            "applied_at",
            "passed",
        ]


class PointsRunOut(serializers.ModelSerializer):
    kind = serializers.CharField(help_text="recompute or preview")
    status = serializers.CharField(help_text="pending, running, done or failed")
    percent = serializers.IntegerField()

    class Meta:
        model = RecomputeRun
        fields = [
            "id",
            "rule_set",
            "kind",
            "status",
            "total",
            "done",
            "written",
            "percent",
            "result",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]


# --- estimate (模拟估分), public -----------------------------------------------------------------------


class EstimateThrottle(SimpleRateThrottle):
    """Anyone may estimate, signed in or not; each address at most 30 times a minute."""

    scope = "points_estimate"
    rate = "30/min"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class EstimateApi(APIView):
    """Score facts typed in by anyone under a published rule set; nothing is stored."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [EstimateThrottle]

    class PointsEstimateIn(serializers.Serializer):
        rule_set = serializers.IntegerField(
            required=False, help_text="A published rule set; the one in force if left out."
        )
        on = serializers.DateField(
            required=False, help_text="The reference day; today if left out."
        )
        facts = serializers.DictField(
            help_text='Facts by fact-type code, e.g. {"education": "bachelor", '
            '"insurance_years": 7, "residence_periods": [["2020-01-01", null]]}.'
        )

    class PointsEstimateOut(serializers.Serializer):
        rule_set = PointsRuleSetOut()
        on = serializers.DateField()
        estimate = PointsExplanationOut()
        suggestions = PointsSuggestionOut(many=True)

    @extend_schema(
        request=PointsEstimateIn,
        responses={200: PointsEstimateOut, **error_responses(400, 404, 429)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = self.PointsEstimateIn(data=request.data)
        data.is_valid(raise_exception=True)
        rule_set = selectors.published_rule_set(data.validated_data.get("rule_set"))
        result = selectors.estimate(
            rule_set, data.validated_data["facts"], on=data.validated_data.get("on")
        )
        rules = spec.compiled(rule_set)
        explainer = explain.Explainer(rules)
        facts = engine.decode_facts(
            {k: v for k, v in data.validated_data["facts"].items() if v is not None},
            rules.fact_types,
        )
        found = engine.suggestions(rules, facts, on=result.on)
        return Response(
            {
                "rule_set": PointsRuleSetOut(
                    rule_set, context={"in_force": selectors.rule_set_in_force()}
                ).data,
                "on": result.on,
                "estimate": PointsExplanationOut(explainer.explain(result)).data,
                "suggestions": PointsSuggestionOut(explainer.suggestions(found), many=True).data,
            }
        )


# --- reference data, public ----------------------------------------------------------------------------


class RuleSetListApi(ListAPIView):
    """Published rule sets of every scheme; `in_force` marks the one the portal runs today."""

    permission_classes = [permissions.AllowAny]
    serializer_class = PointsRuleSetOut

    def get_queryset(self):
        return selectors.published_rule_sets()

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "in_force": selectors.rule_set_in_force()}


class RuleSetDetailApi(APIView):
    """One published rule set with its rules as data (families, indicators, services)."""

    permission_classes = [permissions.AllowAny]

    class PointsRuleSetSpecOut(PointsRuleSetOut):
        rules = serializers.SerializerMethodField()

        class Meta(PointsRuleSetOut.Meta):
            fields = [*PointsRuleSetOut.Meta.fields, "rules"]

        def get_rules(self, rule_set: RuleSet) -> dict:
            return spec.export_spec(rule_set)

    @extend_schema(responses={200: PointsRuleSetSpecOut, **error_responses(404)}, auth=[])
    def get(self, request: Request, pk: int) -> Response:
        rule_set = get_object_or_404(selectors.published_rule_sets(), pk=pk)
        return Response(
            self.PointsRuleSetSpecOut(
                rule_set, context={"in_force": selectors.rule_set_in_force()}
            ).data
        )


class FactTypeListApi(ListAPIView):
    """Every kind of fact the rules can read, with its value type and levels."""

    permission_classes = [permissions.AllowAny]
    serializer_class = PointsFactTypeOut
    pagination_class = None
    queryset = FactType.objects.order_by("order", "code")


# --- the resident -------------------------------------------------------------------------------------


class MyScoreApi(APIView):
    """The caller's own score under the rules in force, breakdown, percentiles, suggestions."""

    class PointsScoreOut(serializers.Serializer):
        rule_set = PointsRuleSetOut()
        has_score = serializers.BooleanField()
        reference_date = serializers.DateField(allow_null=True)
        valid_until = serializers.DateField(allow_null=True)
        percentiles = serializers.DictField(child=serializers.FloatField(allow_null=True))
        score = PointsExplanationOut(allow_null=True)
        suggestions = PointsSuggestionOut(many=True)

    @extend_schema(responses={200: PointsScoreOut, **error_responses(401, 403, 404)})
    def get(self, request: Request) -> Response:
        view = selectors.score_view(request.user)
        if view is None:
            raise NotFound(_("There are no points rules in force."), code="no_rules")
        explainer = explain.Explainer(view.rules)
        return Response(
            {
                "rule_set": PointsRuleSetOut(
                    view.rule_set, context={"in_force": view.rule_set}
                ).data,
                "has_score": view.score is not None,
                "reference_date": view.score.reference_date if view.score else None,
                "valid_until": view.score.valid_until if view.score else None,
                "percentiles": view.percentiles,
                "score": PointsExplanationOut(explainer.explain(view.result)).data
                if view.result
                else None,
                "suggestions": PointsSuggestionOut(
                    explainer.suggestions(view.suggestions), many=True
                ).data,
            }
        )


class ApplicationListCreateApi(ListAPIView):
    """The caller's points applications; POST opens one for a service."""

    serializer_class = PointsApplicationOut
    filterset_class = filters.ApplicationFilter

    class PointsApplicationIn(serializers.Serializer):
        service = serializers.ChoiceField(choices=Service.choices)

    def get_queryset(self):
        return selectors.applications_of(self.request.user).prefetch_related(
            "claims__case__department"
        )

    @extend_schema(
        request=PointsApplicationIn,
        responses={201: PointsApplicationOut, **error_responses(400, 409)},
    )
    def post(self, request: Request) -> Response:
        data = self.PointsApplicationIn(data=request.data)
        data.is_valid(raise_exception=True)
        application = claim_services.start_application(actor=request.user, **data.validated_data)
        fresh = selectors.applications_of(request.user).get(pk=application.pk)
        return Response(PointsApplicationOut(fresh).data, status=status.HTTP_201_CREATED)


class ApplicationDetailApi(APIView):
    @extend_schema(responses={200: PointsApplicationOut, **error_responses(404)})
    def get(self, request: Request, pk: int) -> Response:
        application = get_object_or_404(selectors.applications_of(request.user), pk=pk)
        return Response(PointsApplicationOut(application).data)


class PointsClaimIn(serializers.Serializer):
    value = serializers.JSONField(help_text="The fact's value in its JSON form.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class ApplicationClaimApi(APIView):
    """Claim one fact in a draft application."""

    class PointsNewClaimIn(PointsClaimIn):
        fact_type = serializers.CharField()

    @extend_schema(
        request=PointsNewClaimIn, responses={201: PointsClaimOut, **error_responses(400, 404, 409)}
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.PointsNewClaimIn(data=request.data)
        data.is_valid(raise_exception=True)
        claim = claim_services.add_claim(
            actor=request.user, application_id=pk, **data.validated_data
        )
        return Response(
            PointsClaimOut(_own_claim(request, claim.pk)).data, status=status.HTTP_201_CREATED
        )


def _own_claims(user) -> QuerySet[Claim]:
    return selectors.claims_of_applicant(user).prefetch_related("evidence")


def _own_claim(request: Request, pk: int) -> Claim:
    return get_object_or_404(_own_claims(request.user), pk=pk)


class ClaimChangeApi(APIView):
    """Change a claim while it is a draft or returned."""

    @extend_schema(
        request=PointsClaimIn, responses={200: PointsClaimOut, **error_responses(400, 404, 409)}
    )
    def post(self, request: Request, pk: int) -> Response:
        data = PointsClaimIn(data=request.data)
        data.is_valid(raise_exception=True)
        claim_services.update_claim(actor=request.user, claim_id=pk, **data.validated_data)
        return Response(PointsClaimOut(_own_claim(request, pk)).data)


class ClaimEvidenceApi(APIView):
    """Upload one evidence file (JPEG, PNG or PDF) to a claim."""

    parser_classes = [MultiPartParser, FormParser]

    class PointsEvidenceIn(serializers.Serializer):
        file = serializers.FileField()

    @extend_schema(
        request=PointsEvidenceIn,
        responses={201: PointsEvidenceOut, **error_responses(400, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.PointsEvidenceIn(data=request.data)
        data.is_valid(raise_exception=True)
        evidence = claim_services.add_evidence(
            actor=request.user, claim_id=pk, upload=data.validated_data["file"]
        )
        return Response(PointsEvidenceOut(evidence).data, status=status.HTTP_201_CREATED)


ClaimResubmitApi = transition_endpoint(
    claim_services.resubmit_claim,
    output=PointsClaimOut,
    lookup="claim_id",
    scope=_own_claims,
)
ApplicationSubmitApi = transition_endpoint(
    claim_services.submit_application,
    output=PointsApplicationOut,
    scope=selectors.applications_of,
    description="Submit every claim to its department (受理).",
)
ApplicationWithdrawApi = transition_endpoint(
    claim_services.withdraw_application,
    output=PointsApplicationOut,
    errors=(404, 409),
    scope=selectors.applications_of,
)


# --- the departments ------------------------------------------------------------------------------------


class ReviewClaimListApi(ListAPIView):
    """Claims submitted to the caller's department in the districts they review."""

    serializer_class = PointsReviewClaimOut
    filterset_class = filters.ReviewClaimFilter

    def get_queryset(self):
        return selectors.claims_reviewable_by(self.request.user).order_by("case__due_date", "id")


class ReviewVerifyApi(APIView):
    """Approve a claim with the value the records confirm (the claimed value if left out)."""

    class PointsVerifyIn(serializers.Serializer):
        value = serializers.JSONField(required=False, allow_null=True, default=None)
        reason = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(
        request=PointsVerifyIn,
        responses={200: PointsReviewClaimOut, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.PointsVerifyIn(data=request.data)
        data.is_valid(raise_exception=True)
        claim_services.verify_claim(
            actor=request.user,
            claim_id=pk,
            verified_value=data.validated_data["value"],
            reason=data.validated_data["reason"],
        )
        return Response(PointsReviewClaimOut(_reviewed(request, pk)).data)


def _reviewed(request: Request, pk: int) -> Claim:
    """A claim just decided by the caller (still in their department's scope)."""
    return get_object_or_404(selectors.claims_reviewable_by(request.user), pk=pk)


ReviewReturnApi = transition_endpoint(
    claim_services.return_claim,
    output=PointsReviewClaimOut,
    lookup="claim_id",
    reason="required",
    errors=(400, 403, 404, 409),
    scope=selectors.claims_reviewable_by,
)
ReviewRejectApi = transition_endpoint(
    claim_services.reject_claim,
    output=PointsReviewClaimOut,
    lookup="claim_id",
    reason="required",
    errors=(400, 403, 404, 409),
    scope=selectors.claims_reviewable_by,
)


# --- ranking lists --------------------------------------------------------------------------------------


class RankingListCreateApi(ListAPIView):
    """Published ranking lists (public); the points office publishes a new one with POST."""

    serializer_class = PointsRankingOut
    filterset_class = filters.RankingFilter

    class PointsRankingIn(serializers.Serializer):
        service = serializers.ChoiceField(choices=Service.choices)
        round_name = serializers.CharField(max_length=100)
        applications_from = serializers.DateField()
        applications_until = serializers.DateField()

    def get_permissions(self):
        if self.request.method == "GET":
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    def get_queryset(self):
        return selectors.published_rankings()

    @extend_schema(
        request=PointsRankingIn, responses={201: PointsRankingOut, **error_responses(400, 403)}
    )
    def post(self, request: Request) -> Response:
        data = self.PointsRankingIn(data=request.data)
        data.is_valid(raise_exception=True)
        ranking = ranking_services.publish_ranking(actor=request.user, **data.validated_data)
        return Response(PointsRankingOut(ranking).data, status=status.HTTP_201_CREATED)


class RankingEntryListApi(ListAPIView):
    """One list's lines in rank order, names and ID numbers masked (public)."""

    permission_classes = [permissions.AllowAny]
    serializer_class = PointsRankingEntryOut

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RankingEntry.objects.none()
        ranking = get_object_or_404(selectors.published_rankings(), pk=self.kwargs["pk"])
        return selectors.ranking_entries(ranking)


class ObjectionCreateApi(APIView):
    """The person ranked objects to their own line while the list is open."""

    class PointsObjectionIn(serializers.Serializer):
        text = serializers.CharField(max_length=2000)

    class PointsObjectionOut(serializers.Serializer):
        id = serializers.IntegerField()
        text = serializers.CharField()
        raised_at = serializers.DateTimeField()

    @extend_schema(
        request=PointsObjectionIn,
        responses={201: PointsObjectionOut, **error_responses(400, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.PointsObjectionIn(data=request.data)
        data.is_valid(raise_exception=True)
        objection = ranking_services.raise_objection(
            actor=request.user, entry_id=pk, **data.validated_data
        )
        return Response(self.PointsObjectionOut(objection).data, status=status.HTTP_201_CREATED)


class ObjectionAnswerApi(APIView):
    class PointsAnswerIn(serializers.Serializer):
        answer = serializers.CharField(max_length=2000)

    @extend_schema(
        request=PointsAnswerIn, responses={200: None, **error_responses(400, 403, 404, 409)}
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.PointsAnswerIn(data=request.data)
        data.is_valid(raise_exception=True)
        ranking_services.answer_objection(
            actor=request.user, objection_id=pk, **data.validated_data
        )
        return Response(status=status.HTTP_200_OK)


# --- rule-set versions (administrators) -----------------------------------------------------------------


class RuleSetNewVersionApi(APIView):
    """A new draft version copied from this one (the way to change published rules)."""

    @extend_schema(request=None, responses={201: PointsRuleSetOut, **error_responses(403, 404)})
    def post(self, request: Request, pk: int) -> Response:
        draft = rule_services.new_version(actor=request.user, rule_set_id=pk)
        return Response(PointsRuleSetOut(draft).data, status=status.HTTP_201_CREATED)


class RuleSetPublishApi(APIView):
    """Publish a draft; for the scheme in use this starts the recompute of every score."""

    @extend_schema(
        request=None,
        responses={200: PointsRunOut(allow_null=True), **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        run = rule_services.publish_rule_set(actor=request.user, rule_set_id=pk)
        return Response(PointsRunOut(run).data if run else None)


class RuleSetPreviewApi(APIView):
    """Start the what-if preview of a draft: who would cross each threshold."""

    @extend_schema(
        request=None, responses={202: PointsRunOut, **error_responses(400, 403, 404, 409)}
    )
    def post(self, request: Request, pk: int) -> Response:
        run = rule_services.start_preview(actor=request.user, rule_set_id=pk)
        return Response(PointsRunOut(run).data, status=status.HTTP_202_ACCEPTED)


class RunDetailApi(APIView):
    """Progress of a recompute or preview run (administrators)."""

    @extend_schema(responses={200: PointsRunOut, **error_responses(403, 404)})
    def get(self, request: Request, pk: int) -> Response:
        if not (request.user.is_superuser or request.user.has_role(Role.ADMINISTRATOR)):
            raise NotAllowed()
        return Response(PointsRunOut(get_object_or_404(RecomputeRun, pk=pk)).data)
