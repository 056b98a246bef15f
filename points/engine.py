"""The points engine: a pure function from a person's facts and a rule set to scores per service.

A rule set arrives as a plain spec (a dict, see `points.spec` for its export from the
database and the seed tables in the migrations) and is compiled once into plain Python
structures (`compile_rules`). Scoring (`score`) then takes a person's facts as a plain dict
and a reference day and returns an itemised, explainable result. There is no database access
and no clock in here: the same facts, rules and day always give the same result, and the same
compiled rules score one person or a million (`score_compact` skips the dataclasses).

Shape of a rule set (the common shape of the cities' schemes, docs/domain.md "Points systems"):
- indicators, each reading one fact and scoring it by a kind: `fixed` (a value when the fact
  holds), `rate` (points per unit, optionally from a minimum quantity, with a cap), `tiered`
  (a table of levels or of numeric minimums; the highest line met counts), `age_scale`
  (a flat value for an age band plus a step per year younger, capped) or `veto` (the fact
  makes the person ineligible). Events (detentions, patents) are counted within a lookback
  window of years before the reference day. Periods (residence, insurance) are measured as
  whole months of continuity counted back from the reference day (portal.periods), with a
  gap allowance and an optional restart fact (a late permit endorsement).
- families group indicators: `sum` adds them, `highest` counts only the best one; a family
  may have a cap; families sharing an `exclusive_group` count only the best of them
  (education or title, whichever is higher); each family belongs to a part (base, bonus,
  deduction) and optionally to a sub-score used to break ties.
- area multipliers by zone (outside the central districts the total gets 30%).
- entry requirements for every service, and per service: which parts count, whether vetoes
  and the multiplier apply, extra requirements, the threshold and the tie-break chain.

Totals are (sum of the service's parts) x multiplier, never below 0, rounded to 2 decimals.
Rates count whole units only (3 points per full year).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from portal import periods

# --- vocabulary --------------------------------------------------------------------------------

NUMBER, LEVEL, FLAG, DATE, EVENTS, PERIODS = "number", "level", "flag", "date", "events", "periods"
VALUE_TYPES = (NUMBER, LEVEL, FLAG, DATE, EVENTS, PERIODS)

FIXED, RATE, TIERED, AGE_SCALE, VETO = "fixed", "rate", "tiered", "age_scale", "veto"
KINDS = (FIXED, RATE, TIERED, AGE_SCALE, VETO)
# Which fact value types each kind can read.
KIND_VALUE_TYPES: dict[str, frozenset[str]] = {
    FIXED: frozenset({NUMBER, LEVEL, FLAG, EVENTS}),
    RATE: frozenset({NUMBER, FLAG, EVENTS, PERIODS}),
    TIERED: frozenset({NUMBER, LEVEL}),
    AGE_SCALE: frozenset({DATE}),
    VETO: frozenset({FLAG, LEVEL, EVENTS}),
}

BASE, BONUS, DEDUCTION = "base", "bonus", "deduction"
PARTS = (BASE, BONUS, DEDUCTION)
SUM, HIGHEST = "sum", "highest"
COMBINES = (SUM, HIGHEST)
OPS = ("true", "false", "gte", "lte", "in")

# Notes on a breakdown line: why it counts less than it scored, or not at all.
NOTE_CAP = "cap"  # the indicator's cap applied
NOTE_HIGHEST_ONLY = "highest_only"  # another item of the same family scored higher
NOTE_EXCLUSIVE = "exclusive"  # another family of the same exclusive group scored higher
NOTE_VETO = "veto"

ZONE_FACT = "zone"
# Among a service's tie-breaks: the time of application, where the rules name it (earlier first).
APPLIED_AT = "applied_at"


class SpecError(ValueError):
    """A rule set that cannot be compiled; `errors` lists every problem found, with its place."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(self.errors))


class FactError(ValueError):
    """Facts that do not fit their types; `errors` maps each fact code to its problem."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


# --- facts ------------------------------------------------------------------------------------------


def _date(raw: Any) -> dt.date:
    if isinstance(raw, dt.date):
        return raw
    return dt.date.fromisoformat(raw)


def _decode_number(raw: Any) -> float:
    if raw.__class__ is bool or not isinstance(raw, int | float | str):
        raise ValueError("a number is expected")
    number = float(raw)
    if not math.isfinite(number) or number < 0:
        raise ValueError("a number of 0 or more is expected")
    return number


def _decode_level(raw: Any) -> tuple[str, ...]:
    levels = (raw,) if isinstance(raw, str) else tuple(raw)
    if not all(isinstance(level, str) and level for level in levels):
        raise ValueError("level codes are expected")
    return levels


def _decode_flag(raw: Any) -> bool:
    if raw.__class__ is not bool:
        raise ValueError("true or false is expected")
    return raw


def _decode_events(raw: Any) -> tuple[dt.date, ...]:
    if isinstance(raw, str | dt.date):
        raise ValueError("a list of dates is expected")
    return tuple(sorted(_date(day) for day in raw))


def _decode_periods(raw: Any) -> tuple[tuple[dt.date, dt.date | None], ...]:
    pairs = []
    for start, end in raw:
        first, last = _date(start), None if end is None else _date(end)
        if last is not None and last < first:
            raise ValueError("a period ends before it starts")
        pairs.append((first, last))
    pairs.sort(key=_first)
    return tuple(pairs)


def _first(pair: tuple[dt.date, dt.date | None]) -> dt.date:
    return pair[0]


_DECODERS: dict[str, Callable[[Any], Any]] = {
    NUMBER: _decode_number,
    LEVEL: _decode_level,
    FLAG: _decode_flag,
    DATE: _date,
    EVENTS: _decode_events,
    PERIODS: _decode_periods,
}


def decode_fact(value_type: str, raw: Any) -> Any:
    """One fact from its JSON form to the engine's: numbers as float, levels as a tuple of codes,
    dates as dates, events as a sorted tuple of dates, periods as (start, end or None) pairs."""
    try:
        decoder = _DECODERS[value_type]
    except KeyError:
        raise ValueError(f"unknown value type {value_type!r}") from None
    return decoder(raw)


def decode_facts(raw: Mapping[str, Any], types: Mapping[str, str]) -> dict[str, Any]:
    """A person's facts from JSON, checked against the fact types; raises FactError on any problem.

    A fact that is null is treated as absent.
    """
    facts: dict[str, Any] = {}
    errors: dict[str, str] = {}
    decoders = _DECODERS
    for code, value in raw.items():
        if value is None:
            continue
        value_type = types.get(code)
        if value_type is None:
            errors[code] = "unknown fact"
            continue
        try:
            facts[code] = decoders[value_type](value)
        except (TypeError, ValueError) as exc:
            errors[code] = str(exc) or "invalid value"
    if errors:
        raise FactError(errors)
    return facts


def encode_fact(value_type: str, value: Any) -> Any:
    """One fact from the engine's form back to JSON."""
    if value_type == LEVEL:
        return list(value)
    if value_type == DATE:
        return value.isoformat()
    if value_type == EVENTS:
        return [day.isoformat() for day in value]
    if value_type == PERIODS:
        return [
            [start.isoformat(), None if end is None else end.isoformat()] for start, end in value
        ]
    if value_type == NUMBER:
        return int(value) if float(value).is_integer() else value
    return value


def encode_facts(facts: Mapping[str, Any], types: Mapping[str, str]) -> dict[str, Any]:
    return {code: encode_fact(types[code], value) for code, value in sorted(facts.items())}


# Compact JSON for the ledger; the C encoder runs only without the circular-reference check.
encode_compact = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode

# --- compiled rules ------------------------------------------------------------------------------

Measure = Callable[[Any, dt.date, Mapping[str, Any]], Any]
Scorer = Callable[[Any], tuple[float, str]]


@dataclass(frozen=True)
class Condition:
    """A requirement on one fact: `true`, `false`, `gte` / `lte` a number, or `in` a set of levels."""

    key: str  # "entry.0", "school.1": where it was defined
    fact: str
    op: str
    value: Any
    label: str
    label_en: str
    test: Callable[[Mapping[str, Any]], bool] = field(repr=False, compare=False, default=None)  # type: ignore[assignment]

    def holds(self, facts: Mapping[str, Any]) -> bool:
        return self.test(facts)


def _condition_test(fact: str, op: str, value: Any) -> Callable[[Mapping[str, Any]], bool]:
    if op == "true":
        return lambda facts: _truthy(facts.get(fact))
    if op == "false":
        return lambda facts: not _truthy(facts.get(fact))
    if op == "gte":
        return lambda facts: (v := facts.get(fact)) is not None and v >= value
    if op == "lte":
        return lambda facts: (v := facts.get(fact)) is not None and v <= value
    return lambda facts: (v := facts.get(fact)) is not None and bool(value.intersection(v))


@dataclass(frozen=True)
class CompiledIndicator:
    code: str
    family: str
    fact: str
    kind: str
    value_type: str
    label: str
    label_en: str
    cap: float | None
    lookback_years: int | None
    params: Mapping[str, Any]
    measure: Measure = field(repr=False, compare=False)
    score: Scorer = field(repr=False, compare=False)


@dataclass(frozen=True)
class CompiledFamily:
    code: str
    label: str
    label_en: str
    part: str
    combine: str
    cap: float | None
    exclusive_group: str
    subscore: str
    indicators: tuple[CompiledIndicator, ...]


@dataclass(frozen=True)
class CompiledService:
    service: str
    label: str
    label_en: str
    parts: tuple[str, ...]
    threshold: float
    apply_vetoes: bool
    apply_multiplier: bool
    requirements: tuple[Condition, ...]
    tie_break: tuple[str, ...]


@dataclass(frozen=True)
class CompiledRules:
    key: str  # "scheme:version"
    name: str
    families: tuple[CompiledFamily, ...]
    entry: tuple[Condition, ...]
    multipliers: Mapping[str, float]
    services: tuple[CompiledService, ...]
    fact_types: Mapping[str, str]

    @functools.cached_property
    def indicators(self) -> dict[str, CompiledIndicator]:
        return {ind.code: ind for family in self.families for ind in family.indicators}

    @functools.cached_property
    def plan(self) -> tuple[tuple[Any, ...], ...]:
        """The families and indicators as plain tuples, in the order the scoring walks them."""
        return tuple(
            (
                family,
                family.combine == HIGHEST,
                family.cap,
                family.exclusive_group,
                frozenset(ind.fact for ind in family.indicators),
                tuple(
                    (ind, ind.code, ind.fact, ind.kind == VETO, ind.measure, ind.score, ind.cap)
                    for ind in family.indicators
                ),
            )
            for family in self.families
        )

    @functools.cached_property
    def service_plan(self) -> tuple[tuple[CompiledService, bool, bool, bool], ...]:
        """Each service with which parts it counts, as flags."""
        return tuple(
            (s, BASE in s.parts, BONUS in s.parts, DEDUCTION in s.parts) for s in self.services
        )

    @functools.cached_property
    def family_by_code(self) -> dict[str, CompiledFamily]:
        return {family.code: family for family in self.families}

    @functools.cached_property
    def facts_used(self) -> tuple[str, ...]:
        """Every fact code the rules read, in the order of first use."""
        seen: dict[str, None] = {}
        for condition in self.entry:
            seen.setdefault(condition.fact)
        for family in self.families:
            for ind in family.indicators:
                seen.setdefault(ind.fact)
                restart = ind.params.get("restart_fact")
                if restart:
                    seen.setdefault(restart)
        if self.multipliers:
            seen.setdefault(ZONE_FACT)
        for service in self.services:
            for condition in service.requirements:
                seen.setdefault(condition.fact)
        return tuple(seen)

    def service(self, code: str) -> CompiledService:
        for service in self.services:
            if service.service == code:
                return service
        raise KeyError(code)

    def conditions(self) -> dict[str, Condition]:
        found = {c.key: c for c in self.entry}
        for service in self.services:
            found.update({c.key: c for c in service.requirements})
        return found


@functools.lru_cache(maxsize=4096)
def _window_start(on: dt.date, years: int) -> dt.date:
    """The first day excluded from a lookback of `years` years before `on`."""
    return periods.add_years(on, -years)


def _events_in_window(events: tuple[dt.date, ...], on: dt.date, years: int | None) -> int:
    if years is None:
        return sum(1 for day in events if day <= on)
    start = _window_start(on, years)
    return sum(1 for day in events if start < day <= on)


def _number(raw: Any, where: str, errors: list[str], *, minimum: float | None = None) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        errors.append(f"{where}: a number is needed")
        return 0.0
    if not math.isfinite(value) or (minimum is not None and value < minimum):
        errors.append(f"{where}: must be {minimum} or more")
    return value


def _optional_number(raw: Any, where: str, errors: list[str]) -> float | None:
    if raw is None or raw == "":
        return None
    return _number(raw, where, errors, minimum=0)


def _truthy(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, float | int):
        return value > 0
    return bool(value)


def _compile_condition(
    raw: Mapping[str, Any], key: str, fact_types: Mapping[str, str], errors: list[str]
) -> Condition:
    fact, op, value = raw.get("fact", ""), raw.get("op", ""), raw.get("value")
    value_type = fact_types.get(fact)
    if value_type is None:
        errors.append(f"{key}: unknown fact {fact!r}")
    if op not in OPS:
        errors.append(f"{key}: unknown operator {op!r} (use one of {', '.join(OPS)})")
    elif op in ("gte", "lte"):
        if value_type not in (None, NUMBER):
            errors.append(f"{key}: {op} needs a number fact")
        value = _number(value, f"{key}.value", errors)
    elif op == "in":
        if value_type not in (None, LEVEL):
            errors.append(f"{key}: in needs a level fact")
        if not isinstance(value, list | tuple) or not value:
            errors.append(f"{key}.value: a list of levels is needed")
            value = ()
        value = frozenset(value)
    return Condition(
        key=key,
        fact=fact,
        op=op,
        value=value,
        label=str(raw.get("label", "")),
        label_en=str(raw.get("label_en", "")),
        test=_condition_test(fact, op, value),
    )


def condition_holds(condition: Condition, facts: Mapping[str, Any]) -> bool:
    return condition.test(facts)


def _measure_for(kind: str, value_type: str, lookback: int | None, params: Mapping) -> Measure:
    """How an indicator turns its fact into the quantity it scores."""
    if kind in (FIXED, VETO):
        if value_type == FLAG:
            return lambda v, on, facts: True if v else None
        if value_type == NUMBER:
            minimum = float(params.get("min", 0) or 0)
            return lambda v, on, facts: True if v > 0 and v >= minimum else None
        if value_type == LEVEL:
            wanted = frozenset(params.get("levels", ()))
            return lambda v, on, facts: True if wanted.intersection(v) else None
        return lambda v, on, facts: True if _events_in_window(v, on, lookback) else None
    if kind == AGE_SCALE:
        return lambda v, on, facts: periods.whole_years_between(v, on)
    if kind == TIERED:
        return lambda v, on, facts: v
    # RATE
    if value_type == NUMBER:
        return lambda v, on, facts: v
    if value_type == FLAG:
        return lambda v, on, facts: 1.0 if v else None
    if value_type == EVENTS:
        return lambda v, on, facts: float(_events_in_window(v, on, lookback))
    gap_months = int(params.get("gap_months", 0) or 0)
    gap_days = int(params.get("gap_days", 0) or 0)
    restart_fact = params.get("restart_fact") or ""

    def continuity(v: Any, on: dt.date, facts: Mapping[str, Any]) -> float:
        restart = facts.get(restart_fact) if restart_fact else None
        return float(
            periods.continuous_months(
                v, on=on, gap_months=gap_months, gap_days=gap_days, restart=restart
            )
        )

    return continuity


def _compile_scorer(
    kind: str, value_type: str, params: Mapping[str, Any], where: str, errors: list[str]
) -> Scorer:
    """How an indicator turns its quantity into points and the rule line that gave them."""
    if kind == FIXED:
        points = _number(params.get("points"), f"{where}.points", errors)
        return lambda q: (points, "fixed")
    if kind == VETO:
        return lambda q: (0.0, "veto")
    if kind == RATE:
        per = _number(params.get("per", 1), f"{where}.per", errors, minimum=0)
        if per == 0:
            errors.append(f"{where}.per: must be more than 0")
            per = 1.0
        points = _number(params.get("points"), f"{where}.points", errors)
        min_quantity = _number(
            params.get("min_quantity", 0), f"{where}.min_quantity", errors, minimum=0
        )

        def rate(q: float) -> tuple[float, str]:
            if q < min_quantity:
                return 0.0, "below_minimum"
            units = math.floor(q / per + 1e-9)
            return units * points, str(units)

        return rate
    if kind == AGE_SCALE:
        min_age = int(_number(params.get("min_age", 0), f"{where}.min_age", errors, minimum=0))
        max_age = int(_number(params.get("max_age"), f"{where}.max_age", errors, minimum=0))
        flat_from = int(_number(params.get("flat_from", min_age), f"{where}.flat_from", errors))
        base = _number(params.get("base"), f"{where}.base", errors)
        step = _number(params.get("step", 0), f"{where}.step", errors)
        if not min_age <= flat_from <= max_age:
            errors.append(f"{where}: min_age <= flat_from <= max_age is needed")

        def age_scale(age: int) -> tuple[float, str]:
            if age < min_age or age > max_age:
                return 0.0, "outside"
            if age >= flat_from:
                return base, "band"
            return base + step * (flat_from - age), "step"

        return age_scale
    # TIERED
    tiers = params.get("tiers")
    if not isinstance(tiers, list) or not tiers:
        errors.append(f"{where}.tiers: a list of tiers is needed")
        return lambda q: (0.0, "")
    if value_type == LEVEL:
        table: dict[str, float] = {}
        for i, tier in enumerate(tiers):
            level = tier.get("level") if isinstance(tier, Mapping) else None
            if not isinstance(level, str) or not level:
                errors.append(f"{where}.tiers[{i}].level: a level code is needed")
                continue
            if level in table:
                errors.append(f"{where}.tiers[{i}].level: {level!r} appears twice")
            table[level] = _number(tier.get("points"), f"{where}.tiers[{i}].points", errors)

        def by_level(levels: tuple[str, ...]) -> tuple[float, str]:
            best, line = 0.0, ""
            for level in levels:
                points = table.get(level)
                if points is not None and (not line or points > best):
                    best, line = points, level
            return best, line

        return by_level
    steps: list[tuple[float, float]] = []
    for i, tier in enumerate(tiers):
        if not isinstance(tier, Mapping):
            errors.append(f"{where}.tiers[{i}]: min and points are needed")
            continue
        steps.append(
            (
                _number(tier.get("min"), f"{where}.tiers[{i}].min", errors),
                _number(tier.get("points"), f"{where}.tiers[{i}].points", errors),
            )
        )
    steps.sort(reverse=True)

    def by_minimum(q: float) -> tuple[float, str]:
        for minimum, points in steps:
            if q >= minimum:
                return points, f"{minimum:g}"
        return 0.0, ""

    return by_minimum


def _text(raw: Mapping[str, Any], key: str) -> str:
    return str(raw.get(key) or "")


def compile_rules(spec: Mapping[str, Any], fact_types: Mapping[str, str]) -> CompiledRules:
    """Check a rule-set spec against the fact types and compile it; raises SpecError listing
    every problem. `fact_types` maps each fact code to its value type."""
    errors: list[str] = []
    families_raw = spec.get("families") or []
    indicators_raw = spec.get("indicators") or []
    by_family: dict[str, list[CompiledIndicator]] = {}
    family_meta: list[Mapping[str, Any]] = []
    for i, fam in enumerate(families_raw):
        where = f"families[{i}]"
        code = _text(fam, "code")
        if not code:
            errors.append(f"{where}.code: a code is needed")
        elif code in by_family:
            errors.append(f"{where}.code: {code!r} appears twice")
        if fam.get("part") not in PARTS:
            errors.append(f"{where}.part: one of {', '.join(PARTS)} is needed")
        if fam.get("combine", SUM) not in COMBINES:
            errors.append(f"{where}.combine: one of {', '.join(COMBINES)} is needed")
        by_family[code] = []
        family_meta.append(fam)

    seen_codes: set[str] = set()
    for i, raw in enumerate(indicators_raw):
        code = _text(raw, "code")
        where = f"indicators[{i}] ({code or '?'})"
        if not code:
            errors.append(f"{where}.code: a code is needed")
        elif code in seen_codes:
            errors.append(f"{where}.code: {code!r} appears twice")
        seen_codes.add(code)
        family = _text(raw, "family")
        if family not in by_family:
            errors.append(f"{where}.family: unknown family {family!r}")
            continue
        kind = raw.get("kind")
        fact = _text(raw, "fact")
        value_type = fact_types.get(fact, "")
        if kind not in KINDS:
            errors.append(f"{where}.kind: one of {', '.join(KINDS)} is needed")
            continue
        if not value_type:
            errors.append(f"{where}.fact: unknown fact {fact!r}")
            continue
        if value_type not in KIND_VALUE_TYPES[kind]:
            errors.append(f"{where}: a {kind} indicator cannot read a {value_type} fact ({fact})")
            continue
        params = raw.get("params") or {}
        if not isinstance(params, Mapping):
            errors.append(f"{where}.params: an object is needed")
            continue
        restart = params.get("restart_fact")
        if restart and fact_types.get(restart) != DATE:
            errors.append(f"{where}.params.restart_fact: {restart!r} is not a date fact")
        lookback_raw = raw.get("lookback_years")
        lookback = None if lookback_raw in (None, "") else int(lookback_raw)
        if lookback is not None and value_type != EVENTS:
            errors.append(f"{where}.lookback_years: only events can be looked back on")
        if lookback is not None and lookback < 1:
            errors.append(f"{where}.lookback_years: at least 1 year")
        cap = _optional_number(raw.get("cap"), f"{where}.cap", errors)
        by_family[family].append(
            CompiledIndicator(
                code=code,
                family=family,
                fact=fact,
                kind=kind,
                value_type=value_type,
                label=_text(raw, "label"),
                label_en=_text(raw, "label_en"),
                cap=cap,
                lookback_years=lookback,
                params=params,
                measure=_measure_for(kind, value_type, lookback, params),
                score=_compile_scorer(kind, value_type, params, f"{where}.params", errors),
            )
        )

    families = tuple(
        CompiledFamily(
            code=_text(fam, "code"),
            label=_text(fam, "label"),
            label_en=_text(fam, "label_en"),
            part=str(fam.get("part", "")),
            combine=str(fam.get("combine", SUM) or SUM),
            cap=_optional_number(fam.get("cap"), f"families[{i}].cap", errors),
            exclusive_group=_text(fam, "exclusive_group"),
            subscore=_text(fam, "subscore"),
            indicators=tuple(by_family.get(_text(fam, "code"), ())),
        )
        for i, fam in enumerate(family_meta)
    )
    subscores = {family.subscore for family in families if family.subscore}

    entry = tuple(
        _compile_condition(raw, f"entry.{i}", fact_types, errors)
        for i, raw in enumerate(spec.get("entry") or [])
    )

    multipliers: dict[str, float] = {}
    for i, raw in enumerate(spec.get("multipliers") or []):
        zone = _text(raw, "zone")
        if not zone:
            errors.append(f"multipliers[{i}].zone: a zone code is needed")
        multipliers[zone] = _number(
            raw.get("factor"), f"multipliers[{i}].factor", errors, minimum=0
        )
    if multipliers and fact_types.get(ZONE_FACT) != LEVEL:
        errors.append(f"multipliers: the fact {ZONE_FACT!r} must exist as a level fact")

    services: list[CompiledService] = []
    for i, raw in enumerate(spec.get("services") or []):
        code = _text(raw, "service")
        where = f"services[{i}] ({code or '?'})"
        if not code:
            errors.append(f"{where}.service: a service code is needed")
        if code in {s.service for s in services}:
            errors.append(f"{where}.service: {code!r} appears twice")
        parts = tuple(raw.get("parts") or ())
        if not parts or any(part not in PARTS for part in parts):
            errors.append(f"{where}.parts: a list of {', '.join(PARTS)} is needed")
        tie_break = tuple(raw.get("tie_break") or ())
        for sub in tie_break:
            if sub != APPLIED_AT and sub not in subscores:
                errors.append(f"{where}.tie_break: no family has the sub-score {sub!r}")
        services.append(
            CompiledService(
                service=code,
                label=_text(raw, "label"),
                label_en=_text(raw, "label_en"),
                parts=parts,
                threshold=_number(raw.get("threshold", 0), f"{where}.threshold", errors, minimum=0),
                apply_vetoes=bool(raw.get("apply_vetoes", True)),
                apply_multiplier=bool(raw.get("apply_multiplier", True)),
                requirements=tuple(
                    _compile_condition(c, f"{code}.{j}", fact_types, errors)
                    for j, c in enumerate(raw.get("requirements") or [])
                ),
                tie_break=tie_break,
            )
        )
    if not services:
        errors.append("services: at least one service with its formula and threshold is needed")
    if errors:
        raise SpecError(errors)
    return CompiledRules(
        key=f"{spec.get('scheme', '')}:{spec.get('version', '')}",
        name=str(spec.get("name", "")),
        families=families,
        entry=entry,
        multipliers=multipliers,
        services=tuple(services),
        fact_types=dict(fact_types),
    )


def validate_spec(spec: Mapping[str, Any], fact_types: Mapping[str, str]) -> list[str]:
    """Every problem of a spec, or an empty list."""
    try:
        compile_rules(spec, fact_types)
    except SpecError as exc:
        return exc.errors
    return []


# --- results ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One line of the breakdown: which indicator read which fact, the quantity it measured,
    the rule line met, the points before and after the indicator's cap, and whether it counts."""

    indicator: str
    family: str
    fact: str
    kind: str
    value: Any
    line: str
    raw_points: float
    points: float
    note: str
    counted: bool


@dataclass(frozen=True)
class FamilyTotal:
    family: str
    part: str
    raw_total: float  # sum of the counted items, before the family cap
    total: float  # what the family adds to its part
    capped: bool
    excluded_by: str  # the family of the same exclusive group that counted instead


@dataclass(frozen=True)
class ServiceResult:
    service: str
    total: float
    raw_total: float  # before the multiplier and the floor at 0
    multiplier: float
    threshold: float
    eligible: bool
    passed: bool
    vetoed_by: tuple[str, ...]
    unmet: tuple[str, ...]  # keys of the requirements not met
    tie_keys: tuple[float, ...]


@dataclass(frozen=True)
class Result:
    rules: str
    on: dt.date
    items: tuple[Item, ...]
    families: tuple[FamilyTotal, ...]
    subscores: Mapping[str, float]
    services: tuple[ServiceResult, ...]

    def service(self, code: str) -> ServiceResult:
        for result in self.services:
            if result.service == code:
                return result
        raise KeyError(code)

    def to_json(self) -> dict[str, Any]:
        """The compact form kept in the ledger; `result_from_json` reads it back."""
        return {
            "items": [
                [
                    i.indicator,
                    _json_value(i.value),
                    i.line,
                    i.raw_points,
                    i.points,
                    i.note,
                    i.counted,
                ]
                for i in self.items
            ],
            "families": [
                [f.family, f.raw_total, f.total, f.capped, f.excluded_by]
                for f in self.families
                if f.capped or f.excluded_by
            ],
            "sub": dict(self.subscores),
            "services": {
                s.service: [
                    s.total,
                    s.raw_total,
                    s.multiplier,
                    s.eligible,
                    s.passed,
                    list(s.vetoed_by),
                    list(s.unmet),
                ]
                for s in self.services
            },
        }


def _json_value(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def result_from_json(rules: CompiledRules, data: Mapping[str, Any], *, on: dt.date) -> Result:
    """A ledger entry's compact breakdown back as a Result, with the rules it was scored under.

    Families not stored were neither capped nor excluded: their total is their counted items.
    """
    indicators = rules.indicators
    items = []
    for code, value, line, raw, points, note, counted in data["items"]:
        ind = indicators.get(code)
        items.append(
            Item(
                indicator=code,
                family=ind.family if ind else "",
                fact=ind.fact if ind else "",
                kind=ind.kind if ind else "",
                value=tuple(value) if isinstance(value, list) else value,
                line=line,
                raw_points=raw,
                points=points,
                note=note,
                counted=counted,
            )
        )
    stored = {row[0]: row for row in data.get("families", [])}
    families = []
    for family in rules.families:
        if family.code in stored:
            _code, raw, total, capped, excluded_by = stored[family.code]
        else:
            members = [i for i in items if i.family == family.code and i.note != NOTE_VETO]
            if not members:
                continue
            raw = total = _r(sum(i.points for i in members if i.counted))
            capped, excluded_by = False, ""
        families.append(
            FamilyTotal(
                family=family.code,
                part=family.part,
                raw_total=raw,
                total=total,
                capped=capped,
                excluded_by=excluded_by,
            )
        )
    subscores = data.get("sub", {})
    services = []
    for code, (total, raw, multiplier, eligible, passed, vetoed, unmet) in data["services"].items():
        service = rules.service(code)
        services.append(
            ServiceResult(
                service=code,
                total=total,
                raw_total=raw,
                multiplier=multiplier,
                threshold=service.threshold,
                eligible=eligible,
                passed=passed,
                vetoed_by=tuple(vetoed),
                unmet=tuple(unmet),
                tie_keys=tuple(subscores.get(sub, 0.0) for sub in service.tie_break),
            )
        )
    return Result(
        rules=rules.key,
        on=on,
        items=tuple(items),
        families=tuple(families),
        subscores=subscores,
        services=tuple(services),
    )


# --- scoring -------------------------------------------------------------------------------------------


def _r(value: float) -> float:
    return round(value + 0.0, 2) + 0.0


def _evaluate(
    rules: CompiledRules,
    facts: Mapping[str, Any],
    on: dt.date,
    overrides: Mapping[str, Any] | None,
) -> tuple[list[list[Any]], list[list[Any]], dict[str, float], list[list[Any]]]:
    """The one scoring routine; returns plain lists (items, families, sub-scores, services).

    Written for the million-person recompute: it walks the compiled plan (plain tuples),
    allocates nothing for families the person has no fact for, and rounds each line and
    total to 2 decimals once.
    """
    get = facts.get
    items: list[list[Any]] = []
    family_rows: list[list[Any]] = []
    vetoes: list[str] = []
    grouped = False
    for family, highest, family_cap, group, family_facts, inds in rules.plan:
        if overrides is None and family_facts.isdisjoint(facts):
            continue
        members: list[list[Any]] | None = None
        for ind, code, fact, is_veto, measure, scorer, cap in inds:
            if overrides is not None and code in overrides:
                q = overrides[code]
            else:
                value = get(fact)
                if value is None:
                    continue
                q = measure(value, on, facts)
                if q is None:
                    continue
            points, line = scorer(q)
            if is_veto:
                items.append([ind, q, line, 0.0, 0.0, NOTE_VETO, False])
                vetoes.append(code)
                continue
            if not points:
                continue
            points = round(points, 2)
            if cap is not None and (points > cap or points < -cap):
                row = [ind, q, line, points, cap if points > 0 else -cap, NOTE_CAP, True]
            else:
                row = [ind, q, line, points, points, "", True]
            items.append(row)
            if members is None:
                members = [row]
            else:
                members.append(row)
        if members is None:
            continue
        if len(members) == 1:
            raw_total = members[0][4]
        else:
            if highest:
                best = max(members, key=_magnitude)
                for row in members:
                    if row is not best:
                        row[5], row[6] = NOTE_HIGHEST_ONLY, False
                raw_total = best[4]
            else:
                raw_total = round(sum(row[4] for row in members), 2)
        if family_cap is not None and (raw_total > family_cap or raw_total < -family_cap):
            total, capped = (family_cap if raw_total > 0 else -family_cap), True
        else:
            total, capped = raw_total, False
        family_rows.append([family, raw_total, total, capped, "", members])
        grouped = grouped or bool(group)
    if grouped:
        groups: dict[str, list[list[Any]]] = {}
        for row in family_rows:
            if row[0].exclusive_group:
                groups.setdefault(row[0].exclusive_group, []).append(row)
        for members in groups.values():
            best = max(members, key=_family_total)
            for row in members:
                if row is not best and row[2]:
                    row[2], row[4] = 0.0, best[0].code
                    for item in row[5]:
                        if item[6]:
                            item[5], item[6] = NOTE_EXCLUSIVE, False
    part_totals = {BASE: 0.0, BONUS: 0.0, DEDUCTION: 0.0}
    subscores: dict[str, float] = {}
    for row in family_rows:
        family, total = row[0], row[2]
        part_totals[family.part] += total
        sub = family.subscore
        if sub:
            subscores[sub] = round(subscores[sub] + total, 2) if sub in subscores else total
    entry_unmet = [c.key for c in rules.entry if not c.test(facts)]
    multiplier = 1.0
    if rules.multipliers:
        zone = get(ZONE_FACT)
        if zone:
            for code in zone:
                factor = rules.multipliers.get(code)
                if factor is not None:
                    multiplier = factor
                    break
    services: list[list[Any]] = []
    base, bonus, deduction = part_totals[BASE], part_totals[BONUS], part_totals[DEDUCTION]
    for service, with_base, with_bonus, with_deduction in rules.service_plan:
        raw_total = (
            (base if with_base else 0.0)
            + (bonus if with_bonus else 0.0)
            + (deduction if with_deduction else 0.0)
        )
        raw_total = round(raw_total, 2) + 0.0
        factor = multiplier if service.apply_multiplier else 1.0
        total = raw_total * factor
        total = round(total, 2) + 0.0 if total > 0 else 0.0
        unmet = entry_unmet
        if service.requirements:
            unmet = unmet + [c.key for c in service.requirements if not c.test(facts)]
        vetoed = vetoes if service.apply_vetoes else []
        eligible = not unmet and not vetoed
        services.append(
            [
                service.service,
                total,
                raw_total,
                factor,
                eligible,
                eligible and total >= service.threshold,
                list(vetoed),
                list(unmet),
                [subscores.get(sub, 0.0) for sub in service.tie_break],
            ]
        )
    return items, family_rows, subscores, services


def _magnitude(row: list[Any]) -> float:
    return abs(row[4])


def _family_total(row: list[Any]) -> float:
    return row[2]


def score(
    rules: CompiledRules,
    facts: Mapping[str, Any],
    *,
    on: dt.date,
    overrides: Mapping[str, Any] | None = None,
) -> Result:
    """Score one person's decoded facts under compiled rules on the reference day `on`.

    `overrides` replaces the measured quantity of the named indicators (used to ask
    "what if this indicator measured more?").
    """
    items, family_rows, subscores, services = _evaluate(rules, facts, on, overrides)
    return Result(
        rules=rules.key,
        on=on,
        items=tuple(
            Item(
                indicator=ind.code,
                family=ind.family,
                fact=ind.fact,
                kind=ind.kind,
                value=q,
                line=line,
                raw_points=raw,
                points=points,
                note=note,
                counted=counted,
            )
            for ind, q, line, raw, points, note, counted in items
        ),
        families=tuple(
            FamilyTotal(
                family=family.code,
                part=family.part,
                raw_total=raw,
                total=total,
                capped=capped,
                excluded_by=excluded,
            )
            for family, raw, total, capped, excluded, _members in family_rows
        ),
        subscores=subscores,
        services=tuple(
            ServiceResult(
                service=code,
                total=total,
                raw_total=raw,
                multiplier=factor,
                threshold=rules.service(code).threshold,
                eligible=eligible,
                passed=passed,
                vetoed_by=tuple(vetoed),
                unmet=tuple(unmet),
                tie_keys=tuple(tie),
            )
            for code, total, raw, factor, eligible, passed, vetoed, unmet, tie in services
        ),
    )


def score_compact(
    rules: CompiledRules, facts: Mapping[str, Any], *, on: dt.date
) -> tuple[dict[str, Any], list[str]]:
    """The bulk form of `score`: the ledger's compact breakdown (as `Result.to_json`) and the
    services whose threshold is reached. Same routine, no dataclasses."""
    items, family_rows, subscores, services = _evaluate(rules, facts, on, None)
    breakdown = {
        "items": [
            [ind.code, list(q) if q.__class__ is tuple else q, line, raw, points, note, counted]
            for ind, q, line, raw, points, note, counted in items
        ],
        "families": [
            [family.code, raw, total, capped, excluded]
            for family, raw, total, capped, excluded, _members in family_rows
            if capped or excluded
        ],
        "sub": subscores,
        "services": {row[0]: row[1:8] for row in services},
    }
    return breakdown, [row[0] for row in services if row[5]]


# --- what would raise the score ------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """One step up on one indicator, and what it would add to each service's total."""

    indicator: str
    family: str
    fact: str
    current: Any  # the quantity or levels measured now (None: nothing yet)
    target: Any  # the quantity or level that would score more
    gains: Mapping[str, float]  # service -> points gained
    crosses: tuple[str, ...]  # services whose threshold the step would reach


def _steps_up(ind: CompiledIndicator, current: Any) -> list[Any]:
    """Quantities or levels above `current` that score more on this indicator, smallest first."""
    if ind.kind == FIXED:
        return [] if current else [True]
    if ind.kind == RATE:
        per = float(ind.params.get("per", 1) or 1)
        points = float(ind.params.get("points", 0) or 0)
        quantity = float(current or 0)
        already, _line = ind.score(quantity)
        if points <= 0 or (ind.cap is not None and already >= ind.cap):
            return []
        minimum = float(ind.params.get("min_quantity", 0) or 0)
        return [max(minimum, (math.floor(quantity / per + 1e-9) + 1) * per)]
    if ind.kind == TIERED:
        now, _line = ind.score(current) if current is not None else (0.0, "")
        better = sorted(
            (float(t["points"]), t.get("level", t.get("min")))
            for t in ind.params.get("tiers") or []
            if float(t["points"]) > now
        )
        if ind.value_type == LEVEL:
            return [(target,) for _points, target in better]
        return [float(target) for _points, target in better]
    return []


def suggestions(rules: CompiledRules, facts: Mapping[str, Any], *, on: dt.date) -> list[Suggestion]:
    """For each indicator of a base or bonus family that is not yet at its best, the smallest
    step up that raises a total, and what it would add to each service (re-scored, so caps, highest-only and exclusive
    pairs are taken into account; a step that would make a service ineligible, such as owning
    a home for public rental housing, gains nothing there). Steps that cross a threshold first,
    then the largest gains."""
    now = score(rules, facts, on=on)
    measured = {item.indicator: item.value for item in now.items}
    found: list[Suggestion] = []
    for family in rules.families:
        if family.part == DEDUCTION:
            continue
        for ind in family.indicators:
            if ind.kind in (VETO, AGE_SCALE):
                continue
            current = measured.get(ind.code)
            if current is None and ind.kind != FIXED:
                value = facts.get(ind.fact)
                current = ind.measure(value, on, facts) if value is not None else None
            for target in _steps_up(ind, current):
                then = score(rules, facts, on=on, overrides={ind.code: target})
                gains = {}
                crosses = []
                for before, after in zip(now.services, then.services, strict=True):
                    gain = _r(after.total - before.total)
                    if gain > 0 and (after.eligible or not before.eligible):
                        gains[before.service] = gain
                        if after.passed and not before.passed:
                            crosses.append(before.service)
                if gains:
                    found.append(
                        Suggestion(
                            indicator=ind.code,
                            family=ind.family,
                            fact=ind.fact,
                            current=current,
                            target=target,
                            gains=gains,
                            crosses=tuple(crosses),
                        )
                    )
                    break
    found.sort(key=lambda s: (-len(s.crosses), -max(s.gains.values()), s.indicator))
    return found
