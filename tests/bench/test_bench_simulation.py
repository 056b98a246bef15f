"""Benchmark: the simulated city, 100,000 persons for 30 simulated days (target: 10 minutes).

Runs residents.simulation end to end with the default parameters and real commits: the
population loaded with COPY, every day's declarations, officer visits and settlements through
the portal's services, and every feed due that night written as a file and reconciled by the
real reconciliation run. SIM_PERSONS and SIM_DAYS choose a smaller city on a busy machine;
the figure printed beside the target is then extrapolated linearly in persons x days, and
says so. It prints the seconds of each part (set up, declarations, officers, feeds), the
goal figure (accuracy after one nightly cycle and seven days of officer work) and the
channel that limits it, and records its line in the closing table of heavy jobs beside its
floor: COPY of the run's registrations (the registry's rows written once) plus, per day, the
one query that measures the day. Figures only: it asserts that the run finished, not how fast.
"""

from __future__ import annotations

import os
import time

import pytest

from residents.simulation import measure, runner
from residents.simulation.params import Params
from tests.bench import floors

TARGET_PERSONS, TARGET_DAYS, TARGET_SECONDS = 100_000, 30, 600


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bench_simulated_city(tmp_path, departments):
    persons = int(os.environ.get("SIM_PERSONS", str(TARGET_PERSONS)))
    days = int(os.environ.get("SIM_DAYS", str(TARGET_DAYS)))
    with floors.measured() as figures:
        simulation = runner.simulate(
            persons=persons, days=days, seed=1, params=Params(), workdir=tmp_path, write=print
        )
    seconds = figures["seconds"]
    started = time.perf_counter()
    measure.compare_in_database(*simulation.truth_in_registry_terms())
    one_measure = time.perf_counter() - started
    floors.record(
        f"simulated city {persons // 1000}k x {days} days",
        rows=persons * days,
        figures=figures,
        floor={
            "COPY registrations": floors.copy_floor(
                "SELECT r.* FROM residents_registration r JOIN residents_simulatedperson s "
                "ON s.person_id = r.person_id WHERE s.run_id = %s",
                [simulation.run.pk],
            ),
            "measure query x days": one_measure * days,
        },
    )
    scale = (TARGET_PERSONS * TARGET_DAYS) / (persons * days)
    parts = ", ".join(f"{name} {s:.1f} s" for name, s in simulation.seconds.items())
    print(f"\nsimulated city {persons:,} persons x {days} days: {seconds:.1f} s ({parts})")  # noqa: T201
    if scale != 1:
        print(  # noqa: T201
            f"extrapolated to {TARGET_PERSONS:,} x {TARGET_DAYS} days (linear in persons x days): "
            f"{seconds * scale:.0f} s; target {TARGET_SECONDS} s"
        )
    else:
        print(f"target {TARGET_SECONDS} s")  # noqa: T201
    goal = simulation.rows[min(7, len(simulation.rows) - 1)]
    print(  # noqa: T201
        f"day {goal['day']} (one nightly cycle + officer work): accuracy {goal['accuracy']:.4f}, "
        f"missed arrivals {goal['missed_arrivals']}, stale {goal['stale_residents']}, "
        f"wrong addresses {goal['wrong_addresses']}, "
        f"departures without evidence {goal['departures_without_evidence']}"
    )
    assert simulation.run.finished_at is not None
    assert len(simulation.rows) == days
