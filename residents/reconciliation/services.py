"""Receiving department feeds and reconciling them with the registry.

A feed arrives by upload in the admin, through the API, from the watched folder or from the
`reconcile` command; `receive_feed` keeps the file and records it once per content.
`start_run` gives the feed its run (queued for a worker after commit); `execute_run` does
the work in three committed steps, each a checkpoint the run resumes after:

1. load: the file is streamed into a staging table with COPY (a block at a time, each
   committed with the progress), then every row is checked in one statement and the rejects
   are kept for the report (checkpoint `loaded`);
2. match: the valid rows are matched to the registry in one statement (`matched`);
3. write: the discrepancies are found, the verification tasks raised, the months a
   social-insurance feed states kept per person (InsuranceMonth) and the report
   completed, all in one transaction (`written`): a run stopped in the middle leaves
   nothing of it behind, and resumes from `matched`.

Concurrency: a worker runs a feed's run only while it holds a PostgreSQL advisory lock on
the feed (session level, so it is released when the worker's connection dies), and at most
one run of a feed is active (a partial unique constraint). A run found `running` whose lock
is free was left by a worker that died: the next execute_run resumes it. While it works the
run beats (portal.runs); beat hands a run without a live heartbeat back to a worker.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import hashlib
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal import runs
from portal.accounts.models import User
from portal.areas.models import Area, Level
from portal.errors import InvalidInput, NotAllowed, TransitionNotAllowed
from residents.models import (
    ACTIVE_RUN_STATUSES,
    FeedChannel,
    FeedEncoding,
    FeedFormat,
    FeedKindCode,
    FeedUpload,
    ReconciliationRun,
    RunStatus,
    RunStep,
)
from residents.reconciliation import dispositions, feeds, loader, matching, selectors

logger = logging.getLogger(__name__)

LOCK_CLASS = 0x5245  # the advisory-lock namespace of reconciliation runs ("RE")
PIECE = 1 << 20
# Shares of the progress bar: loading the file, checking, matching, writing.
LOADED_AT, CHECKED_AT, MATCHED_AT = 70, 80, 90
SKIPPED_SUFFIXES = (".part", ".tmp", ".partial")

Progress = Callable[[ReconciliationRun], None]


class RunInProgress(TransitionNotAllowed):
    default_code = "run_in_progress"
    default_message = _("This feed is being reconciled by another worker right now.")


def feed_root() -> Path:
    return Path(settings.UPLOAD_ROOT) / "feeds"


def feed_path(feed: FeedUpload) -> Path:
    return Path(settings.UPLOAD_ROOT) / feed.path


# --- receiving ----------------------------------------------------------------------------


def receive_feed(
    *,
    kind: str,
    source: IO[bytes],
    original_name: str,
    channel: str,
    actor: User | None = None,
    encoding: str = "",
    fmt: str = "",
) -> tuple[FeedUpload, bool]:
    """Keep a department's file and record it; return the feed and whether it is new.

    The file is copied in pieces (never held whole) while its SHA-256 is computed. The same
    content of the same kind is recorded once: sending it again returns the first feed.
    The encoding (UTF-8 or GB18030) is read from the start of the file unless given; the
    format (CSV or JSON lines) from the file name unless given. A file whose header lacks a
    required column is refused here (FeedUnreadable). Sent through the API or the admin, the
    sender must be allowed to send the kind (selectors.may_send_feed).
    """
    feeds.kind_of(kind)
    if channel in (FeedChannel.API, FeedChannel.ADMIN) and not selectors.may_send_feed(actor, kind):
        raise NotAllowed(_("This account may not send feeds of this kind."))
    errors: dict[str, list[str]] = {}
    if channel not in FeedChannel.values:
        errors["channel"] = [_("Unknown channel.")]
    if encoding and encoding not in FeedEncoding.values:
        errors["encoding"] = [_("The encoding must be UTF-8 or GB18030.")]
    if fmt and fmt not in FeedFormat.values:
        errors["format"] = [_("The format must be CSV or JSON lines.")]
    if errors:
        raise InvalidInput(fields=errors)
    name = Path(original_name or "feed").name[:255]
    fmt = fmt or feeds.detect_format(name)
    root = feed_root() / kind
    root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    head = b""
    with tempfile.NamedTemporaryFile(dir=root, prefix=".incoming-", delete=False) as out:
        try:
            while piece := source.read(PIECE):
                if len(head) < feeds.SNIFF_BYTES:
                    head += piece[: feeds.SNIFF_BYTES - len(head)]
                digest.update(piece)
                out.write(piece)
                size += len(piece)
        except BaseException:
            out.close()
            os.unlink(out.name)
            raise
    if size == 0:
        os.unlink(out.name)
        message = _("The file is empty.")
        raise InvalidInput(message, fields={"file": [message]})
    encoding = encoding or feeds.detect_encoding(head)
    try:
        _check_header(Path(out.name), kind=kind, fmt=fmt, encoding=encoding)
    except feeds.FeedUnreadable:
        os.unlink(out.name)
        raise
    sha256 = digest.hexdigest()
    existing = FeedUpload.objects.filter(kind=kind, sha256=sha256).first()
    if existing is not None:
        os.unlink(out.name)
        return existing, False
    suffix = ".jsonl" if fmt == FeedFormat.JSONL else ".csv"
    final = root / f"{sha256}{suffix}"
    os.replace(out.name, final)
    try:
        with transaction.atomic():
            feed = FeedUpload.objects.create(
                kind=kind,
                format=fmt,
                encoding=encoding,
                channel=channel,
                original_name=name,
                path=str(final.relative_to(Path(settings.UPLOAD_ROOT))),
                size=size,
                sha256=sha256,
                received_by=actor if actor is not None and actor.is_authenticated else None,
                received_at=timezone.now(),
            )
    except IntegrityError:
        existing = FeedUpload.objects.filter(kind=kind, sha256=sha256).first()
        if existing is None:
            raise
        return existing, False
    return feed, True


def _check_header(path: Path, *, kind: str, fmt: str, encoding: str) -> None:
    """Refuse at once a file whose header lacks a required column (the rows are left for the run)."""
    with open(path, "rb") as binary, feeds.open_text(binary, encoding) as text:
        feeds.read(text, kind=feeds.kind_of(kind), fmt=fmt)


def start_run(
    *,
    feed_id: int,
    actor: User | None = None,
    rerun: bool = False,
    enqueue: bool = True,
    run_on: dt.date | None = None,
) -> ReconciliationRun:
    """The feed's run: the active one if any; else, unless `rerun`, the last one that ended.

    A new run is queued and, with `enqueue`, handed to a worker after commit. Rerunning a feed
    recomputes its discrepancies against today's registry; with the registry unchanged it
    finds the same ones and raises no new task. `run_on` is the day the registry is checked
    for (today unless given: a replay of an earlier night). Concurrency: the feed row is locked, and the
    partial unique constraint allows one active run per feed.
    """
    with transaction.atomic():
        feed = FeedUpload.objects.select_for_update().get(pk=feed_id)
        runs = ReconciliationRun.objects.filter(feed=feed)
        active = runs.filter(status__in=ACTIVE_RUN_STATUSES).first()
        if active is not None:
            return active
        if not rerun:
            ended = runs.order_by("-created_at", "-id").first()
            if ended is not None:
                return ended
        now = timezone.now()
        run = ReconciliationRun.objects.create(
            feed=feed,
            run_on=run_on or timezone.localdate(now),
            requested_by=actor if actor is not None and actor.is_authenticated else None,
            created_at=now,
        )
        if enqueue:
            from residents import tasks

            transaction.on_commit(lambda: tasks.reconcile_feed.delay(run.pk))
    return run


# --- running ------------------------------------------------------------------------------


@contextlib.contextmanager
def _feed_lock(feed_id: int) -> Iterator[bool]:
    """Hold the feed's advisory lock (session level) for the block, if no one else holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, feed_id])
        (held,) = cursor.fetchone()
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, feed_id])


def execute_run(*, run_id: int, progress: Progress | None = None) -> ReconciliationRun:
    """Run (or resume) a reconciliation to the end; return the run with its report.

    Refuses with RunInProgress while another worker runs the same feed. A finished or failed
    run is returned as it is. On an error the run is marked interrupted with the error (the
    exception is raised again) and resumes after its last checkpoint when run again; a file
    that cannot be reconciled at all (no header, a required column missing) fails the run.
    """
    run = ReconciliationRun.objects.select_related("feed").get(pk=run_id)
    if run.status not in ACTIVE_RUN_STATUSES:
        return run
    with _feed_lock(run.feed_id) as held:
        if not held:
            raise RunInProgress()
        run.refresh_from_db()
        if run.status not in ACTIVE_RUN_STATUSES:
            return run
        started = time.perf_counter()
        run.status = RunStatus.RUNNING
        run.attempts += 1
        run.error = ""
        run.started_at = run.started_at or timezone.now()
        run.save(update_fields=["status", "attempts", "error", "started_at"])
        _report(run, progress)
        try:
            with runs.heartbeat(ReconciliationRun, run.pk):
                _execute(run, progress=progress, started=started)
        except feeds.FeedUnreadable as exc:
            _drop_staging(run.pk)
            _stop(run, status=RunStatus.FAILED, error=str(exc.message), started=started)
            _report(run, progress)
        except Exception as exc:
            _stop(
                run,
                status=RunStatus.INTERRUPTED,
                error=f"{type(exc).__name__}: {exc}"[:2000],
                started=started,
            )
            _report(run, progress)
            raise
    return run


def _report(run: ReconciliationRun, progress: Progress | None) -> None:
    if progress is not None:
        progress(run)


def _set_progress(run: ReconciliationRun, percent: int, progress: Progress | None) -> None:
    percent = max(0, min(100, int(percent)))
    if percent != run.progress:
        run.progress = percent
        ReconciliationRun.objects.filter(pk=run.pk).update(progress=percent)
        _report(run, progress)


def _stop(run: ReconciliationRun, *, status: str, error: str, started: float) -> None:
    run.status = status
    run.error = error or status
    run.seconds += time.perf_counter() - started
    run.save(update_fields=["status", "error", "seconds"])


def _execute(run: ReconciliationRun, *, progress: Progress | None, started: float) -> None:
    kind = feeds.kind_of(run.feed.kind)
    if run.step != RunStep.NEW and not _staged(run):
        run.step = RunStep.NEW
        run.save(update_fields=["step"])
    if run.step == RunStep.NEW:
        _load(run, kind, progress)
        runs.pause()
    if run.step == RunStep.LOADED:
        _match(run, progress)
        runs.pause()
    if run.step == RunStep.MATCHED:
        _write(run, kind, started=started)
        _report(run, progress)


def _staged(run: ReconciliationRun) -> bool:
    """Whether the staging table of the run's checkpoint is there and whole.

    Staging tables are unlogged: a database crash empties them, and the run starts over.
    """
    if run.step not in (RunStep.LOADED, RunStep.MATCHED):
        return True
    table, rows = loader.rows_table(run.pk), run.rows_read
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
        (exists,) = cursor.fetchone()
        if not exists:
            return False
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - our own table names
        (count,) = cursor.fetchone()
    return count == rows


def _drop_staging(run_id: int) -> None:
    with connection.cursor() as cursor:
        for table in (loader.raw_table(run_id), loader.rows_table(run_id)):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def city_prefixes() -> list[str]:
    """The significant start of the city's division code: 3303 for 330300000000, 331083 for a
    county-level city. A place of insurance starting with it is in the city."""
    prefixes = []
    for code in Area.objects.filter(level=Level.CITY).values_list("code", flat=True):
        prefix = code[:6]
        while len(prefix) > 2 and prefix.endswith("00"):
            prefix = prefix[:-2]
        prefixes.append(prefix)
    return prefixes


def _load(run: ReconciliationRun, kind: feeds.FeedKind, progress: Progress | None) -> None:
    feed = run.feed
    path = feed_path(feed)
    size = max(feed.size, 1)
    with (
        open(path, "rb") as binary,
        feeds.open_text(binary, feed.encoding) as text,
        connection.cursor() as cursor,
    ):
        reading = feeds.read(text, kind=kind, fmt=feed.format)
        with transaction.atomic():
            loader.create_raw(cursor, run.pk, reading.layout)
        # One helper thread reads the next block while PostgreSQL takes in the current one;
        # only that thread touches the file.
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as reader:
            upcoming = reader.submit(_next_block, reading, binary)
            while (read := upcoming.result())[0] is not None:
                block, position = read
                upcoming = reader.submit(_next_block, reading, binary)
                with transaction.atomic():
                    loader.copy_block(cursor, run.pk, block)
                _set_progress(run, LOADED_AT * position / size, progress)
        with transaction.atomic():
            read, rejected = loader.check(
                cursor,
                run_id=run.pk,
                kind=kind,
                layout=reading.layout,
                run_day=run.run_on,
                city_prefixes=city_prefixes(),
            )
            run.rows_read, run.rows_rejected = read, rejected
            run.step = RunStep.LOADED
            run.progress = CHECKED_AT
            run.save(update_fields=["rows_read", "rows_rejected", "step", "progress"])
    _report(run, progress)


def _next_block(reading: feeds.Reading, binary: IO[bytes]) -> tuple[str | None, int]:
    """The next block of the feed as CSV text (None at the end), and how far into the file."""
    return next(reading.blocks, None), binary.tell()


def _match(run: ReconciliationRun, progress: Progress | None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        matched, by_name = matching.match(cursor, run_id=run.pk)
        run.rows_matched, run.rows_matched_by_name = matched, by_name
        run.step = RunStep.MATCHED
        run.progress = MATCHED_AT
        run.save(update_fields=["rows_matched", "rows_matched_by_name", "step", "progress"])
    _report(run, progress)


def _write(run: ReconciliationRun, kind: feeds.FeedKind, *, started: float) -> None:
    """The write phase: discrepancies, tasks and the finished report, in one transaction."""
    earlier = run.seconds
    now = timezone.now()
    # Officers read the tasks in the portal's language, whoever started the run.
    with translation.override(settings.LANGUAGE_CODE):
        notes = matching.task_notes(feed_label=str(kind.label), day=run.run_on)
    with transaction.atomic(), connection.cursor() as cursor:
        matching.find(cursor, run_id=run.pk, kind=kind, run_day=run.run_on)
        if kind.code == FeedKindCode.SOCIAL_INSURANCE:
            matching.record_insurance_months(cursor, run_id=run.pk)
        counts = dispositions.suppress(cursor, run_id=run.pk, feed_kind=kind.code)
        raised = matching.write(
            cursor,
            run_id=run.pk,
            run_day=run.run_on,
            notes=notes,
            now=now,
            found=sum(counts.values()),
        )
        dispositions.stamp_evidence(cursor, run_id=run.pk)
        run.discrepancies_by_kind = counts
        run.tasks_raised = raised
        run.status = RunStatus.FINISHED
        run.step = RunStep.WRITTEN
        run.progress = 100
        run.finished_at = timezone.now()
        run.seconds = earlier + time.perf_counter() - started
        run.save(
            update_fields=[
                "discrepancies_by_kind",
                "tasks_raised",
                "status",
                "step",
                "progress",
                "finished_at",
                "seconds",
            ]
        )
    # The commit is part of the time taken.
    run.seconds = earlier + time.perf_counter() - started
    ReconciliationRun.objects.filter(pk=run.pk).update(seconds=run.seconds)


def resume_run(*, run_id: int) -> ReconciliationRun:
    """Hand an interrupted (or abandoned) run back to a worker, after commit.

    Refuses a run that has ended. A run a worker still holds is left to it: the task
    returns at once.
    """
    run = ReconciliationRun.objects.get(pk=run_id)
    if run.status not in ACTIVE_RUN_STATUSES:
        raise TransitionNotAllowed(_("This run has ended; reconcile the feed again instead."))
    from residents import tasks

    transaction.on_commit(lambda: tasks.reconcile_feed.delay(run.pk))
    return run


def resume_stalled_runs() -> list[int]:
    """Hand every run that should be running but is not back to a worker; return their ids.

    Queued, interrupted, and running runs whose feed no worker holds (the advisory lock is
    free: the worker died). Runs a worker holds are left alone. For the periodic task.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND classid = %s",
            [LOCK_CLASS],
        )
        held = {feed_id for (feed_id,) in cursor.fetchall()}
    stalled = list(
        ReconciliationRun.objects.filter(status__in=ACTIVE_RUN_STATUSES)
        .exclude(feed_id__in=held)
        .values_list("pk", flat=True)
    )
    for run_id in stalled:
        resume_run(run_id=run_id)
    return stalled


# --- operators' entry points ---------------------------------------------------------------


def reconcile_file(
    *,
    path: Path,
    kind: str,
    actor: User | None = None,
    encoding: str = "",
    fmt: str = "",
    rerun: bool = False,
    progress: Progress | None = None,
) -> ReconciliationRun:
    """Receive a file from the local disk and reconcile it now, in this process."""
    with open(path, "rb") as source:
        feed, _created = receive_feed(
            kind=kind,
            source=source,
            original_name=path.name,
            channel=FeedChannel.COMMAND,
            actor=actor,
            encoding=encoding,
            fmt=fmt,
        )
    run = start_run(feed_id=feed.pk, actor=actor, rerun=rerun, enqueue=False)
    return execute_run(run_id=run.pk, progress=progress)


def collect_feeds(*, inbox: Path, enqueue: bool = True) -> list[ReconciliationRun]:
    """Pick up the files waiting in the watched folder and give each its run.

    The folder has one subfolder per kind of feed (`<inbox>/social_insurance/`, ...). A file
    is taken once it is complete: senders write under a name starting with a dot or ending
    in .part or .tmp and rename it when done. A file taken is moved into `processed/` beside
    it, so it is never read twice (one that cannot be reconciled into `refused/`); the same
    content sent again is still reconciled once.
    """
    runs: list[ReconciliationRun] = []
    for kind in FeedKindCode.values:
        folder = Path(inbox) / kind
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if (
                not path.is_file()
                or path.name.startswith(".")
                or path.name.endswith(SKIPPED_SUFFIXES)
            ):
                continue
            try:
                with open(path, "rb") as source:
                    feed, _created = receive_feed(
                        kind=kind,
                        source=source,
                        original_name=path.name,
                        channel=FeedChannel.FOLDER,
                    )
            except InvalidInput as exc:
                logger.warning("Feed %s refused: %s", path, exc.message)
                _move_aside(path, "refused")
                continue
            runs.append(start_run(feed_id=feed.pk, enqueue=enqueue))
            _move_aside(path, "processed")
    return runs


def _move_aside(path: Path, folder: str) -> None:
    done = path.parent / folder
    done.mkdir(exist_ok=True)
    target = done / path.name
    n = 1
    while target.exists():
        target = done / f"{path.stem}.{n}{path.suffix}"
        n += 1
    shutil.move(str(path), target)
