"""Every write of the projection: bases from the registry, scenarios, warning firings.

A base is read from the sources the domain apps registered (set-based SQL there) and kept, so
pages and reports project from it without touching the registry. Scenarios are edited by
analysts; each change is checked as a whole (every problem named at once) and leaves a
ScenarioChange row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import Role, User
from portal.areas.models import Area, Level
from portal.errors import InvalidInput, NotAllowed, NotFound
from portal.projection import registry
from portal.projection.engine import AGES
from portal.projection.models import Base, Scenario, ScenarioChange, ScenarioKind

SEX_INDEX = {"M": 0, "F": 1}
FLOW_SPANS = 3  # 12-month spans of arrivals and departures kept with a base

# Bounds of each number a scenario holds: (low, high), both allowed.
BOUNDS: dict[str, tuple[float, float]] = {
    "life_expectancy_gap": (-5.0, 15.0),
    "sex_ratio_at_birth": (90.0, 130.0),
    "migration_years": (1, FLOW_SPANS),
    "migration_factor": (0.0, 5.0),
    "brass_beta": (0.5, 2.0),
    "horizon": (1, 15),
    "persons_per_job": (0.0, 10.0),
    "housing_application_rate": (0.0, 1.0),
}
INTEGER_KEYS = {"migration_years", "horizon"}
SERIES_BOUNDS: dict[str, tuple[float, float]] = {
    "tfr": (0.1, 5.0),
    "life_expectancy": (40.0, 95.0),
}
DECISION_KINDS = ("jobs", "school", "points_threshold")


def base_date_for(today: dt.date) -> dt.date:
    """The last 31 August on or before `today`: school age is reckoned on that day."""
    year = today.year if (today.month, today.day) >= (8, 31) else today.year - 1
    return dt.date(year, 8, 31)


def build_base(*, on: dt.date | None = None) -> Base:
    """Read the registry's figures on `on` (default: the last 31 August) into a Base.

    Safe to run twice: the base of a date is replaced whole, in one transaction.
    """
    on = on or base_date_for(timezone.localdate())
    sources = registry.sources()
    districts = list(
        Area.objects.filter(level=Level.DISTRICT).order_by("code").values_list("pk", flat=True)
    )
    index = {pk: i for i, pk in enumerate(districts)}
    population = np.zeros((len(districts), 2, AGES), dtype=np.int64)
    arrivals = np.zeros((FLOW_SPANS, len(districts), 2, AGES), dtype=np.int64)
    departures = np.zeros_like(arrivals)
    if sources is not None:
        for district, sex, age, count in sources.population(on):
            if district in index:
                population[index[district], SEX_INDEX[sex], min(age, AGES - 1)] += count
        for span, district, sex, age, came, left in sources.flows(on, FLOW_SPANS):
            if district in index and 0 <= span < FLOW_SPANS:
                at = (span, index[district], SEX_INDEX[sex], min(age, AGES - 1))
                arrivals[at] += came
                departures[at] += left
    inputs = {demand.key: demand.collect(on) for demand in registry.demands()}
    with transaction.atomic():
        base, _created = Base.objects.update_or_create(
            on=on,
            defaults={
                "district_ids": districts,
                "population": population.tolist(),
                "arrivals": arrivals.tolist(),
                "departures": departures.tolist(),
                "inputs": inputs,
                "built_at": timezone.now(),
            },
        )
    return base


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) else None


def check_assumptions(assumptions: dict[str, Any]) -> dict[str, list[str]]:
    """Every problem with a scenario's assumptions, by key (empty when all is well)."""
    errors: dict[str, list[str]] = {}
    for key, (low, high) in SERIES_BOUNDS.items():
        points = assumptions.get(key)
        if not isinstance(points, list) or not points:
            errors[key] = [_("Give at least one year and value.")]
            continue
        for point in points:
            ok = isinstance(point, list | tuple) and len(point) == 2
            year = _number(point[0]) if ok else None
            value = _number(point[1]) if ok else None
            if year is None or value is None or not 1950 <= year <= 2100:
                errors[key] = [_("Each entry is a year and a value, like 2030:1.8.")]
                break
            if not low <= value <= high:
                errors[key] = [
                    _("Each value must be between %(low)s and %(high)s.")
                    % {"low": low, "high": high}
                ]
                break
    for key, (low, high) in BOUNDS.items():
        value = _number(assumptions.get(key))
        if value is None or not low <= value <= high:
            errors[key] = [
                _("Must be a number between %(low)s and %(high)s.") % {"low": low, "high": high}
            ]
        elif key in INTEGER_KEYS and value != int(value):
            errors[key] = [_("Must be a whole number.")]
    return errors


def check_decisions(decisions: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Every problem with a scenario's decisions (new jobs, a school, a points threshold)."""
    problems: list[str] = []
    districts = set(Area.objects.filter(level=Level.DISTRICT).values_list("pk", flat=True))
    for number, decision in enumerate(decisions, start=1):
        kind = decision.get("kind")
        if kind not in DECISION_KINDS:
            problems.append(_("Decision %(n)s: the kind is not known.") % {"n": number})
            continue
        if kind in ("jobs", "school"):
            if decision.get("district") not in districts:
                problems.append(_("Decision %(n)s: choose a district.") % {"n": number})
            year = _number(decision.get("from_year"))
            if year is None or not 2000 <= year <= 2100:
                problems.append(_("Decision %(n)s: give the year it starts.") % {"n": number})
            amount_key = "jobs" if kind == "jobs" else "seats"
            amount = _number(decision.get(amount_key))
            if amount is None or amount < 0 or amount != int(amount):
                problems.append(
                    _("Decision %(n)s: the number must be a whole number, 0 or more.")
                    % {"n": number}
                )
        else:
            threshold = _number(decision.get("threshold"))
            if threshold is None or threshold < 0:
                problems.append(
                    _("Decision %(n)s: the threshold must be 0 or more.") % {"n": number}
                )
    return {"decisions": problems} if problems else {}


def _require_analyst(actor: User) -> None:
    if not (
        actor.is_superuser or actor.has_role(Role.ANALYST) or actor.has_role(Role.ADMINISTRATOR)
    ):
        raise NotAllowed()


def _snapshot(scenario: Scenario) -> dict[str, Any]:
    return {
        "name": scenario.name,
        "description": scenario.description,
        "assumptions": scenario.assumptions,
        "decisions": scenario.decisions,
    }


def _check(
    *, name: str, assumptions: dict[str, Any], decisions: list[dict[str, Any]], exclude: int | None
) -> None:
    errors = check_assumptions(assumptions)
    errors.update(check_decisions(decisions))
    if not name.strip():
        errors["name"] = [_("Give the scenario a name.")]
    elif Scenario.objects.filter(name=name.strip()).exclude(pk=exclude).exists():
        errors["name"] = [_("Another scenario already has this name.")]
    if errors:
        raise InvalidInput(fields=errors)


def create_scenario(
    *,
    actor: User,
    name: str,
    description: str = "",
    assumptions: dict[str, Any],
    decisions: list[dict[str, Any]] | None = None,
    compared_with_id: int | None = None,
) -> Scenario:
    """A new scenario; with decisions (or a scenario to compare with) an impact assessment."""
    _require_analyst(actor)
    decisions = decisions or []
    with transaction.atomic():
        compared_with = None
        if compared_with_id is not None or decisions:
            compared_with = (
                Scenario.objects.filter(pk=compared_with_id).first()
                if compared_with_id is not None
                else Scenario.objects.filter(is_baseline=True).first()
            )
            if compared_with is None:
                raise NotFound()
        _check(name=name, assumptions=assumptions, decisions=decisions, exclude=None)
        now = timezone.now()
        scenario = Scenario.objects.create(
            name=name.strip(),
            description=description.strip(),
            kind=ScenarioKind.DECISION if compared_with else ScenarioKind.ASSUMPTIONS,
            compared_with=compared_with,
            assumptions=assumptions,
            decisions=decisions,
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        ScenarioChange.objects.create(
            scenario=scenario, actor=actor, at=now, before={}, after=_snapshot(scenario)
        )
    return scenario


def update_scenario(
    *,
    actor: User,
    scenario_id: int,
    name: str,
    description: str = "",
    assumptions: dict[str, Any],
    decisions: list[dict[str, Any]] | None = None,
) -> Scenario:
    """Change a scenario's name, description, assumptions and decisions, with a history row.

    Concurrency: the row is locked, so two analysts saving at once are recorded one after the
    other, each change with the state it replaced.
    """
    _require_analyst(actor)
    with transaction.atomic():
        scenario = Scenario.objects.select_for_update().filter(pk=scenario_id).first()
        if scenario is None:
            raise NotFound()
        decisions = decisions if decisions is not None else scenario.decisions
        _check(name=name, assumptions=assumptions, decisions=decisions, exclude=scenario.pk)
        before = _snapshot(scenario)
        scenario.name = name.strip()
        scenario.description = description.strip()
        scenario.assumptions = assumptions
        scenario.decisions = decisions
        scenario.updated_at = timezone.now()
        scenario.save()
        ScenarioChange.objects.create(
            scenario=scenario,
            actor=actor,
            at=scenario.updated_at,
            before=before,
            after=_snapshot(scenario),
        )
    return scenario
