"""The score ledger: scoring one person, recomputing everyone under a new version, previewing a draft.

A score is always computed from a fact sheet (facts and reference date), so the one-person
path and the million-person path give the same entry for the same sheet. Ledger entries are
appended: a changed score marks the previous entry of the same version not current.

Recompute and preview walk the fact sheets in person-id order in chunks. Each chunk is read
with one query, scored in plain Python by a pool of forked processes (the engine, compiled
once before the fork; one chunk per process, so every core scores) while the job's own
thread writes the chunks in order, each with COPY into a staging table and one
INSERT ... SELECT, in a transaction that also advances the run's progress. An interrupted run
resumes after the last person written; a finished run returns at once; a second run over the
same version finds every entry already current and writes nothing (ON CONFLICT DO NOTHING).
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import datetime as dt
import gc
import json
import logging
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from points import engine, spec
from points.models import (
    FactSheet,
    PointsApplication,
    RecomputeRun,
    RuleSet,
    RunKind,
    RunStatus,
    Score,
    ScoreDistribution,
)
from portal import forked, runs
from portal.periods import add_months
from residents.models import Person

log = logging.getLogger(__name__)

CHUNK_SIZE = 50_000
DIGEST_SQL = "md5(facts::text || '|' || reference_date::text)"
STAGE = "points_score_stage"


def valid_until(rule_set: RuleSet, reference_date: dt.date) -> dt.date:
    """A score stays valid for the rule set's months from its reference date, and never past
    the end of the rule set's window."""
    until = add_months(reference_date, rule_set.score_validity_months)
    if rule_set.effective_until is not None:
        until = min(until, rule_set.effective_until)
    return until


def _sheet_digest(sheet_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {DIGEST_SQL} FROM {FactSheet._meta.db_table} WHERE id = %s",  # noqa: S608
            [sheet_id],
        )
        return cursor.fetchone()[0]


ADD_BUCKETS = f"""
    INSERT INTO {ScoreDistribution._meta.db_table} AS bucket (rule_set_id, service, total, count)
    SELECT %(rule_set)s, service, total, count
    FROM unnest(%(services)s::text[], %(totals)s::numeric[], %(counts)s::int[])
         AS moved (service, total, count)
    ON CONFLICT (rule_set_id, service, total)
    DO UPDATE SET count = bucket.count + EXCLUDED.count
"""  # noqa: S608
TAKE_FROM_BUCKETS = f"""
    UPDATE {ScoreDistribution._meta.db_table} AS bucket
    SET count = GREATEST(bucket.count - moved.count, 0)
    FROM unnest(%(services)s::text[], %(totals)s::numeric[], %(counts)s::int[])
         AS moved (service, total, count)
    WHERE bucket.rule_set_id = %(rule_set)s
      AND bucket.service = moved.service AND bucket.total = moved.total
"""  # noqa: S608


def _add_to_distribution(rule_set_id: int, counts: Counter[tuple[str, float]]) -> None:
    """Add persons to the percentile buckets (negative counts take them out)."""
    with connection.cursor() as cursor:
        for statement, moves in (
            (ADD_BUCKETS, sorted((key, n) for key, n in counts.items() if n > 0)),
            (TAKE_FROM_BUCKETS, sorted((key, -n) for key, n in counts.items() if n < 0)),
        ):
            if moves:
                cursor.execute(
                    statement,
                    {
                        "rule_set": rule_set_id,
                        "services": [service for (service, _total), _n in moves],
                        "totals": [Decimal(str(total)) for (_service, total), _n in moves],
                        "counts": [n for _key, n in moves],
                    },
                )


def _move_distribution(rule_set_id: int, old: Score | None, new: Score) -> None:
    """Keep the percentile table in step: one person leaves their old totals, joins the new."""
    counts: Counter[tuple[str, float]] = Counter(
        (service, row[0]) for service, row in new.data["services"].items()
    )
    if old is not None:
        counts.subtract((service, row[0]) for service, row in old.data["services"].items())
    _add_to_distribution(rule_set_id, counts)


def score_sheet(*, sheet: FactSheet, rule_set: RuleSet, run: RecomputeRun | None = None) -> Score:
    """Score one fact sheet under one version into the ledger; returns the current entry.

    Idempotent: if the current entry was computed from the same facts and reference date it
    is returned unchanged. Otherwise the old entry stops being current and a new one is added.
    Concurrency: the current entry is locked, so two rescorings of one person queue.
    """
    rules = spec.compiled(rule_set)
    digest = _sheet_digest(sheet.pk)
    with transaction.atomic():
        current = (
            Score.objects.select_for_update()
            .filter(person_id=sheet.person_id, rule_set=rule_set, is_current=True)
            .first()
        )
        if current is not None and current.facts_digest == digest:
            return current
        facts = engine.decode_facts(sheet.facts, rules.fact_types)
        breakdown, passed = engine.score_compact(rules, facts, on=sheet.reference_date)
        now = timezone.now()
        if current is not None:
            current.is_current = False
            current.superseded_at = now
            current.save(update_fields=["is_current", "superseded_at"])
        entry = Score.objects.create(
            person_id=sheet.person_id,
            rule_set=rule_set,
            application_id=sheet.application_id,
            run=run,
            reference_date=sheet.reference_date,
            valid_until=valid_until(rule_set, sheet.reference_date),
            facts_digest=digest,
            breakdown=engine.encode_compact(breakdown),
            passed=passed,
            applied_at=sheet.applied_at,
            computed_at=now,
        )
        _move_distribution(rule_set.pk, current, entry)
        return entry


def lapse_scores_of(*, permit: Any, actor: Any, on: dt.date) -> list[Score]:
    """The person's current scores lapse when their residence permit is cancelled (上海:
    积分随居住证注销而失效): each gets a new ledger entry, the same breakdown valid only up to
    the day before, with no threshold reached, the day and the reason recorded. Rankings
    and service gates, which read current entries still valid on their day, leave the
    person out from then on. Called inside the cancelling transaction; running it twice for
    one cancellation writes nothing more."""
    lapsed: list[Score] = []
    now = timezone.now()
    reason = f"居住证注销 {permit.number}"
    for current in Score.objects.select_for_update().filter(
        person_id=permit.person_id, is_current=True
    ):
        if current.lapsed_on is not None and current.lapsed_on <= on:
            continue
        current.is_current = False
        current.superseded_at = now
        current.save(update_fields=["is_current", "superseded_at"])
        lapsed.append(
            Score.objects.create(
                person_id=current.person_id,
                rule_set_id=current.rule_set_id,
                application_id=current.application_id,
                reference_date=current.reference_date,
                valid_until=min(current.valid_until, on - dt.timedelta(days=1)),
                facts_digest=current.facts_digest,
                breakdown=current.breakdown,
                passed=[],
                applied_at=current.applied_at,
                computed_at=now,
                lapsed_on=on,
                lapse_reason=reason,
            )
        )
    return lapsed


def write_fact_sheet(
    *,
    person: Person,
    facts: dict[str, Any],
    reference_date: dt.date,
    applied_at: dt.datetime | None,
    application: PointsApplication | None,
) -> FactSheet:
    """Replace the person's fact sheet (the facts of their latest complete application)."""
    sheet, _created = FactSheet.objects.update_or_create(
        person=person,
        defaults={
            "facts": facts,
            "reference_date": reference_date,
            "applied_at": applied_at,
            "application": application,
            "updated_at": timezone.now(),
        },
    )
    return sheet


# --- runs ---------------------------------------------------------------------------------------------


def _claim_run(run_id: int, kind: str) -> RecomputeRun | None:
    """Mark the run running, or None if it is finished (a repeat delivery of the job)."""
    with transaction.atomic():
        run = RecomputeRun.objects.select_for_update().get(pk=run_id, kind=kind)
        if run.status in (RunStatus.DONE, RunStatus.FAILED):
            return None
        if run.status == RunStatus.PENDING:
            run.status = RunStatus.RUNNING
            run.started_at = timezone.now()
            run.total = FactSheet.objects.count()
            run.save(update_fields=["status", "started_at", "total"])
        return run


def _fail(run_id: int, exc: BaseException) -> None:
    RecomputeRun.objects.filter(pk=run_id).update(
        status=RunStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
    )


@dataclass
class _Chunk:
    """One chunk of fact sheets as read (COPY text), and what scoring made of it."""

    data: bytes
    last_person_id: int
    size: int = 0
    copy_text: str = ""
    counts: dict[str, dict[str, int]] = field(default_factory=dict)


# The columns every run reads from a fact sheet, in COPY's text format (tab-separated, \N for
# null, a backslash doubled). The facts are JSON, which never holds a raw tab or newline.
READ_CHUNK = f"""
    COPY (
        SELECT person_id, reference_date, applied_at, application_id, {DIGEST_SQL}, facts::text
        FROM {FactSheet._meta.db_table}
        WHERE person_id > {{after:d}}
        ORDER BY person_id
        LIMIT {{size:d}}
    ) TO STDOUT
"""  # noqa: S608


def _read_chunk(after: int, size: int) -> _Chunk:
    """The next fact sheets after person `after`, as raw COPY text (parsed by the scoring thread)."""
    with (
        connection.cursor() as cursor,
        cursor.copy(READ_CHUNK.format(after=after, size=size)) as copy,
    ):
        data = b"".join(bytes(block) for block in copy)
    if not data:
        return _Chunk(data=b"", last_person_id=after)
    last_line = data[data.rstrip(b"\n").rfind(b"\n") + 1 :]
    return _Chunk(data=data, last_person_id=int(last_line.split(b"\t", 1)[0]))


def _sheets(chunk: _Chunk) -> Iterator[list[str]]:
    """The chunk's rows: person id, reference date, application time, application id (both
    passed through as COPY text, null as backslash-N), digest, facts JSON."""
    for line in chunk.data.decode().split("\n"):
        if not line:
            continue
        row = line.split("\t")
        if "\\" in row[5]:
            row[5] = row[5].replace("\\\\", "\\")
        yield row


@contextlib.contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while chunks are scored.

    Scoring allocates millions of small lists and tuples that never form cycles; with tens of
    thousands of rows alive, every full collection walks them all and costs more than the
    scoring itself. Reference counting still frees everything.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_SCORERS: dict[int, Callable[[_Chunk], _Chunk]] = {}


def _score_in_worker(token: int, chunk: _Chunk) -> _Chunk:
    """In a scoring process: score the chunk with the function the job registered before the
    pool forked, and send back only what the writer needs (not the rows read)."""
    scored = _SCORERS[token](chunk)
    scored.data = b""
    return scored


def scoring_workers() -> int:
    """How many processes score chunks side by side: the setting, or one per core (with one,
    a helper thread scores)."""
    return forked.worker_count(settings.POINTS_RECOMPUTE_WORKERS)


@contextlib.contextmanager
def _scoring(
    score_chunk: Callable[[_Chunk], _Chunk], workers: int
) -> Iterator[Callable[[_Chunk], concurrent.futures.Future]]:
    """Submit chunks for scoring: to a pool of forked processes (portal.forked; each inherits
    the compiled rules and the scoring function; chunks go as raw COPY text, results come back
    as the lines to write), or, with one worker, to one helper thread."""
    if workers <= 1:
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as thread:
            yield lambda chunk: thread.submit(score_chunk, chunk)
        return
    token = id(score_chunk)
    _SCORERS[token] = score_chunk
    try:
        with forked.pool(workers) as pool:
            yield lambda chunk: pool.submit(_score_in_worker, token, chunk)
    finally:
        _SCORERS.pop(token, None)


def _walk(
    run: RecomputeRun,
    *,
    score_chunk: Callable[[_Chunk], _Chunk],
    write_chunk: Callable[[_Chunk], None],
    chunk_size: int,
) -> None:
    """Read, score and write every chunk after the run's progress mark, in person-id order.

    The database work (reading a chunk, writing one) stays on this thread; all Python work on
    rows (parsing, scoring, formatting the lines to write) runs in the scoring workers, one
    chunk each, so scoring uses every core while this thread writes the chunks in order.
    """
    workers = scoring_workers()
    with _without_cyclic_gc(), _scoring(score_chunk, workers) as submit:
        pending: collections.deque[concurrent.futures.Future] = collections.deque()
        after, exhausted = run.last_person_id, False
        while True:
            while not exhausted and len(pending) <= workers:
                chunk = _read_chunk(after, chunk_size)
                if not chunk.data:
                    exhausted = True
                    break
                after = chunk.last_person_id
                pending.append(submit(chunk))
            if not pending:
                return
            write_chunk(pending.popleft().result())


CREATE_STAGE = f"""
    CREATE TEMPORARY TABLE IF NOT EXISTS {STAGE} (
        person_id bigint NOT NULL,
        reference_date date NOT NULL,
        applied_at timestamptz,
        application_id bigint,
        digest text NOT NULL,
        valid_until date NOT NULL,
        breakdown text NOT NULL,
        passed text NOT NULL,
        services text[] NOT NULL,
        totals numeric[] NOT NULL
    )
"""
STAGE_COLUMNS = (
    "person_id, reference_date, applied_at, application_id, digest, valid_until, breakdown, "
    "passed, services, totals"
)
# One statement per chunk: the entries not yet current, then the percentile buckets of
# exactly the entries inserted (a rerun inserts nothing and counts nothing).
MOVE_STAGE = f"""
    WITH inserted AS (
        INSERT INTO {Score._meta.db_table} (
            person_id, rule_set_id, run_id, application_id, reference_date, valid_until,
            facts_digest, breakdown, passed, applied_at, computed_at, is_current
        )
        SELECT person_id, %(rule_set)s, %(run)s, application_id, reference_date, valid_until,
               digest, breakdown, passed::varchar(10)[], applied_at, %(now)s, true
        FROM {STAGE}
        ORDER BY person_id
        ON CONFLICT (person_id, rule_set_id) WHERE is_current DO NOTHING
        RETURNING person_id
    ), counted AS (
        INSERT INTO {ScoreDistribution._meta.db_table} AS bucket (rule_set_id, service, total, count)
        SELECT %(rule_set)s, item.service, item.total, count(*)
        FROM inserted
        JOIN {STAGE} stage USING (person_id)
        CROSS JOIN LATERAL unnest(stage.services, stage.totals) AS item (service, total)
        GROUP BY item.service, item.total
        ON CONFLICT (rule_set_id, service, total)
        DO UPDATE SET count = bucket.count + EXCLUDED.count
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM inserted)
"""  # noqa: S608


def _chunk_size(run: RecomputeRun) -> int:
    """The setting, or smaller when the run is small, so that every scoring worker has chunks."""
    share = -(-run.total // (2 * scoring_workers()))
    return min(settings.POINTS_RECOMPUTE_CHUNK_SIZE, max(1_000, share))


def run_recompute(*, run_id: int, chunk_size: int | None = None) -> RecomputeRun:
    """Score every fact sheet under the run's rule set into the ledger (see the module doc).

    The run beats while it works (portal.runs); a run another live worker beats for is left to
    it, and one whose worker died is handed back by beat and resumes after its last chunk.
    """
    run = _claim_run(run_id, RunKind.RECOMPUTE)
    if run is None or not runs.claim(RecomputeRun, run_id):
        return RecomputeRun.objects.get(pk=run_id)
    chunk_size = chunk_size or _chunk_size(run)
    try:
        with runs.heartbeat(RecomputeRun, run_id):
            _recompute(run, chunk_size=chunk_size)
    except BaseException as exc:
        _fail(run_id, exc)
        raise
    return RecomputeRun.objects.get(pk=run_id)


def _recompute(run: RecomputeRun, *, chunk_size: int) -> None:
    rule_set = run.rule_set
    rules = spec.compiled(rule_set)
    types = rules.fact_types
    validity = rule_set.score_validity_months
    until_cap = rule_set.effective_until
    decode, loads, encode = engine.decode_facts, json.loads, engine.encode_compact
    score_compact = engine.score_compact
    fromisoformat = dt.date.fromisoformat
    until_by_day: dict[str, str] = {}

    def score_chunk(chunk: _Chunk) -> _Chunk:
        lines = []
        for person_id, reference, applied_at, application_id, digest, facts_text in _sheets(chunk):
            on = fromisoformat(reference)
            breakdown, passed = score_compact(rules, decode(loads(facts_text), types), on=on)
            until = until_by_day.get(reference)
            if until is None:
                end = add_months(on, validity)
                if until_cap is not None and end > until_cap:
                    end = until_cap
                until = until_by_day[reference] = end.isoformat()
            text = encode(breakdown)
            if "\\" in text:
                text = text.replace("\\", "\\\\")
            services = breakdown["services"]
            lines.append(
                f"{person_id}\t{reference}\t{applied_at}\t{application_id}\t{digest}\t"
                f"{until}\t{text}\t{{{','.join(passed)}}}\t{{{','.join(services)}}}\t"
                f"{{{','.join([str(row[0]) for row in services.values()])}}}\n"
            )
        chunk.size = len(lines)
        chunk.copy_text = "".join(lines)
        return chunk

    params = {"rule_set": rule_set.pk, "run": run.pk}

    def write_chunk(chunk: _Chunk) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            # A lost chunk is written again by the resumed run, so a flush can wait.
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute(f"TRUNCATE {STAGE}")
            with cursor.copy(f"COPY {STAGE} ({STAGE_COLUMNS}) FROM STDIN") as copy:
                copy.write(chunk.copy_text)
            cursor.execute(MOVE_STAGE, {**params, "now": timezone.now()})
            written = cursor.fetchone()[0]
            RecomputeRun.objects.filter(pk=run.pk).update(
                done=F("done") + chunk.size,
                written=F("written") + written,
                last_person_id=chunk.last_person_id,
            )
        log.info("points.recompute %s: %s more scored", run.pk, chunk.size)
        runs.pause()

    with connection.cursor() as cursor:
        cursor.execute(CREATE_STAGE)
        _walk(run, score_chunk=score_chunk, write_chunk=write_chunk, chunk_size=chunk_size)
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
    RecomputeRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE, finished_at=timezone.now())


def run_preview(*, run_id: int, chunk_size: int = CHUNK_SIZE) -> RecomputeRun:
    """Count, per service, how many fact sheets reach the threshold under the run's draft and
    under the version in force, and how many would cross it either way. Writes no scores."""
    run = _claim_run(run_id, RunKind.PREVIEW)
    if run is None or not runs.claim(RecomputeRun, run_id):
        return RecomputeRun.objects.get(pk=run_id)
    try:
        with runs.heartbeat(RecomputeRun, run_id):
            _preview(run, chunk_size=chunk_size)
    except BaseException as exc:
        _fail(run_id, exc)
        raise
    return RecomputeRun.objects.get(pk=run_id)


def _preview(run: RecomputeRun, *, chunk_size: int) -> None:
    from points import selectors

    draft = spec.compiled(run.rule_set)
    in_force = selectors.rule_set_in_force()
    current = spec.compiled(in_force) if in_force is not None else None
    types = draft.fact_types
    services = sorted(
        {s.service for s in draft.services}
        | ({s.service for s in current.services} if current else set())
    )

    def passed_under(rules: engine.CompiledRules | None, facts: dict, on: dt.date) -> set:
        if rules is None:
            return set()
        return set(engine.score_compact(rules, facts, on=on)[1])

    def score_chunk(chunk: _Chunk) -> _Chunk:
        counts = {s: {"before": 0, "after": 0, "gained": 0, "lost": 0} for s in services}
        for _person, reference, _applied, _application, _digest, facts_text in _sheets(chunk):
            on = dt.date.fromisoformat(reference)
            facts = engine.decode_facts(json.loads(facts_text), types)
            after = passed_under(draft, facts, on)
            before = passed_under(current, facts, on)
            for service in services:
                now_in, then_in = service in before, service in after
                counts[service]["before"] += now_in
                counts[service]["after"] += then_in
                counts[service]["gained"] += then_in and not now_in
                counts[service]["lost"] += now_in and not then_in
            chunk.size += 1
        chunk.counts = counts
        return chunk

    def write_chunk(chunk: _Chunk) -> None:
        with transaction.atomic():
            locked = RecomputeRun.objects.select_for_update().get(pk=run.pk)
            result = dict(locked.result)
            result.setdefault("compared_with", in_force.pk if in_force else None)
            totals = result.setdefault("services", {})
            for service, counts in chunk.counts.items():
                into = totals.setdefault(service, dict.fromkeys(counts, 0))
                for key, value in counts.items():
                    into[key] += value
            locked.result = result
            locked.done += chunk.size
            locked.last_person_id = chunk.last_person_id
            locked.save(update_fields=["result", "done", "last_person_id"])

    _walk(run, score_chunk=score_chunk, write_chunk=write_chunk, chunk_size=chunk_size)
    RecomputeRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE, finished_at=timezone.now())
