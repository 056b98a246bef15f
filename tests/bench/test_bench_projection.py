"""Benchmark: the population projection and the catchment forecasts at a million persons.

Builds the demo city's areas, addresses and primary schools, loads BENCH_PERSONS synthetic
persons (default 1,000,000) with residents.bulk (as `seed_demo --persons` does), then times:
- reading the base: persons by district, sex and age, and three years of flows (set-based SQL);
- the engine alone: every district projected 15 years by sex and single year of age;
- a whole scenario run (rates from assumptions, engine, every registered demand);
- the catchment forecast: collecting children by catchment and age, and the forecast itself.
Prints the figures; asserts only that the numbers add up. The base and the scenario run
together are recorded beside their floor, measured in the same run: reading the inputs (one
GROUP BY over the registrations of the base date and the three years of flows, with their
persons and addresses: one pass over the registry) plus the projection arithmetic in memory
(portal.projection.engine over every district, 15 years).

Runs with real commits (a transactional test), as the Celery job does.
"""

from __future__ import annotations

import os
import random
import time

import numpy as np
import pytest
from django.db import connection
from django.utils import timezone

from portal.areas import demo as areas_demo
from portal.areas.models import Address
from portal.demo import SeedContext
from portal.projection import compute, engine, rates, registry, services
from residents import bulk
from schooling import demo as schooling_demo
from schooling import forecast as school_forecast
from tests.bench import floors
from tests.projection.conftest import ensure_baseline


def say(text: str) -> None:
    print(f"bench projection: {text}")  # noqa: T201


def timed(label: str, work):
    started = time.perf_counter()
    result = work()
    say(f"{label}: {time.perf_counter() - started:.3f} s")
    return result


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bench_projection():
    count = int(os.environ.get("BENCH_PERSONS", "1000000"))
    ctx = SeedContext(rng=random.Random(2026), options={}, write=lambda line: None)
    areas_demo.seed(ctx)
    schools = schooling_demo.put_schools(ctx)
    today = timezone.localdate()
    address_ids = list(Address.objects.order_by("grid__code", "text").values_list("pk", flat=True))
    started = time.perf_counter()
    bulk.load_persons(
        count=count, seed=2026, address_ids=address_ids, today=today, write=lambda line: None
    )
    say(f"{count:,} persons loaded in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE areas_area")
        cursor.execute("ANALYZE areas_address")
    baseline = ensure_baseline()
    on = services.base_date_for(today)
    sources = registry.sources()

    timed("population by district, sex and age (SQL)", lambda: sources.population(on))
    timed("flows of three 12-month spans (SQL, one pass)", lambda: sources.flows(on, 3))
    with floors.measured() as figures:
        base = timed(
            "whole base (population, 3 spans of flows, demand inputs)",
            lambda: services.build_base(on=on),
        )
        projection = timed(
            "scenario run (rates, engine, every demand)",
            lambda: compute.run(base, baseline.assumptions, []),
        )
    districts = len(base.district_ids)
    population = np.asarray(base.population, dtype=np.float64)
    say(f"{districts} districts, {population.sum():,.0f} persons on {on}")

    years = 15
    survival, birth_survival = rates.survival_for(77.0, 82.0)
    arrays = {
        "fertility": np.tile(rates.fertility_rates(1.5), (years, 1)),
        "survival": np.tile(survival, (years, 1, 1)),
        "birth_survival": np.tile(birth_survival, (years, 1)),
        "sex_ratio_at_birth": np.full(years, 107.0),
        "migration": np.zeros((years, *population.shape)),
    }
    runs = 100
    started = time.perf_counter()
    for _ in range(runs):
        projected, _births = engine.project(population, **arrays)
    each = (time.perf_counter() - started) / runs
    say(f"engine, all {districts} districts x 15 years: {each * 1000:.2f} ms (target < 1 s)")

    many = np.repeat(population[:1], 1000, axis=0)
    wide = dict(arrays, migration=np.zeros((years, *many.shape)))
    started = time.perf_counter()
    engine.project(many, **wide)
    say(f"engine, 1,000 areas x 15 years: {(time.perf_counter() - started) * 1000:.1f} ms")

    floors.record(
        "projection base and scenario run",
        rows=int(population.sum()),
        figures=figures,
        floor={
            "one GROUP BY over the registry": floors.registry_floor(
                on.replace(year=on.year - 3), on
            ),
            "the projection arithmetic in memory": floors.cpu_floor(
                lambda: engine.project(population, **arrays)
            ),
        },
    )
    assumptions = dict(baseline.assumptions, decisions=[])
    inputs = timed("catchment children by age (SQL)", lambda: school_forecast.collect(on))
    started = time.perf_counter()
    inputs = school_forecast.collect(on)
    result = school_forecast.forecast(projection, inputs, assumptions)
    whole = time.perf_counter() - started
    say(
        f"catchment forecasts for {len(result.rows)} schools x {len(result.years)} years, "
        f"collect + forecast: {whole:.2f} s (target < 10 s)"
    )

    assert projected.shape == (years + 1, districts, 2, engine.AGES)
    assert projection.totals()[0].sum() == pytest.approx(population.sum())
    assert len(result.rows) == len([s for s in schools if s.stage == "primary"])
