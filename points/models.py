"""Points-based integration scoring (积分制管理): rules as versioned data, claims, the score ledger.

- A Scheme is a city's points scheme; its RuleSets are versions with an effective window.
  A published version never changes; a change is a new version (services.new_version).
- Families, Indicators, AreaMultipliers and ServiceRules are the rule set's lines; their
  meaning is the engine's (points/engine.py), which scores a plain spec exported from these
  rows (points/spec.py).
- FactTypes are what can be known about a person; registry facts are derived from the
  registry (points/facts.py), the others are claimed by the resident with evidence and each
  claim is verified by the department that owns it, as a workflow case.
- A PointsApplication collects a person's claims; when every claim is decided its facts are
  written to the person's FactSheet and scored into the ledger (Score; ScoreDistribution keeps the percentiles).
- RecomputeRuns recompute every fact sheet under a newly published version (or preview a draft).
- RankingLists publish the ranking of a service's round with masked names (公示).
"""

from __future__ import annotations

import functools
import json
from typing import Any

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from points import engine
from portal.uploads import StoredFile


def _in_language(zh: str, en: str) -> str:
    if en and (get_language() or "").startswith("en"):
        return en
    return zh


class ValueType(models.TextChoices):
    NUMBER = engine.NUMBER, _("Number")
    LEVEL = engine.LEVEL, _("Level")
    FLAG = engine.FLAG, _("Yes or no")
    DATE = engine.DATE, _("Date")
    EVENTS = engine.EVENTS, _("Dated events")
    PERIODS = engine.PERIODS, _("Periods")


class FactSource(models.TextChoices):
    REGISTRY = "registry", _("Derived from the registry")
    CLAIM = "claim", _("Claimed with evidence and verified")


class Kind(models.TextChoices):
    FIXED = engine.FIXED, _("Fixed value")
    RATE = engine.RATE, _("Points per unit")
    TIERED = engine.TIERED, _("Tiered table")
    AGE_SCALE = engine.AGE_SCALE, _("Age scale")
    VETO = engine.VETO, _("Veto")


class Part(models.TextChoices):
    BASE = engine.BASE, _("Base")
    BONUS = engine.BONUS, _("Bonus")
    DEDUCTION = engine.DEDUCTION, _("Deduction")


class Combine(models.TextChoices):
    SUM = engine.SUM, _("Add up")
    HIGHEST = engine.HIGHEST, _("Highest item only")


class Service(models.TextChoices):
    """The services a score can gate; each rule set says which of them it scores and how."""

    SCHOOL = "school", _("School place (积分入学)")
    HOUSING = "housing", _("Public rental housing (积分轮候)")
    HUKOU = "hukou", _("Hukou admission (积分落户)")
    STANDARD = "standard", _("Standard score for public services (积分达标)")


class Scheme(models.Model):
    """One city's points scheme. The portal runs the one scheme that is active."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=100, blank=True)
    is_active = models.BooleanField(_("run by this portal"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("points scheme")
        verbose_name_plural = _("points schemes")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="scheme_one_active"
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return _in_language(self.name, self.name_en)


class FactType(models.Model):
    """One kind of fact about a person that rules can read (education, years of insurance...).

    `department` verifies claims of this fact; registry facts are derived, never claimed.
    A mandatory fact is declared in every application (criminal and detention records).
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("name"), max_length=100)
    label_en = models.CharField(_("name in English"), max_length=100, blank=True)
    value_type = models.CharField(_("value type"), max_length=10, choices=ValueType.choices)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    unit_en = models.CharField(_("unit in English"), max_length=20, blank=True)
    levels = models.JSONField(
        _("levels"),
        default=list,
        blank=True,
        help_text=_(
            'For level facts: [{"code": ..., "label": ..., "label_en": ...}], lowest first.'
        ),
    )
    source = models.CharField(_("source"), max_length=10, choices=FactSource.choices)
    department = models.CharField(_("verified by"), max_length=32, blank=True)
    evidence_hint = models.CharField(_("evidence to upload"), max_length=200, blank=True)
    evidence_hint_en = models.CharField(_("evidence in English"), max_length=200, blank=True)
    mandatory = models.BooleanField(_("declared in every application"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("fact type")
        verbose_name_plural = _("fact types")
        constraints = [
            models.CheckConstraint(
                condition=Q(value_type__in=ValueType.values), name="fact_type_value_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=FactSource.values), name="fact_type_source_valid"
            ),
            models.CheckConstraint(
                condition=Q(source=FactSource.REGISTRY) | ~Q(department=""),
                name="fact_type_claim_has_department",
            ),
        ]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        return _in_language(self.label, self.label_en)

    @property
    def display_unit(self) -> str:
        return _in_language(self.unit, self.unit_en)

    @property
    def display_evidence_hint(self) -> str:
        return _in_language(self.evidence_hint, self.evidence_hint_en)

    def level_choices(self) -> list[tuple[str, str]]:
        return [
            (level["code"], _in_language(level.get("label", ""), level.get("label_en", "")))
            for level in self.levels
        ]


class RuleSetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class RuleSet(models.Model):
    """One version of a scheme's rules, in force from `effective_from` (until `effective_until`).

    A draft may be edited; a published version is immutable (services refuse, the admin shows
    it read-only). The version in force on a day is the active scheme's published version with
    the latest `effective_from` not after the day whose window has not ended.
    """

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="rule_sets")
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=150)
    name_en = models.CharField(_("name in English"), max_length=150, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RuleSetStatus.choices, default=RuleSetStatus.DRAFT
    )
    effective_from = models.DateField(_("in force from"))
    effective_until = models.DateField(_("in force until"), null=True, blank=True)
    score_validity_months = models.PositiveSmallIntegerField(
        _("months a score stays valid"), default=12
    )
    entry_requirements = models.JSONField(
        _("entry requirements"),
        default=list,
        blank=True,
        help_text=_(
            'Conditions for every service: [{"fact": ..., "op": "true|false|gte|lte|in", "value": ..., "label": ...}]'
        ),
    )
    source = models.TextField(_("source of the rules"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["scheme", "-version"]
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "version"], name="rule_set_version_unique"),
            models.CheckConstraint(
                condition=Q(status__in=RuleSetStatus.values), name="rule_set_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=RuleSetStatus.DRAFT) | Q(published_at__isnull=False),
                name="rule_set_published_has_date",
            ),
            models.CheckConstraint(
                condition=Q(effective_until__isnull=True)
                | Q(effective_until__gte=F("effective_from")),
                name="rule_set_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} v{self.version}"

    @property
    def display_name(self) -> str:
        return _in_language(self.name, self.name_en)

    @property
    def is_published(self) -> bool:
        return self.status == RuleSetStatus.PUBLISHED


class Family(models.Model):
    """One family of indicators in a rule set (education, skill or title, deductions...)."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="families")
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("name"), max_length=100)
    label_en = models.CharField(_("name in English"), max_length=100, blank=True)
    part = models.CharField(_("part"), max_length=10, choices=Part.choices)
    combine = models.CharField(
        _("combination"), max_length=10, choices=Combine.choices, default=Combine.SUM
    )
    cap = models.DecimalField(_("cap"), max_digits=8, decimal_places=2, null=True, blank=True)
    exclusive_group = models.SlugField(
        _("exclusive group"),
        max_length=40,
        blank=True,
        help_text=_(
            "Families in the same group count only the highest of them (education or title)."
        ),
    )
    subscore = models.SlugField(
        _("sub-score"), max_length=40, blank=True, help_text=_("Used to break ties.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["rule_set", "order", "id"]
        verbose_name = _("indicator family")
        verbose_name_plural = _("indicator families")
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "code"], name="family_code_unique"),
            models.CheckConstraint(condition=Q(part__in=Part.values), name="family_part_valid"),
            models.CheckConstraint(
                condition=Q(combine__in=Combine.values), name="family_combine_valid"
            ),
            models.CheckConstraint(
                condition=Q(cap__isnull=True) | Q(cap__gte=0), name="family_cap_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        return _in_language(self.label, self.label_en)


class Indicator(models.Model):
    """One rule line: which fact it reads, how it scores it (kind and params), its cap and lookback.

    `params` by kind: fixed {"points"} (number facts also "min", level facts "levels");
    rate {"per", "points", "min_quantity"} (periods also "gap_months", "restart_fact");
    tiered {"tiers": [{"level" or "min", "points"}]}; age_scale {"min_age", "max_age",
    "flat_from", "base", "step"}; veto {} (level facts "levels").
    """

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="indicators")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("name"), max_length=150)
    label_en = models.CharField(_("name in English"), max_length=150, blank=True)
    fact = models.ForeignKey(
        FactType,
        verbose_name=_("fact"),
        on_delete=models.PROTECT,
        to_field="code",
        db_column="fact_code",
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    cap = models.DecimalField(_("cap"), max_digits=8, decimal_places=2, null=True, blank=True)
    lookback_years = models.PositiveSmallIntegerField(_("lookback (years)"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["rule_set", "order", "id"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "code"], name="indicator_code_unique"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="indicator_kind_valid"),
            models.CheckConstraint(
                condition=Q(cap__isnull=True) | Q(cap__gte=0), name="indicator_cap_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        return _in_language(self.label, self.label_en)


class AreaMultiplier(models.Model):
    """A factor applied to the total of persons living in a zone (outside the central districts)."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="multipliers")
    zone = models.SlugField(_("zone"), max_length=40)
    factor = models.DecimalField(_("factor"), max_digits=4, decimal_places=2)
    label = models.CharField(_("name"), max_length=100, blank=True)
    label_en = models.CharField(_("name in English"), max_length=100, blank=True)

    class Meta:
        ordering = ["rule_set", "zone"]
        verbose_name = _("area multiplier")
        verbose_name_plural = _("area multipliers")
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "zone"], name="multiplier_zone_unique"),
            models.CheckConstraint(condition=Q(factor__gt=0), name="multiplier_factor_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.zone} x{self.factor}"


class ServiceRule(models.Model):
    """How a rule set scores one service: the parts counted, requirements, threshold, tie-breaks."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="services")
    service = models.CharField(_("service"), max_length=10, choices=Service.choices)
    parts = ArrayField(
        models.CharField(max_length=10, choices=Part.choices), verbose_name=_("parts counted")
    )
    threshold = models.DecimalField(_("threshold"), max_digits=8, decimal_places=2)
    apply_vetoes = models.BooleanField(_("vetoes apply"), default=True)
    apply_multiplier = models.BooleanField(_("area multiplier applies"), default=True)
    requirements = models.JSONField(_("requirements"), default=list, blank=True)
    tie_break = ArrayField(
        models.SlugField(max_length=40),
        verbose_name=_("tie-break sub-scores"),
        default=list,
        blank=True,
        help_text=_("Sub-scores compared in order; the application time decides last."),
    )
    objection_working_days = models.PositiveSmallIntegerField(
        _("working days a ranking is open to objections"), default=5
    )

    class Meta:
        ordering = ["rule_set", "service"]
        verbose_name = _("service formula")
        verbose_name_plural = _("service formulas")
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "service"], name="service_rule_unique"),
            models.CheckConstraint(
                condition=Q(service__in=Service.values), name="service_rule_service_valid"
            ),
            models.CheckConstraint(
                condition=Q(parts__contained_by=Part.values) & Q(parts__len__gte=1),
                name="service_rule_parts_valid",
            ),
            models.CheckConstraint(
                condition=Q(threshold__gte=0), name="service_rule_threshold_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_service_display()} ≥ {self.threshold}"


class Zone(models.Model):
    """A named group of areas that rules treat alike (the central districts, the outer towns).

    Geography of the deployment, not a rule: the rule sets' multipliers name zones by code.
    A person is in the zone of the most specific area containing their registered address.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=100, blank=True)
    areas = models.ManyToManyField("areas.Area", verbose_name=_("areas"), related_name="+")

    class Meta:
        ordering = ["code"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")

    def __str__(self) -> str:
        return _in_language(self.name, self.name_en)


class FactSheet(models.Model):
    """The facts a person is scored on: verified claims and registry facts, as of `reference_date`.

    Written when a points application is complete (the reference date is its acceptance date)
    and read by every recompute. `facts` is the engine's JSON form, keyed by fact type code.
    """

    person = models.OneToOneField(
        "residents.Person", on_delete=models.PROTECT, related_name="points_facts"
    )
    facts = models.JSONField(_("facts"), default=dict)
    reference_date = models.DateField(_("reference date"))
    applied_at = models.DateTimeField(_("application time"), null=True, blank=True)
    application = models.ForeignKey(
        "PointsApplication", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("fact sheet")
        verbose_name_plural = _("fact sheets")

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.reference_date}"


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Claims being verified")
    COMPLETED = "completed", _("Scored")
    WITHDRAWN = "withdrawn", _("Withdrawn")


APPLICATION_TRANSITIONS: dict[str, frozenset[str]] = {
    ApplicationStatus.DRAFT: frozenset({ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN}),
    ApplicationStatus.SUBMITTED: frozenset(
        {ApplicationStatus.COMPLETED, ApplicationStatus.WITHDRAWN}
    ),
    ApplicationStatus.COMPLETED: frozenset(),
    ApplicationStatus.WITHDRAWN: frozenset(),
}
OPEN_APPLICATION_STATUSES = (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED)


# Audit of status changes, withdrawal among them (django-pghistory).
@pghistory.track(
    pghistory.UpdateEvent("status_changed", condition=pghistory.AnyChange("status")),
    fields=["status", "submitted_at", "completed_at"],
    obj_field=pghistory.ObjForeignKey(related_name="events"),
    model_name="PointsApplicationEvent",
)
class PointsApplication(models.Model):
    """One points application (积分申请) of a person for a service: the claims they make.

    Complete when every claim has been decided by its department; then the facts are
    written to the person's fact sheet and scored into the ledger.
    """

    reference = models.CharField(_("reference number"), max_length=32, unique=True)
    person = models.ForeignKey(
        "residents.Person", on_delete=models.PROTECT, related_name="points_applications"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="points_applications"
    )
    service = models.CharField(_("service"), max_length=10, choices=Service.choices)
    district = models.ForeignKey(
        "areas.Area", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    completed_at = models.DateTimeField(_("scored"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("points application")
        verbose_name_plural = _("points applications")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values),
                name="points_application_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(service__in=Service.values), name="points_application_service_valid"
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=OPEN_APPLICATION_STATUSES),
                name="points_application_one_open_per_person",
            ),
            models.CheckConstraint(
                condition=Q(status=ApplicationStatus.DRAFT)
                | Q(submitted_at__isnull=False)
                | Q(status=ApplicationStatus.WITHDRAWN),
                name="points_application_submitted_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def can_move_to(self, status: str) -> bool:
        return status in APPLICATION_TRANSITIONS[self.status]


class Claim(models.Model):
    """One fact a resident claims in an application, with evidence, verified as a workflow case.

    The case's kind is that of the department owning the fact type; its status is the claim's.
    On approval `verified_value` holds what the department confirmed (by default the claim).
    """

    application = models.ForeignKey(
        PointsApplication, on_delete=models.PROTECT, related_name="claims"
    )
    fact_type = models.ForeignKey(
        FactType,
        on_delete=models.PROTECT,
        to_field="code",
        db_column="fact_code",
        related_name="+",
    )
    value = models.JSONField(_("claimed value"))
    verified_value = models.JSONField(_("verified value"), null=True, blank=True)
    note = models.CharField(_("explanation"), max_length=300, blank=True)
    case = models.OneToOneField(
        "workflow.Case", on_delete=models.PROTECT, related_name="points_claim"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["application", "fact_type__order", "id"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "fact_type"], name="claim_one_per_fact_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.fact_type_id}"


class FeedFact(models.Model):
    """A fact of an application verified from a department's feed instead of a claim (the
    years of social insurance from the human-resources feed), with its source."""

    application = models.ForeignKey(
        PointsApplication, on_delete=models.CASCADE, related_name="feed_facts"
    )
    fact_type = models.ForeignKey(
        FactType, on_delete=models.PROTECT, related_name="+", verbose_name=_("fact")
    )
    value = models.JSONField(_("verified value"))
    source = models.CharField(_("source"), max_length=300)
    run = models.ForeignKey(
        "residents.ReconciliationRun",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reconciliation run"),
    )
    verified_on = models.DateField(_("verified for"))

    class Meta:
        ordering = ["application", "fact_type__order", "id"]
        verbose_name = _("fact from a feed")
        verbose_name_plural = _("facts from feeds")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "fact_type"], name="feed_fact_once_per_application"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.fact_type_id}"


class Evidence(StoredFile):
    """One uploaded file supporting a claim (a diploma, a certificate), stored outside the web root."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")

    class Meta(StoredFile.Meta):
        ordering = ["uploaded_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.original_name


class RunKind(models.TextChoices):
    RECOMPUTE = "recompute", _("Recompute every score")
    PREVIEW = "preview", _("What-if preview")


class RunStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RecomputeRun(models.Model):
    """One pass over every fact sheet under a rule set: a recompute that writes the ledger, or a
    preview that only counts who would cross each threshold. Progress is kept here, so an
    interrupted run resumes after `last_person_id`."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="runs")
    kind = models.CharField(_("kind"), max_length=10, choices=RunKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.PENDING
    )
    total = models.PositiveIntegerField(_("persons to score"), default=0)
    done = models.PositiveIntegerField(_("persons scored"), default=0)
    written = models.PositiveIntegerField(_("ledger entries written"), default=0)
    last_person_id = models.BigIntegerField(default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("recompute run")
        verbose_name_plural = _("recompute runs")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=RunKind.values), name="run_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=RunStatus.values), name="run_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.rule_set_id}: {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, int(100 * self.done / self.total))


class Score(models.Model):
    """One ledger entry: a person's score under one rule-set version, with its breakdown.

    Entries are appended, never changed: a new score for the same person and version marks
    the previous one not current. `breakdown` is the engine's compact result (which
    indicator, which fact value, which rule line, points, which cap) as JSON text, so the
    score explains itself without the facts; its "services" part holds each service's
    total. `passed` lists the services whose threshold the score reaches, for gating.

    The breakdown is kept as text rather than jsonb: a recompute writes a million entries at
    once, jsonb would parse every one, and the ledger only ever reads a breakdown whole.
    """

    # Looked up through the partial unique index (person, rule_set) of current entries; no
    # other index, so that a recompute writing a million entries maintains as few as it can.
    person = models.ForeignKey(
        "residents.Person", on_delete=models.PROTECT, related_name="points_scores", db_index=False
    )
    rule_set = models.ForeignKey(
        RuleSet, on_delete=models.PROTECT, related_name="scores", db_index=False
    )
    application = models.ForeignKey(
        PointsApplication,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scores",
        db_index=False,
    )
    run = models.ForeignKey(
        RecomputeRun,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scores",
        db_index=False,
    )
    reference_date = models.DateField(_("reference date"))
    valid_until = models.DateField(_("valid until"))
    facts_digest = models.CharField(max_length=32)
    breakdown = models.TextField(_("breakdown (JSON)"))
    passed = ArrayField(
        models.CharField(max_length=10, choices=Service.choices),
        verbose_name=_("thresholds reached"),
        default=list,
        blank=True,
    )
    applied_at = models.DateTimeField(_("application time"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed"))
    is_current = models.BooleanField(default=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    lapsed_on = models.DateField(
        _("lapsed on"),
        null=True,
        blank=True,
        help_text=_("Set on the entry that records a lapse: the permit was cancelled that day."),
    )
    lapse_reason = models.CharField(
        _("reason for the lapse"), max_length=200, blank=True, default="", db_default=""
    )

    class Meta:
        ordering = ["-computed_at", "-id"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "rule_set"],
                condition=Q(is_current=True),
                name="score_one_current_per_rule_set",
            ),
            models.CheckConstraint(
                condition=Q(is_current=True, superseded_at__isnull=True)
                | Q(is_current=False, superseded_at__isnull=False),
                name="score_superseded_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} under {self.rule_set_id}"

    @functools.cached_property
    def data(self) -> dict[str, Any]:
        """The breakdown, parsed."""
        return json.loads(self.breakdown)

    def total(self, service: str) -> float | None:
        row = self.data["services"].get(service)
        return None if row is None else row[0]


class ScoreDistribution(models.Model):
    """How many current scores under a rule set have a given total for a service.

    Kept in step with the ledger (a recompute adds each chunk's counts, a rescore moves one
    person from the old total to the new), so a percentile is two sums over a small table.
    """

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="+")
    service = models.CharField(_("service"), max_length=10, choices=Service.choices)
    total = models.DecimalField(_("total"), max_digits=8, decimal_places=2)
    count = models.IntegerField(_("persons"), default=0)

    class Meta:
        verbose_name = _("score distribution")
        verbose_name_plural = _("score distributions")
        constraints = [
            models.UniqueConstraint(
                fields=["rule_set", "service", "total"], name="distribution_bucket_unique"
            ),
            models.CheckConstraint(condition=Q(count__gte=0), name="distribution_count_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.total}: {self.count}"


class RankingStatus(models.TextChoices):
    PUBLISHED = "published", _("Published for objections (公示)")
    FINAL = "final", _("Final")


class RankingList(models.Model):
    """One published ranking of a service's round (公示): the completed applications of the
    round in score order, names and ID numbers masked, open to objections until a date."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="rankings")
    service = models.CharField(_("service"), max_length=10, choices=Service.choices)
    round_name = models.CharField(_("round"), max_length=100)
    applications_from = models.DateField(_("applications from"))
    applications_until = models.DateField(_("applications until"))
    status = models.CharField(
        _("status"), max_length=10, choices=RankingStatus.choices, default=RankingStatus.PUBLISHED
    )
    published_at = models.DateTimeField(_("published"))
    objection_until = models.DateField(_("objections until"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    finalised_at = models.DateTimeField(_("final since"), null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("ranking list")
        verbose_name_plural = _("ranking lists")
        constraints = [
            models.UniqueConstraint(
                fields=["rule_set", "service", "round_name"], name="ranking_round_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=RankingStatus.values), name="ranking_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(service__in=Service.values), name="ranking_service_valid"
            ),
            models.CheckConstraint(
                condition=Q(applications_until__gte=F("applications_from")),
                name="ranking_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(status=RankingStatus.PUBLISHED) | Q(finalised_at__isnull=False),
                name="ranking_final_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_service_display()} {self.round_name}"


class RankingEntry(models.Model):
    """One line of a ranking list: rank, masked name and ID number, total and tie-break keys.

    Lines the rules cannot tell apart (points.ordering) share a rank (并列)."""

    ranking = models.ForeignKey(RankingList, on_delete=models.CASCADE, related_name="entries")
    rank = models.PositiveIntegerField(_("rank"))
    person = models.ForeignKey("residents.Person", on_delete=models.PROTECT, related_name="+")
    application = models.ForeignKey(PointsApplication, on_delete=models.PROTECT, related_name="+")
    score = models.ForeignKey(Score, on_delete=models.PROTECT, related_name="+")
    name_masked = models.CharField(_("name"), max_length=50)
    id_masked = models.CharField(_("ID number"), max_length=18)
    total = models.DecimalField(_("total"), max_digits=8, decimal_places=2)
    tie_keys = ArrayField(
        models.DecimalField(max_digits=8, decimal_places=2), verbose_name=_("tie-break scores")
    )
    applied_at = models.DateTimeField(_("application time"))
    passed = models.BooleanField(_("threshold reached"))

    class Meta:
        ordering = ["ranking", "rank", "id"]
        verbose_name = _("ranking entry")
        verbose_name_plural = _("ranking entries")
        constraints = [
            models.UniqueConstraint(
                fields=["ranking", "person"], name="ranking_entry_person_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.name_masked}"


class Objection(models.Model):
    """One objection to a ranking line (异议), raised by the person ranked, answered by the office."""

    entry = models.ForeignKey(RankingEntry, on_delete=models.PROTECT, related_name="objections")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("objection"))
    raised_at = models.DateTimeField(_("raised"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["raised_at", "id"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="objection_has_text"),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | ~Q(answer=""),
                name="objection_answer_has_text",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.raised_at:%Y-%m-%d}"
