"""What each heavy job is measured against: its floor on this machine, measured in the same run.

The machine may be shared, so absolute seconds move from run to run; the floor measured right
beside the job, under the same load, does not move with it, and the ratio job / floor is the
figure that tells whether the job is near what PostgreSQL and the machine allow.

Floors:
- `copy_floor`: COPY of the same rows (read back from the job's own tables) into a plain table
  of the same columns, without indexes: the cost of getting the bytes into PostgreSQL.
- `insert_select_floor`: one INSERT ... SELECT of the same rows into such a table: the cost of
  one set-based write of that size.
- `join_floor`: one hash join of the same size, counted.
- `registry_floor`: one GROUP BY over the registrations of a span of dates, joined to their
  persons and addresses (by grid, sex and birth year): one pass over the registry that a job
  summarising it (the dashboard's facts, the projection's base) cannot do without.
- `transactions_floor`: one atomic block per row, each inserting one row into a plain table:
  the cost of a job that keeps each row its own transaction by rule.
- `cpu_floor`: a Python callable (scoring in memory, without the database), run in this process.

`PeakMemory` samples the resident set size of this process (and, where the work is in
PostgreSQL, of the backend serving the job) while the job runs. `record` keeps one line per job
for the table `make bench` prints at the end (tests/bench/conftest.py).
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psutil
from django.db import connection, transaction

FLOOR_TABLE = "bench_floor_rows"


@dataclass
class Result:
    job: str
    rows: int
    seconds: float
    floor: float
    floor_parts: str
    python_mb: float
    database_mb: float | None
    load: float

    @property
    def ratio(self) -> float:
        return self.seconds / self.floor if self.floor else float("nan")


RESULTS: list[Result] = []


def load_average() -> float:
    return os.getloadavg()[0]


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


class PeakMemory:
    """The largest resident set size of this process (and of the job's PostgreSQL backend, when
    it can be read) while the block runs, sampled every 50 ms. `added_mb` is what the block
    added to this process; `database_added_mb` the same for the backend (its RSS counts the
    shared buffers it touches, so it is an upper bound on the backend's own memory)."""

    def __init__(self, *, database: bool = True) -> None:
        self.process = psutil.Process()
        self.start = self.peak = self.process.memory_info().rss
        self.backend: psutil.Process | None = None
        self.backend_start = self.backend_peak = 0
        if database:
            try:
                self.backend = psutil.Process(backend_pid())
                self.backend_start = self.backend_peak = self.backend.memory_info().rss
            except (psutil.Error, OSError):
                self.backend = None
        self._stop = threading.Event()

    def __enter__(self) -> PeakMemory:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self._tree_rss())
            if self.backend is not None:
                try:
                    self.backend_peak = max(self.backend_peak, self.backend.memory_info().rss)
                except psutil.Error:
                    self.backend = None

    def _tree_rss(self) -> int:
        """This process, plus what its children hold of their own (a process pool's workers
        count as the job's memory; the pages they share with this process, forked, count once)."""
        total = self.process.memory_info().rss
        for child in self.process.children(recursive=True):
            try:
                total += child.memory_full_info().uss
            except psutil.Error:
                continue
        return total

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def added_mb(self) -> float:
        return (self.peak - self.start) / 1e6

    @property
    def database_added_mb(self) -> float | None:
        if not self.backend_start:
            return None
        return (self.backend_peak - self.backend_start) / 1e6


@contextmanager
def measured() -> Iterator[dict[str, float]]:
    """Time a block and sample its peak memory: yields a dict filled with seconds, python_mb,
    database_mb and the load average once the block ends."""
    figures: dict[str, float] = {}
    with PeakMemory() as memory:
        started = time.perf_counter()
        yield figures
        figures["seconds"] = time.perf_counter() - started
    figures["python_mb"] = memory.added_mb
    figures["database_mb"] = memory.database_added_mb
    figures["load"] = load_average()


def _create_like(cursor, select_sql: str) -> None:
    """A plain (logged) table with the columns of `select_sql`, no rows, no index."""
    cursor.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
    cursor.execute(f"CREATE TABLE {FLOOR_TABLE} AS {select_sql} WITH NO DATA")


def copy_floor(select_sql: str, params: list | None = None) -> float:
    """Seconds to COPY the rows of `select_sql` (written to a file first, untimed) into a table of
    the same width without indexes, committed."""
    with tempfile.TemporaryFile() as spool:
        with connection.cursor() as cursor:
            query = cursor.mogrify(select_sql, params) if params else select_sql
            with cursor.copy(f"COPY ({query}) TO STDOUT") as copy:
                for block in copy:
                    spool.write(block)
            _create_like(cursor, query)
        spool.seek(0)
        with connection.cursor() as cursor:
            started = time.perf_counter()
            with cursor.copy(f"COPY {FLOOR_TABLE} FROM STDIN") as copy:
                while piece := spool.read(1 << 20):
                    copy.write(piece)
            seconds = time.perf_counter() - started
            cursor.execute(f"DROP TABLE {FLOOR_TABLE}")
    return seconds


def copy_file_floor(path) -> float:
    """Seconds to COPY a file, as lines of text, into a one-column table."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
        cursor.execute(f"CREATE TABLE {FLOOR_TABLE} (line text)")
        started = time.perf_counter()
        with open(path, "rb") as source, cursor.copy(f"COPY {FLOOR_TABLE} FROM STDIN") as copy:
            while piece := source.read(1 << 20):
                copy.write(piece)
        seconds = time.perf_counter() - started
        cursor.execute(f"DROP TABLE {FLOOR_TABLE}")
    return seconds


def insert_select_floor(select_sql: str, params: list | None = None) -> float:
    """Seconds for one INSERT ... SELECT of the rows of `select_sql` into a table of the same
    width without indexes."""
    with connection.cursor() as cursor:
        query = cursor.mogrify(select_sql, params) if params else select_sql
        _create_like(cursor, query)
        started = time.perf_counter()
        cursor.execute(f"INSERT INTO {FLOOR_TABLE} {query}")
        seconds = time.perf_counter() - started
        cursor.execute(f"DROP TABLE {FLOOR_TABLE}")
    return seconds


def join_floor(sql: str, params: list | None = None) -> float:
    """Seconds for one query (a hash join of the job's size, counted)."""
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(sql, params)
        cursor.fetchall()
        return time.perf_counter() - started


REGISTRY_SQL = """
    SELECT a.grid_id, p.sex, date_part('year', p.birth_date)::int, count(*)
    FROM residents_registration r
    JOIN residents_person p ON p.id = r.person_id
    JOIN areas_address a ON a.id = r.address_id
    WHERE r.start_date <= %s AND (r.end_date IS NULL OR r.end_date >= %s)
    GROUP BY 1, 2, 3
"""


def registry_floor(first, last) -> float:
    """Seconds for one GROUP BY over the registrations overlapping `first`..`last`, with their
    persons and addresses."""
    return join_floor(REGISTRY_SQL, [last, first])


def transactions_floor(count: int) -> float:
    """Seconds for `count` atomic blocks, each inserting one row into a plain table (inside a
    test's transaction they are savepoints, as the job's own blocks are)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
        cursor.execute(f"CREATE TABLE {FLOOR_TABLE} (id bigint)")
    started = time.perf_counter()
    for n in range(count):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FLOOR_TABLE} VALUES (%s)", [n])  # noqa: S608
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {FLOOR_TABLE}")
    return seconds


def cpu_floor(work: Callable[[], object]) -> float:
    """Seconds of one call of `work`, in this process."""
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def record(
    job: str,
    *,
    rows: int,
    figures: dict[str, float],
    floor: dict[str, float],
) -> Result:
    """Keep a job's line for the closing table and print it now, beside the job's own figures."""
    total = sum(floor.values())
    result = Result(
        job=job,
        rows=rows,
        seconds=figures["seconds"],
        floor=total,
        floor_parts=" + ".join(f"{name} {seconds:.2f}" for name, seconds in floor.items()),
        python_mb=figures["python_mb"],
        database_mb=figures.get("database_mb"),
        load=figures["load"],
    )
    RESULTS.append(result)
    print(f"\nbench {job}: " + line(result))  # noqa: T201
    return result


def line(result: Result) -> str:
    database = (
        f", PostgreSQL backend +{result.database_mb:.0f} MB"
        if result.database_mb is not None
        else ""
    )
    return (
        f"{result.rows:,} rows in {result.seconds:.1f} s; floor {result.floor:.2f} s "
        f"({result.floor_parts}); ratio {result.ratio:.1f}; memory +{result.python_mb:.0f} MB "
        f"Python{database}; load {result.load:.1f}"
    )


def table() -> list[str]:
    """The closing table: one line per job measured in this session."""
    header = (
        f"{'job':<34} {'rows':>11} {'seconds':>8} {'floor':>7} {'ratio':>6} "
        f"{'+MB py':>7} {'+MB pg':>7} {'load':>5}"
    )
    lines = [header, "-" * len(header)]
    for r in RESULTS:
        database = f"{r.database_mb:7.0f}" if r.database_mb is not None else f"{'-':>7}"
        lines.append(
            f"{r.job:<34} {r.rows:>11,} {r.seconds:8.1f} {r.floor:7.2f} {r.ratio:6.1f} "
            f"{r.python_mb:7.0f} {database} {r.load:5.1f}"
        )
    lines.append("floors: " + "; ".join(f"{r.job}: {r.floor_parts}" for r in RESULTS))
    return lines
