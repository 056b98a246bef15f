"""Tasks only the queue test's workers load (celery worker --include): one holds, one marks."""

from __future__ import annotations

import time
from pathlib import Path

from celery import shared_task


@shared_task(name="probe.hold")
def hold(started: str, release: str) -> None:
    """Stand for a long batch job: busy until the test lets go (at most a minute)."""
    Path(started).touch()
    deadline = time.monotonic() + 60
    while not Path(release).exists() and time.monotonic() < deadline:
        time.sleep(0.1)


@shared_task(name="probe.mark")
def mark(path: str) -> None:
    Path(path).write_text(str(time.time()))
