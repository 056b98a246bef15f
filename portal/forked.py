"""Process pools for the CPU-bound part of heavy jobs: forked workers that follow their job.

A heavy job (a points recompute, the synthetic-population loader) keeps its database work on
its own thread and hands the pure Python work on rows to a pool of forked processes, one chunk
each, so every core works. The workers are forked, so they inherit what the job prepared (the
compiled rules, the scoring function) and need no setup; they never touch the database. Each
worker takes the default signal handlers back (the job's own, a Celery worker's say, are not
for it) and ends as soon as the job's process is gone, however it went: a killed worker leaves
no scoring processes behind holding its database socket.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator


def worker_count(setting: int = 0) -> int:
    """The setting, or one worker per core; 1 (no pool) in a process that may not have children
    of its own (a daemonic one)."""
    if multiprocessing.current_process().daemon:
        return 1
    return setting or os.cpu_count() or 1


def _follow_the_job(job_pid: int) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == job_pid:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="follow-the-job", daemon=True).start()


@contextlib.contextmanager
def pool(workers: int) -> Iterator[concurrent.futures.ProcessPoolExecutor]:
    """A pool of `workers` forked processes that end with the job (see the module doc); on an
    error in the block, the chunks not yet started are dropped."""
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_follow_the_job,
        initargs=(os.getpid(),),
    ) as executor:
        try:
            yield executor
        except BaseException:
            executor.shutdown(wait=True, cancel_futures=True)
            raise
