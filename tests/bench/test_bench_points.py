"""Benchmark: recompute every resident's points under a newly published rule-set version.

Loads BENCH_PERSONS synthetic persons (default 1,000,000) with residents.bulk (at the
addresses of a small test city), gives each a
fact sheet streamed in with COPY, scores them all under the Zhongshan 2014 table (the ledger
as it stands before the change), then publishes version 2 and times its recompute: read in
chunks, scored by the engine in a pool of processes, written with COPY into a staging table
and one INSERT ... SELECT per chunk. Prints the figures beside the floor measured in the same
run (scoring the same rows with the engine in memory, spread over the scoring processes, plus
a COPY of the ledger rows into a table of the same width) and the peak memory added (the
writer and its scoring processes); asserts only that every score arrived.

Runs with real commits (a transactional test), so the figure includes what each commit costs.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import random
import resource
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from points import engine, spec
from points.models import FactSheet, RecomputeRun, RuleSet, RunKind, Scheme, Score
from points.services import ledger, rules
from residents import bulk
from residents.models import Person
from tests import factories
from tests.bench import floors

EDUCATION = (
    ("junior_middle", 35),
    ("senior_middle", 20),
    ("technical_secondary", 6),
    ("junior_college", 18),
    ("bachelor", 8),
    ("bachelor_degree", 10),
    ("master", 2),
    ("doctor", 1),
)
SKILL = (("vocational_5", 12), ("vocational_4", 10), ("vocational_3", 6), ("title_junior", 3))


def _pick(rng: random.Random, table) -> str:
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights=weights)[0]


def synthetic_facts(rng: random.Random, birth: dt.date, today: dt.date) -> dict:
    """A plausible fact sheet: education, insurance, residence, and now and then the rest."""
    years_here = rng.randrange(0, 12)
    since = today - dt.timedelta(days=365 * years_here + rng.randrange(365))
    facts: dict = {
        "birth_date": birth.isoformat(),
        "has_permit": rng.random() < 0.85,
        "work_years_city": years_here,
        "zone": ["outer" if rng.random() < 0.3 else "central"],
        "education": [_pick(rng, EDUCATION)],
        "insurance_type_years_province": rng.randrange(0, 5) * years_here,
        "insured_locally_last_month": rng.random() < 0.7,
        "residence_periods": [[since.isoformat(), None]],
    }
    if rng.random() < 0.3:
        gap_end = since - dt.timedelta(days=rng.randrange(10, 200))
        facts["residence_periods"].insert(
            0,
            [
                (gap_end - dt.timedelta(days=rng.randrange(100, 1500))).isoformat(),
                gap_end.isoformat(),
            ],
        )
    if rng.random() < 0.3:
        facts["skill"] = [_pick(rng, SKILL)]
    if rng.random() < 0.2:
        facts["insurance_type_years_city"] = rng.randrange(1, 30)
    if rng.random() < 0.1:
        facts["volunteer_hours"] = rng.randrange(0, 600)
    if rng.random() < 0.05:
        facts["unmarried"] = True
    if rng.random() < 0.05:
        facts["owns_home"] = True
    if rng.random() < 0.1:
        facts["income_tax_5y"] = rng.randrange(0, 40000)
    if rng.random() < 0.02:
        facts["detentions"] = [(today - dt.timedelta(days=rng.randrange(2000))).isoformat()]
    return facts


def cpu_seconds() -> tuple[float, float]:
    """CPU time used so far by this process (all threads) and by its PostgreSQL backend.

    The machine may be shared: CPU seconds show what the job itself costs, whatever else runs.
    """
    own = resource.getrusage(resource.RUSAGE_SELF)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    stat = Path(f"/proc/{backend}/stat")
    database = 0.0
    if stat.exists():
        fields = stat.read_text().rsplit(")", 1)[1].split()
        database = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own.ru_utime + own.ru_stime, database


def load_fact_sheets(today: dt.date) -> int:
    """A fact sheet for every person without one, streamed in with COPY."""
    rng = random.Random(2026)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.id, p.birth_date FROM residents_person p "
            "LEFT JOIN points_factsheet f ON f.person_id = p.id WHERE f.id IS NULL ORDER BY p.id"
        )
        persons = cursor.fetchall()
        with cursor.copy(
            "COPY points_factsheet (person_id, facts, reference_date, applied_at, updated_at) "
            "FROM STDIN"
        ) as copy:
            for person_id, birth in persons:
                facts = json.dumps(synthetic_facts(rng, birth, today), separators=(",", ":"))
                copy.write_row((person_id, facts, today, now, now))
        cursor.execute("ANALYZE points_factsheet")
    return len(persons)


SAMPLE = 200_000


def scoring_floor(rule_set: RuleSet, rows: int) -> tuple[float, int]:
    """Seconds to score `rows` fact sheets with the engine in memory, on one core, without the
    database: the sheets are read first (untimed), then decoded and scored. Above SAMPLE rows a
    sample of SAMPLE is timed and the figure scaled to `rows`. Returns (seconds, rows timed)."""
    rules_ = spec.compiled(rule_set)
    types = rules_.fact_types
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT facts::text, reference_date FROM points_factsheet ORDER BY person_id LIMIT %s",
            [SAMPLE],
        )
        sheets = cursor.fetchall()

    def score_all() -> None:
        for facts_text, on in sheets:
            engine.score_compact(rules_, engine.decode_facts(json.loads(facts_text), types), on=on)

    gc.disable()
    try:
        seconds = floors.cpu_floor(score_all)
    finally:
        gc.enable()
    return seconds * rows / max(len(sheets), 1), len(sheets)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bench_recompute_points():
    count = int(os.environ.get("BENCH_PERSONS", "1000000"))
    spec.forget_compiled()
    today = timezone.localdate()
    city = factories.build_area_tree(districts=2)
    address_ids = [
        factories.AddressFactory(grid=grid).pk for grids in city["grids"] for grid in grids
    ]

    started = time.perf_counter()
    bulk.load_persons(
        count=count, seed=2026, address_ids=address_ids, today=today, write=lambda line: None
    )
    print(f"\nbench points: {count:,} persons loaded in {time.perf_counter() - started:.1f} s")  # noqa: T201

    started = time.perf_counter()
    sheets = load_fact_sheets(today)
    print(f"bench points: {sheets:,} fact sheets by COPY in {time.perf_counter() - started:.1f} s")  # noqa: T201

    Scheme.objects.filter(code="zhongshan").update(is_active=True)
    version1 = RuleSet.objects.get(scheme__code="zhongshan", version=1)
    admin = factories.UserFactory(
        username="bench_admin", roles=["administrator"], is_superuser=True
    )
    first = RecomputeRun.objects.create(rule_set=version1, kind=RunKind.RECOMPUTE)
    with floors.measured() as ledger_figures:
        ledger.run_recompute(run_id=first.pk)

    draft = rules.new_version(actor=admin, rule_set_id=version1.pk)
    draft.services.filter(service="school").update(threshold=45)
    run = rules.publish_rule_set(actor=admin, rule_set_id=draft.pk)
    cpu_before = cpu_seconds()
    with floors.measured() as figures:
        done = ledger.run_recompute(run_id=run.pk)
    cpu_after = cpu_seconds()
    python_cpu, database_cpu = (
        after - before for after, before in zip(cpu_after, cpu_before, strict=True)
    )

    scoring, timed = scoring_floor(draft, sheets)
    workers = ledger.scoring_workers()
    copy = floors.copy_floor(
        "SELECT person_id, rule_set_id, run_id, application_id, reference_date, valid_until, "
        "facts_digest, breakdown, passed, applied_at, computed_at, is_current "
        "FROM points_score WHERE rule_set_id = %s",
        [draft.pk],
    )
    floor = {
        f"scoring in memory ({timed:,} rows timed) / {workers} processes": scoring / workers,
        "COPY of the ledger rows": copy,
    }
    floors.record("points ledger (first version)", rows=sheets, figures=ledger_figures, floor=floor)
    floors.record("points recompute", rows=done.done, figures=figures, floor=floor)

    total = FactSheet.objects.count()
    print(  # noqa: T201
        f"bench points: RECOMPUTE of {done.done:,} residents under a new rule set in "
        f"{figures['seconds']:.1f} s = {done.done / figures['seconds']:,.0f} residents/s "
        f"({done.written:,} ledger entries written); scoring in memory on one core "
        f"{scoring:.1f} s"
    )
    print(  # noqa: T201
        f"bench points: CPU used by the recompute: {python_cpu:.1f} s Python (the writer; "
        f"{workers} scoring processes not counted), {database_cpu:.1f} s PostgreSQL; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    assert done.done == total
    assert Score.objects.filter(rule_set=draft, is_current=True).count() == total
    assert Person.objects.count() >= count
