"""A scenario projected from a base: the arrays the engine needs, the engine, the demands.

No database access here: the base's figures and the scenario's assumptions and decisions come
in as plain data, so the same numbers come out for a page, a report and a test.

The projection year runs from the base date (31 August, the school year's reference day) to
the next; the rates of a step are those of the calendar year it ends in. Migration is the
registry's yearly net flow (arrivals less departures, by district, sex and age) averaged over
the scenario's `migration_years` most recent 12-month spans, times `migration_factor`.
Decisions add to it: N new jobs in a district from a year bring N x `persons_per_job` people
in that year, with the age and sex profile of the district's recent arrivals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from portal.projection import engine, rates, registry
from portal.projection.engine import AGES, Array

# The working ages whose arrivals stand in when a district has had none to take a profile from.
_FALLBACK_ARRIVAL_AGES = (20, 40)


@dataclass
class Projection:
    """A projection: populations (year, district, sex, age), base first, and demands."""

    base_date: dt.date
    years: list[int]
    district_ids: list[int]
    population: Array
    births: Array
    forecasts: dict[str, registry.Forecast] = field(default_factory=dict)

    def index_of(self, district_id: int) -> int:
        return self.district_ids.index(district_id)

    def ages(self, low: int, high: int) -> Array:
        """Persons aged low..high (both sexes) per year and district: (Y + 1, D)."""
        return self.population[..., low : high + 1].sum(axis=(-1, -2))

    def totals(self) -> Array:
        return self.population.sum(axis=(-1, -2))


def step_year(base_date: dt.date, step: int) -> int:
    """The calendar year whose rates the step from base + step to base + step + 1 uses."""
    return base_date.year + step + 1


def net_migration(base: Any, assumptions: dict[str, Any]) -> tuple[Array, Array]:
    """(yearly net migrants (D, 2, A), recent arrivals (D, 2, A)) from the base's flows."""
    spans = int(assumptions["migration_years"])
    arrivals = np.asarray(base.arrivals, dtype=np.float64).reshape(3, -1, 2, AGES)[:spans]
    departures = np.asarray(base.departures, dtype=np.float64).reshape(3, -1, 2, AGES)[:spans]
    net = (arrivals - departures).sum(axis=0) / max(spans, 1)
    return net * float(assumptions["migration_factor"]), arrivals.sum(axis=0)


def arrival_profile(recent_arrivals: Array) -> Array:
    """Each district's arrivals as shares by sex and age (D, 2, A), summing to 1."""
    totals = recent_arrivals.sum(axis=(-1, -2), keepdims=True)
    fallback = np.zeros((2, AGES))
    low, high = _FALLBACK_ARRIVAL_AGES
    fallback[:, low : high + 1] = 1.0
    fallback /= fallback.sum()
    return np.where(totals > 0, recent_arrivals / np.maximum(totals, 1e-12), fallback)


def run(base: Any, assumptions: dict[str, Any], decisions: list[dict[str, Any]]) -> Projection:
    """Project `base` (a projection.Base or anything with its fields) under a scenario."""
    horizon = int(assumptions["horizon"])
    step_years = [step_year(base.on, s) for s in range(horizon)]
    tfr = rates.interpolate(assumptions["tfr"], step_years)
    e0 = rates.interpolate(assumptions["life_expectancy"], step_years)
    gap = float(assumptions["life_expectancy_gap"])
    beta = float(assumptions["brass_beta"])
    fertility = np.stack([rates.fertility_rates(float(t)) for t in tfr])
    survival = np.empty((horizon, 2, AGES))
    birth_survival = np.empty((horizon, 2))
    for s, life in enumerate(e0):
        survival[s], birth_survival[s] = rates.survival_for(
            float(life) - gap / 2, float(life) + gap / 2, beta
        )
    population = np.asarray(base.population, dtype=np.float64).reshape(-1, 2, AGES)
    district_ids = list(base.district_ids)
    net, recent = net_migration(base, assumptions)
    migration = np.broadcast_to(net, (horizon, *net.shape)).copy()
    profile = arrival_profile(recent)
    for decision in decisions:
        if decision.get("kind") != "jobs" or decision.get("district") not in district_ids:
            continue
        step = max(int(decision["from_year"]) - base.on.year - 1, 0)
        if step >= horizon:
            continue
        d = district_ids.index(decision["district"])
        people = float(decision["jobs"]) * float(assumptions["persons_per_job"])
        migration[step, d] += people * profile[d]
    populations, births = engine.project(
        population,
        fertility=fertility,
        survival=survival,
        birth_survival=birth_survival,
        sex_ratio_at_birth=np.full(horizon, float(assumptions["sex_ratio_at_birth"])),
        migration=migration,
    )
    projection = Projection(
        base_date=base.on,
        years=[base.on.year + k for k in range(horizon + 1)],
        district_ids=district_ids,
        population=populations,
        births=births,
    )
    given = dict(assumptions, decisions=decisions)
    for demand in registry.demands():
        projection.forecasts[demand.key] = demand.forecast(
            projection, base.inputs.get(demand.key, {}), given
        )
    return projection
