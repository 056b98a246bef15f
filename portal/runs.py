"""Heavy-job runs that resume by themselves when the worker running them dies.

One mechanism for every run model (points recompute, reconciliation, policy push, ...):

- While a worker runs a job, `heartbeat(model, pk)` keeps the run row's `heartbeat_at` fresh
  from a small thread of its own (every RUN_HEARTBEAT_SECONDS), however long a single step takes.
  A worker killed outright (SIGKILL, a lost machine) stops beating.
- A job starts or resumes a run only through `claim(model, pk)`: it succeeds when no live
  worker beats for the run (never claimed, or its heartbeat older than RUN_STALE_SECONDS), so a
  repeated or late message never runs a run twice at once.
- Domain apps register each run model in AppConfig.ready() with `register`: which statuses mean
  "should be running", which field says when a never-claimed run was made, and how to hand a
  run back to a worker. Beat runs `portal.resume_stale_runs` every minute: every registered run
  that should be running but has no live heartbeat is handed back; the job resumes it from its
  last checkpoint and, being idempotent, writes nothing twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import close_old_connections, connection
from django.db.models import Model, Q
from django.utils import timezone

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Resumable:
    name: str
    model: type[Model]
    active_statuses: tuple[str, ...]
    since_field: str
    resume: Callable[[int], None]


_registry: dict[str, Resumable] = {}


def register(
    name: str,
    *,
    model: type[Model],
    active_statuses: tuple[str, ...],
    since_field: str,
    resume: Callable[[int], None],
) -> None:
    """Make a run model resumable: `resume(pk)` hands a stale run back to a worker (after commit)."""
    _registry[name] = Resumable(name, model, tuple(active_statuses), since_field, resume)


def registered() -> dict[str, Resumable]:
    return dict(_registry)


def stale_before(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(seconds=settings.RUN_STALE_SECONDS)


def claim(model: type[Model], pk: int) -> bool:
    """Take the run for this worker: True unless a live worker is beating for it."""
    now = timezone.now()
    taken = (
        model.objects.filter(pk=pk)
        .filter(Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=stale_before(now)))
        .update(heartbeat_at=now)
    )
    return bool(taken)


def beat(model: type[Model], pk: int) -> None:
    model.objects.filter(pk=pk).update(heartbeat_at=timezone.now())


@contextlib.contextmanager
def heartbeat(model: type[Model], pk: int) -> Iterator[None]:
    """Keep the run's heartbeat fresh while the block runs (a thread with its own connection),
    and release the run when the block ends, however it ends."""
    stop = threading.Event()
    interval = settings.RUN_HEARTBEAT_SECONDS

    def keep_beating() -> None:
        try:
            while not stop.wait(interval):
                try:
                    beat(model, pk)
                except Exception:  # a missed beat is retried at the next one
                    log.warning("heartbeat of %s %s missed", model.__name__, pk, exc_info=True)
                    close_old_connections()
        finally:
            connection.close()

    beat(model, pk)
    thread = threading.Thread(target=keep_beating, name=f"heartbeat-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=interval + 5)
        release(model, pk)


def release(model: type[Model], pk: int) -> None:
    """This worker no longer holds the run (it ended, or stopped on an error): anyone may claim it."""
    model.objects.filter(pk=pk).update(heartbeat_at=None)


def stale_runs(kind: Resumable, *, now: dt.datetime | None = None) -> list[int]:
    """Runs of a kind that should be running but no live worker beats for."""
    cutoff = stale_before(now)
    never_claimed = Q(heartbeat_at__isnull=True) & Q(**{f"{kind.since_field}__lt": cutoff})
    return list(
        kind.model.objects.filter(status__in=kind.active_statuses)
        .filter(Q(heartbeat_at__lt=cutoff) | never_claimed)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def resume_stale_runs(*, now: dt.datetime | None = None) -> dict[str, list[int]]:
    """Hand every stale run of every registered kind back to a worker; return their ids by kind."""
    resumed: dict[str, list[int]] = {}
    for name, kind in _registry.items():
        ids = stale_runs(kind, now=now)
        for pk in ids:
            log.info("resuming %s run %s: its worker stopped beating", name, pk)
            kind.resume(pk)
        if ids:
            resumed[name] = ids
    return resumed


def pause() -> None:
    """Between chunks and steps of a heavy job: leave the database to interactive work a moment."""
    seconds = settings.HEAVY_JOB_CHUNK_PAUSE_SECONDS
    if seconds > 0:
        time.sleep(seconds)
