"""Benchmark: the nightly reconciliation of a million-person registry against a million-row feed.

Loads BENCH_PERSONS synthetic persons (default 1,000,000) with residents.bulk into 10,000
standard addresses, writes a social-insurance feed of BENCH_ROWS rows (default 1,000,000,
one per person, with the generator's usual share of departures, moves, strangers, rows
without an ID number and faults), then times `services.reconcile_file` end to end: the file
received (copied and hashed), streamed into staging with COPY, checked, matched, and the
discrepancies and field tasks written, with real commits.

Beside the figure it prints the floor measured in the same run on the same machine: COPY of
the same file into a one-column table, plus one hash join of a million ID hashes against the
registry; and the ratio of the whole job to that floor. Also the peak memory the Python
process added while the job ran (the file is streamed, never held whole). Figures only: it
asserts that the run finished and read every row, not how fast.
"""

from __future__ import annotations

import os
import time

import pytest
from django.db import connection
from django.utils import timezone

from portal.areas.models import Address
from residents import bulk
from residents.models import FieldTask, RunStatus
from residents.reconciliation import generator
from residents.reconciliation import services as reconciliation
from tests import factories
from tests.bench import floors
from tests.uploads import use_upload_root

ADDRESSES_PER_GRID = 2_500


def _addresses(city: dict) -> list[int]:
    grids = [grid for district in city["grids"] for grid in district]
    Address.objects.bulk_create(
        [
            Address(
                grid=grid,
                road="滨海大道",
                number=str(n // 200 + 1),
                building=str(n // 20 % 10 + 1),
                unit="1",
                room=str(100 + n % 20),
                text=f"滨海大道{n // 200 + 1}号{n // 20 % 10 + 1}幢1单元{100 + n % 20}室",
            )
            for grid in grids
            for n in range(ADDRESSES_PER_GRID)
        ],
        batch_size=5_000,
    )
    return generator.synthetic_address_ids()


def _floor(path) -> dict[str, float]:
    """COPY of the file as lines into an unlogged table (as the job stages it), and one hash join
    of a million ID hashes against the registry."""
    copy_seconds = floors.copy_file_floor(path)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_floor_hashes AS SELECT id_hash FROM residents_person"
        )
        cursor.execute("ANALYZE bench_floor_hashes")
    join_seconds = floors.join_floor(
        "SELECT count(*) FROM bench_floor_hashes h JOIN residents_person p USING (id_hash)"
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_floor_hashes")
    return {"COPY of the file": copy_seconds, "one hash join": join_seconds}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bench_reconcile_a_million_rows(tmp_path, settings, departments):
    persons = int(os.environ.get("BENCH_PERSONS", "1000000"))
    rows = int(os.environ.get("BENCH_ROWS", str(persons)))
    use_upload_root(settings, tmp_path / "uploads")
    today = timezone.localdate()
    address_ids = _addresses(factories.build_area_tree())

    started = time.perf_counter()
    bulk.load_persons(
        count=persons, seed=2026, address_ids=address_ids, today=today, write=lambda line: None
    )
    load_seconds = time.perf_counter() - started
    path = tmp_path / "insurance.csv"
    started = time.perf_counter()
    with open(path, "wb") as out:
        written = generator.write_feed(
            out,
            kind="social_insurance",
            residents=generator.residents_from_seed(
                seed=2026, count=persons, address_ids=address_ids, today=today
            ),
            address_ids=address_ids,
            today=today,
            seed=7,
            rows=rows,
        )
    feed_seconds = time.perf_counter() - started
    floor = _floor(path)

    phases: dict[str, float] = {}
    started = time.perf_counter()

    def progress(run) -> None:
        phases.setdefault(run.phase_label, time.perf_counter() - started)

    statements: list[tuple[float, str]] = []

    def timed(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((time.perf_counter() - began, " ".join(sql.split())[:70]))

    with floors.measured() as figures, connection.execute_wrapper(timed):
        run = reconciliation.reconcile_file(path=path, kind="social_insurance", progress=progress)
    seconds = figures["seconds"]
    slowest = sorted(statements, reverse=True)[:6]
    result = floors.record("reconciliation", rows=written, figures=figures, floor=floor)

    size_mb = path.stat().st_size / 1e6
    print(  # noqa: T201
        f"\nbench reconciliation: {persons:,} persons (loaded in {load_seconds:.0f} s), "
        f"feed of {written:,} rows, {size_mb:.0f} MB (written in {feed_seconds:.0f} s)"
        f"\n  whole job: {seconds:.1f} s = {written / seconds:,.0f} rows/s "
        f"(run's own time {run.seconds:.1f} s)"
        f"\n  floor: {result.floor_parts} = {result.floor:.1f} s; job / floor = {result.ratio:.1f}"
        f"\n  phases (s from start): "
        + ", ".join(f"{label} {at:.1f}" for label, at in phases.items())
        + f"\n  rows read {run.rows_read:,}, rejected {run.rows_rejected:,}, "
        f"matched {run.rows_matched:,} (by name {run.rows_matched_by_name:,})"
        f"\n  discrepancies {run.discrepancies_by_kind}, new tasks {run.tasks_raised:,}"
        f"\n  memory added: Python +{result.python_mb:.0f} MB, PostgreSQL backend "
        f"+{result.database_mb or 0:.0f} MB (the work is in PostgreSQL)"
        "\n  slowest statements:" + "".join(f"\n    {d:5.1f} s  {sql}" for d, sql in slowest)
    )
    assert run.status == RunStatus.FINISHED
    assert run.rows_read == written
    assert FieldTask.objects.count() == run.tasks_raised
