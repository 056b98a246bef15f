"""Rule sets between the database and the engine: export as a plain spec, compile, write back.

The spec is the same shape as the seed tables in migrations/0003_seed_rule_sets.py: one dict
with the rule set's entry requirements, families, indicators, multipliers and services.
Published rule sets never change, so their compiled form is cached per process by id.
"""

from __future__ import annotations

import threading
from typing import Any

from django.db import transaction

from points import engine
from points.models import (
    AreaMultiplier,
    FactType,
    Family,
    Indicator,
    RuleSet,
    RuleSetStatus,
    Scheme,
    ServiceRule,
)

_compiled: dict[int, engine.CompiledRules] = {}
_lock = threading.Lock()


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def fact_types() -> dict[str, str]:
    """Every fact code and its value type."""
    return dict(FactType.objects.values_list("code", "value_type"))


def export_spec(rule_set: RuleSet) -> dict[str, Any]:
    """The rule set as a plain spec (the engine's input)."""
    families = list(Family.objects.filter(rule_set=rule_set).order_by("order", "id"))
    codes = {family.pk: family.code for family in families}
    return {
        "scheme": rule_set.scheme.code,
        "scheme_name": rule_set.scheme.name,
        "scheme_name_en": rule_set.scheme.name_en,
        "version": rule_set.version,
        "name": rule_set.name,
        "name_en": rule_set.name_en,
        "effective_from": rule_set.effective_from.isoformat(),
        "effective_until": (
            rule_set.effective_until.isoformat() if rule_set.effective_until else None
        ),
        "score_validity_months": rule_set.score_validity_months,
        "source": rule_set.source,
        "entry": list(rule_set.entry_requirements),
        "families": [
            {
                "code": family.code,
                "label": family.label,
                "label_en": family.label_en,
                "part": family.part,
                "combine": family.combine,
                "cap": _number(family.cap),
                "exclusive_group": family.exclusive_group,
                "subscore": family.subscore,
                "order": family.order,
            }
            for family in families
        ],
        "indicators": [
            {
                "code": ind.code,
                "family": codes[ind.family_id],
                "label": ind.label,
                "label_en": ind.label_en,
                "fact": ind.fact_id,
                "kind": ind.kind,
                "params": ind.params,
                "cap": _number(ind.cap),
                "lookback_years": ind.lookback_years,
            }
            for ind in Indicator.objects.filter(rule_set=rule_set).order_by("order", "id")
        ],
        "multipliers": [
            {
                "zone": m.zone,
                "factor": float(m.factor),
                "label": m.label,
                "label_en": m.label_en,
            }
            for m in AreaMultiplier.objects.filter(rule_set=rule_set).order_by("zone")
        ],
        "services": [
            {
                "service": s.service,
                "label": str(s.get_service_display()),
                "parts": list(s.parts),
                "threshold": float(s.threshold),
                "apply_vetoes": s.apply_vetoes,
                "apply_multiplier": s.apply_multiplier,
                "requirements": list(s.requirements),
                "tie_break": list(s.tie_break),
                "objection_working_days": s.objection_working_days,
            }
            for s in ServiceRule.objects.filter(rule_set=rule_set).order_by("service")
        ],
    }


def compiled(rule_set: RuleSet) -> engine.CompiledRules:
    """The rule set compiled for the engine; cached for published versions (they never change).

    Raises engine.SpecError for a draft that does not compile.
    """
    if rule_set.status == RuleSetStatus.PUBLISHED:
        with _lock:
            cached = _compiled.get(rule_set.pk)
        if cached is not None:
            return cached
    rules = engine.compile_rules(export_spec(rule_set), fact_types())
    if rule_set.status == RuleSetStatus.PUBLISHED:
        with _lock:
            _compiled[rule_set.pk] = rules
    return rules


def forget_compiled() -> None:
    """Drop the cache (tests that rebuild rule sets under the same ids)."""
    with _lock:
        _compiled.clear()


@transaction.atomic
def write_spec(spec: dict[str, Any], *, scheme: Scheme, version: int) -> RuleSet:
    """A new draft rule set made from a spec (a copy of another version, or a test's rules)."""
    rule_set = RuleSet.objects.create(
        scheme=scheme,
        version=version,
        name=spec["name"],
        name_en=spec.get("name_en", ""),
        status=RuleSetStatus.DRAFT,
        effective_from=spec["effective_from"],
        effective_until=spec.get("effective_until"),
        score_validity_months=spec.get("score_validity_months", 12),
        entry_requirements=spec.get("entry", []),
        source=spec.get("source", ""),
    )
    families = {}
    for order, fam in enumerate(spec["families"]):
        fields = {k: v for k, v in fam.items() if k != "order"}
        families[fam["code"]] = Family.objects.create(
            rule_set=rule_set, order=fam.get("order", 10 * (order + 1)), **fields
        )
    Indicator.objects.bulk_create(
        Indicator(
            rule_set=rule_set,
            family=families[ind["family"]],
            fact_id=ind["fact"],
            code=ind["code"],
            label=ind.get("label", ""),
            label_en=ind.get("label_en", ""),
            kind=ind["kind"],
            params=ind.get("params", {}),
            cap=ind.get("cap"),
            lookback_years=ind.get("lookback_years"),
            order=10 * (order + 1),
        )
        for order, ind in enumerate(spec["indicators"])
    )
    AreaMultiplier.objects.bulk_create(
        AreaMultiplier(
            rule_set=rule_set,
            zone=m["zone"],
            factor=m["factor"],
            label=m.get("label", ""),
            label_en=m.get("label_en", ""),
        )
        for m in spec.get("multipliers", [])
    )
    ServiceRule.objects.bulk_create(
        ServiceRule(
            rule_set=rule_set,
            service=s["service"],
            parts=s["parts"],
            threshold=s["threshold"],
            apply_vetoes=s.get("apply_vetoes", True),
            apply_multiplier=s.get("apply_multiplier", True),
            requirements=s.get("requirements", []),
            tie_break=s.get("tie_break", []),
            objection_working_days=s.get("objection_working_days", 5),
        )
        for s in spec["services"]
    )
    return rule_set
