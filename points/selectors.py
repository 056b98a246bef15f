"""Reads of the points app, each scoped to who asks: the one place that decides visibility.

- Published rule sets, fact types and published ranking lists are public (公示).
- A resident sees their own applications, claims, evidence, score and ranking lines.
- A reviewer sees the claims of their department in their districts (the workflow's scope).
- The points office (reviewers of human resources or the new-resident service centre) also
  manages ranking lists and answers objections.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from points import engine, spec
from points.models import (
    ApplicationStatus,
    Claim,
    Evidence,
    FactSheet,
    FactSource,
    FactType,
    Objection,
    PointsApplication,
    RankingEntry,
    RankingList,
    RecomputeRun,
    RuleSet,
    RuleSetStatus,
    RunKind,
    RunStatus,
    Scheme,
    Score,
    ScoreDistribution,
)
from portal.accounts import selectors as account_selectors
from portal.accounts.models import DepartmentCode, User
from portal.errors import InvalidInput, NotFound
from portal.workflow import selectors as workflow_selectors
from residents.models import Person

POINTS_OFFICE = frozenset({DepartmentCode.HUMAN_RESOURCES, DepartmentCode.SERVICE_CENTRE})


# --- rule sets -------------------------------------------------------------------------------------


def active_scheme() -> Scheme | None:
    return Scheme.objects.filter(is_active=True).first()


def rule_set_in_force(*, on: dt.date | None = None) -> RuleSet | None:
    """The active scheme's published version in force on `on` (today): the latest
    `effective_from` not after the day whose window has not ended, and whose recompute has
    finished. Until every score under a new version is written, the previous one stays in
    force, so nobody is left without a score under the version in force."""
    day = on or timezone.localdate()
    unfinished = RecomputeRun.objects.filter(
        rule_set=OuterRef("pk"), kind=RunKind.RECOMPUTE
    ).exclude(status=RunStatus.DONE)
    return (
        RuleSet.objects.filter(
            scheme__is_active=True,
            status=RuleSetStatus.PUBLISHED,
            effective_from__lte=day,
        )
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gte=day))
        .filter(~Exists(unfinished))
        .select_related("scheme")
        .order_by("-effective_from", "-version")
        .first()
    )


def published_rule_sets() -> QuerySet[RuleSet]:
    """Every published version of every scheme (public: anyone may estimate under them)."""
    return (
        RuleSet.objects.filter(status=RuleSetStatus.PUBLISHED)
        .select_related("scheme")
        .order_by("-scheme__is_active", "scheme__code", "-version")
    )


def published_rule_set(pk: int | None) -> RuleSet:
    """A published version by id, or the one in force when no id is given; NotFound otherwise."""
    found = rule_set_in_force() if pk is None else published_rule_sets().filter(pk=pk).first()
    if found is None:
        raise NotFound(_("There are no points rules in force."))
    return found


def fact_types_read_by(rules: engine.CompiledRules) -> list[FactType]:
    """The fact types a compiled rule set reads, in catalogue order."""
    used = set(rules.facts_used)
    return [ft for ft in FactType.objects.all() if ft.code in used]


def claimable_fact_types(rule_set: RuleSet) -> list[FactType]:
    """The facts a resident may claim under a rule set (registry facts are never claimed)."""
    return [
        ft for ft in fact_types_read_by(spec.compiled(rule_set)) if ft.source == FactSource.CLAIM
    ]


def estimate(
    rule_set: RuleSet, raw_facts: dict[str, Any], *, on: dt.date | None = None
) -> engine.Result:
    """模拟估分: score facts typed in by anyone under a published version, storing nothing.

    Facts the rules do not read are refused, like facts of the wrong type.
    """
    rules = spec.compiled(rule_set)
    used = set(rules.facts_used)
    fields = {
        f"facts.{code}": [_("These rules do not read this fact.")]
        for code in sorted(set(raw_facts) - used)
    }
    try:
        facts = engine.decode_facts(
            {k: v for k, v in raw_facts.items() if k in used}, rules.fact_types
        )
    except engine.FactError as exc:
        fields.update({f"facts.{code}": [_("This value is not valid.")] for code in exc.errors})
    if fields:
        raise InvalidInput(fields=fields)
    return engine.score(rules, facts, on=on or timezone.localdate())


def runs_of(rule_set: RuleSet) -> QuerySet[RecomputeRun]:
    return RecomputeRun.objects.filter(rule_set=rule_set).order_by("-created_at", "-id")


# --- the ledger ------------------------------------------------------------------------------------


def person_of(user: User) -> Person | None:
    """The registry entry of the signed-in user (residents.selectors.person_of)."""
    if not user.is_authenticated:
        return None
    return Person.objects.filter(user=user).first()


def current_score(person: Person, rule_set: RuleSet) -> Score | None:
    return Score.objects.filter(person=person, rule_set=rule_set, is_current=True).first()


def current_scores_of(person_ids: list[int], rule_set: RuleSet) -> dict[int, Score]:
    """The current ledger entries of several persons under one rule set, by person id (one query)."""
    return {
        score.person_id: score
        for score in Score.objects.filter(
            person_id__in=person_ids, rule_set=rule_set, is_current=True
        )
    }


def fact_sheet_of(person: Person) -> FactSheet | None:
    return FactSheet.objects.filter(person=person).first()


def passes(person: Person, service: str, *, on: dt.date | None = None) -> bool:
    """Whether the person's current score under the rules in force reaches the service's
    threshold and is still valid on `on` (today). For gating other services."""
    day = on or timezone.localdate()
    rule_set = rule_set_in_force(on=day)
    if rule_set is None:
        return False
    return Score.objects.filter(
        person=person,
        rule_set=rule_set,
        is_current=True,
        valid_until__gte=day,
        passed__contains=[service],
    ).exists()


def percentile(rule_set: RuleSet, service: str, total: float) -> float | None:
    """The share of current scores under the rule set strictly below `total` for the service,
    in percent (None when nobody has a score yet)."""
    buckets = ScoreDistribution.objects.filter(rule_set=rule_set, service=service)
    sums = buckets.aggregate(
        everyone=Sum("count"), below=Sum("count", filter=Q(total__lt=Decimal(str(total))))
    )
    if not sums["everyone"]:
        return None
    return round(100.0 * (sums["below"] or 0) / sums["everyone"], 1)


@dataclass(frozen=True)
class ScoreView:
    """Everything the resident's score page and API show."""

    rule_set: RuleSet
    rules: engine.CompiledRules
    score: Score | None
    result: engine.Result | None
    percentiles: dict[str, float | None]
    suggestions: list[engine.Suggestion]


def score_view(user: User) -> ScoreView | None:
    """The user's own current score under the rules in force, its breakdown, percentiles and
    what would raise it; None when no rules are in force."""
    rule_set = rule_set_in_force()
    if rule_set is None:
        return None
    rules = spec.compiled(rule_set)
    person = person_of(user)
    score = current_score(person, rule_set) if person else None
    result = None
    percentiles: dict[str, float | None] = {}
    suggestions: list[engine.Suggestion] = []
    if score is not None:
        result = engine.result_from_json(rules, score.data, on=score.reference_date)
        percentiles = {s.service: percentile(rule_set, s.service, s.total) for s in result.services}
        sheet = fact_sheet_of(person)
        if sheet is not None:
            facts = engine.decode_facts(sheet.facts, rules.fact_types)
            suggestions = engine.suggestions(rules, facts, on=sheet.reference_date)
    return ScoreView(
        rule_set=rule_set,
        rules=rules,
        score=score,
        result=result,
        percentiles=percentiles,
        suggestions=suggestions,
    )


# --- applications and claims -------------------------------------------------------------------------


def _claims_prefetch() -> Prefetch:
    return Prefetch(
        "claims",
        queryset=Claim.objects.select_related("fact_type", "case", "case__department")
        .prefetch_related("evidence")
        .order_by("fact_type__order", "id"),
    )


def applications_of(user: User) -> QuerySet[PointsApplication]:
    """The points applications the user filed."""
    if not user.is_authenticated:
        return PointsApplication.objects.none()
    return (
        PointsApplication.objects.filter(applicant=user)
        .select_related("person", "district")
        .prefetch_related(_claims_prefetch())
    )


def open_application_of(person: Person) -> PointsApplication | None:
    return PointsApplication.objects.filter(
        person=person, status__in=[ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED]
    ).first()


def claims_of_applicant(user: User) -> QuerySet[Claim]:
    """The claims in the user's own applications."""
    return Claim.objects.filter(
        case__in=workflow_selectors.cases_of_applicant(user)
    ).select_related("fact_type", "case", "application", "application__person")


def claims_reviewable_by(user: User) -> QuerySet[Claim]:
    """Claims submitted to the reviewer's department in the districts they review."""
    return (
        Claim.objects.filter(case__in=workflow_selectors.cases_reviewable_by(user))
        .select_related(
            "fact_type",
            "case",
            "case__department",
            "case__district",
            "case__applicant",
            "application",
            "application__person",
        )
        .prefetch_related("evidence")
    )


def evidence_visible_to(user: User) -> QuerySet[Evidence]:
    """Evidence files: the applicant's own, and those of claims the reviewer can review."""
    if not user.is_authenticated:
        return Evidence.objects.none()
    return Evidence.objects.filter(
        Q(claim__in=claims_of_applicant(user).values("pk"))
        | Q(claim__in=claims_reviewable_by(user).values("pk"))
    ).select_related("claim")


# --- ranking lists --------------------------------------------------------------------------------------


def is_points_office(user: User) -> bool:
    return account_selectors.is_reviewer_of(user, *POINTS_OFFICE)


def published_rankings() -> QuerySet[RankingList]:
    """Ranking lists published for objections or final (public: 公示)."""
    return RankingList.objects.select_related("rule_set", "rule_set__scheme").order_by(
        "-published_at", "-id"
    )


def ranking_entries(ranking: RankingList) -> QuerySet[RankingEntry]:
    """The lines of a list in rank order, masked (never the person's name or number)."""
    return (
        RankingEntry.objects.filter(ranking=ranking)
        .order_by("rank", "id")
        .only("id", "rank", "name_masked", "id_masked", "total", "tie_keys", "applied_at", "passed")
    )


def own_ranking_entries(user: User) -> QuerySet[RankingEntry]:
    """The ranking lines of the user themselves (where they may object)."""
    person = person_of(user)
    if person is None:
        return RankingEntry.objects.none()
    return RankingEntry.objects.filter(person=person).select_related("ranking")


def objections_visible_to(user: User) -> QuerySet[Objection]:
    """Objections the user raised; for the points office, every objection."""
    if not user.is_authenticated:
        return Objection.objects.none()
    queryset = Objection.objects.select_related("entry", "entry__ranking")
    if is_points_office(user):
        return queryset
    return queryset.filter(raised_by=user)
