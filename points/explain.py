"""An engine result in words: each breakdown line with its indicator, fact, rule line and cap,
each service with its threshold and what keeps it closed, each suggestion with its gain.

Shared by the pages and the API, in the language of the request (rule labels are data with a
Chinese and an English name; the phrasing around them is translated here).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from points import engine
from points.models import FactType, Service


def _pick(zh: str, en: str) -> str:
    return en if en and (get_language() or "").startswith("en") else zh


def condition_label(condition: engine.Condition) -> str:
    """A condition's label in the active language (its fact code when it has none)."""
    return _pick(condition.label, condition.label_en) or condition.fact


def _points(value: float) -> str:
    return f"{value:g}"


@dataclass(frozen=True)
class Line:
    indicator: str
    label: str
    family: str
    family_label: str
    fact: str
    fact_label: str
    value: str
    rule: str
    raw_points: float
    points: float
    counted: bool
    note: str
    note_text: str


@dataclass(frozen=True)
class FamilyLine:
    family: str
    label: str
    part: str
    total: float
    note_text: str
    lines: list[Line] = field(default_factory=list)


@dataclass(frozen=True)
class ServiceLine:
    service: str
    label: str
    total: float | None  # None under a veto: a vetoed score has no total to show
    raw_total: float | None
    multiplier: float
    threshold: float
    eligible: bool
    passed: bool
    reasons: list[str]
    tie_keys: list[tuple[str, float]]


@dataclass(frozen=True)
class SuggestionLine:
    indicator: str
    label: str
    fact_label: str
    current: str
    target: str
    gains: list[tuple[str, float]]
    crosses: list[str]


@dataclass(frozen=True)
class Explanation:
    families: list[FamilyLine]
    services: list[ServiceLine]
    subscores: dict[str, float]


class Explainer:
    """Labels for one compiled rule set, with the fact catalogue's units and level names."""

    def __init__(self, rules: engine.CompiledRules, fact_types: list[FactType] | None = None):
        self.rules = rules
        catalogue = fact_types if fact_types is not None else list(FactType.objects.all())
        self.fact_types = {ft.code: ft for ft in catalogue}

    # -- pieces -------------------------------------------------------------------------------------

    def fact_label(self, code: str) -> str:
        fact_type = self.fact_types.get(code)
        return fact_type.display_label if fact_type else code

    def _levels(self, code: str) -> dict[str, str]:
        fact_type = self.fact_types.get(code)
        return dict(fact_type.level_choices()) if fact_type else {}

    def _unit(self, code: str) -> str:
        fact_type = self.fact_types.get(code)
        return fact_type.display_unit if fact_type else ""

    def value_text(self, ind: engine.CompiledIndicator, value: Any) -> str:
        """What the indicator measured, in words."""
        if value is None:
            return _("none yet")
        if ind.kind == engine.AGE_SCALE:
            return _("aged %(age)s") % {"age": value}
        if ind.kind in (engine.FIXED, engine.VETO):
            return _("yes")
        if ind.value_type == engine.LEVEL:
            levels = self._levels(ind.fact)
            return "、".join(levels.get(code, code) for code in value)
        if ind.value_type == engine.PERIODS:
            return _("%(months)s months continuous") % {"months": _points(value)}
        if ind.value_type == engine.EVENTS:
            if ind.lookback_years:
                return _("%(count)s in the last %(years)s years") % {
                    "count": _points(value),
                    "years": ind.lookback_years,
                }
            return _("%(count)s times") % {"count": _points(value)}
        return f"{_points(value)} {self._unit(ind.fact)}".strip()

    def rule_text(self, ind: engine.CompiledIndicator, line: str) -> str:
        """Which line of the rule applied."""
        params = ind.params
        if ind.kind == engine.FIXED:
            return _("%(points)s points") % {"points": _points(float(params.get("points", 0)))}
        if ind.kind == engine.VETO:
            return _("veto: not eligible")
        if ind.kind == engine.AGE_SCALE:
            return _(
                "%(base)s in the band from %(flat)s to %(max)s, plus %(step)s per year younger"
            ) % {
                "base": _points(float(params.get("base", 0))),
                "flat": params.get("flat_from"),
                "max": params.get("max_age"),
                "step": _points(float(params.get("step", 0))),
            }
        if ind.kind == engine.TIERED:
            tiers = params.get("tiers") or []
            if ind.value_type == engine.LEVEL:
                level = self._levels(ind.fact).get(line, line)
                points = next((t["points"] for t in tiers if t.get("level") == line), 0)
                return _("%(level)s: %(points)s points") % {
                    "level": level,
                    "points": _points(float(points)),
                }
            points = next((t["points"] for t in tiers if f"{float(t.get('min', 0)):g}" == line), 0)
            return _("at least %(min)s: %(points)s points") % {
                "min": line,
                "points": _points(float(points)),
            }
        if line == "below_minimum":
            return _("counts from %(minimum)s") % {
                "minimum": _points(float(params.get("min_quantity", 0)))
            }
        unit = _("months") if ind.value_type == engine.PERIODS else self._unit(ind.fact)
        return _("%(points)s per %(per)s %(unit)s × %(units)s") % {
            "points": _points(float(params.get("points", 0))),
            "per": _points(float(params.get("per", 1) or 1)),
            "unit": unit,
            "units": line,
        }

    def note_text(self, item: engine.Item) -> str:
        ind = self.rules.indicators.get(item.indicator)
        if item.note == engine.NOTE_CAP and ind is not None and ind.cap is not None:
            return _("capped at %(cap)s") % {"cap": _points(ind.cap)}
        if item.note == engine.NOTE_HIGHEST_ONLY:
            return _("only the highest item of this group counts")
        if item.note == engine.NOTE_EXCLUSIVE:
            return _("not counted: the higher of the alternatives counts")
        if item.note == engine.NOTE_VETO:
            return _("veto")
        return ""

    def condition_text(self, key: str) -> str:
        condition = self.rules.conditions().get(key)
        if condition is None:
            return key
        return _pick(condition.label, condition.label_en) or condition.fact

    def service_label(self, code: str) -> str:
        try:
            return str(Service(code).label)
        except ValueError:
            return code

    def subscore_label(self, code: str) -> str:
        labels = {
            "quality": _("personal quality"),
            "insurance": _("social insurance"),
            "residence": _("residence"),
        }
        return labels.get(code, code)

    # -- whole results --------------------------------------------------------------------------------

    def explain(self, result: engine.Result) -> Explanation:
        by_family: dict[str, list[Line]] = {}
        for item in result.items:
            ind = self.rules.indicators.get(item.indicator)
            if ind is None:
                continue
            family = self.rules.family_by_code[ind.family]
            by_family.setdefault(ind.family, []).append(
                Line(
                    indicator=ind.code,
                    label=_pick(ind.label, ind.label_en) or ind.code,
                    family=family.code,
                    family_label=_pick(family.label, family.label_en) or family.code,
                    fact=ind.fact,
                    fact_label=self.fact_label(ind.fact),
                    value=self.value_text(ind, item.value),
                    rule=self.rule_text(ind, item.line),
                    raw_points=item.raw_points,
                    points=item.points,
                    counted=item.counted,
                    note=item.note,
                    note_text=self.note_text(item),
                )
            )
        families = []
        for total in result.families:
            family = self.rules.family_by_code.get(total.family)
            if family is None:
                continue
            note = ""
            if total.capped and family.cap is not None:
                note = _("group capped at %(cap)s") % {"cap": _points(family.cap)}
            elif total.excluded_by:
                other = self.rules.family_by_code.get(total.excluded_by)
                note = _("not counted: %(other)s scores higher") % {
                    "other": _pick(other.label, other.label_en) if other else total.excluded_by
                }
            families.append(
                FamilyLine(
                    family=family.code,
                    label=_pick(family.label, family.label_en) or family.code,
                    part=family.part,
                    total=total.total,
                    note_text=note,
                    lines=by_family.get(family.code, []),
                )
            )
        vetoes = [
            line for lines in by_family.values() for line in lines if line.note == engine.NOTE_VETO
        ]
        if vetoes and not any(f.family == vetoes[0].family for f in families):
            family = self.rules.family_by_code[vetoes[0].family]
            families.append(
                FamilyLine(
                    family=family.code,
                    label=_pick(family.label, family.label_en),
                    part=family.part,
                    total=0.0,
                    note_text="",
                    lines=vetoes,
                )
            )
        services = []
        for service in result.services:
            compiled = self.rules.service(service.service)
            reasons = [
                _("Not met: %(condition)s") % {"condition": self.condition_text(key)}
                for key in service.unmet
            ]
            reasons += [
                _("Veto: %(indicator)s")
                % {
                    "indicator": _pick(
                        self.rules.indicators[code].label, self.rules.indicators[code].label_en
                    )
                }
                for code in service.vetoed_by
                if code in self.rules.indicators
            ]
            services.append(
                ServiceLine(
                    service=service.service,
                    label=self.service_label(service.service),
                    total=None if service.vetoed_by else service.total,
                    raw_total=None if service.vetoed_by else service.raw_total,
                    multiplier=service.multiplier,
                    threshold=service.threshold,
                    eligible=service.eligible,
                    passed=service.passed,
                    reasons=reasons,
                    tie_keys=[
                        (self.subscore_label(code), value)
                        for code, value in zip(compiled.tie_break, service.tie_keys, strict=False)
                    ],
                )
            )
        return Explanation(families=families, services=services, subscores=dict(result.subscores))

    def suggestions(
        self, found: list[engine.Suggestion], *, limit: int = 8
    ) -> list[SuggestionLine]:
        lines = []
        for suggestion in found[:limit]:
            ind = self.rules.indicators[suggestion.indicator]
            lines.append(
                SuggestionLine(
                    indicator=ind.code,
                    label=_pick(ind.label, ind.label_en) or ind.code,
                    fact_label=self.fact_label(ind.fact),
                    current=self.value_text(ind, suggestion.current),
                    target=self.value_text(ind, suggestion.target),
                    gains=[
                        (self.service_label(code), gain) for code, gain in suggestion.gains.items()
                    ],
                    crosses=[self.service_label(code) for code in suggestion.crosses],
                )
            )
        return lines
