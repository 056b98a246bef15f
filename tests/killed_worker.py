"""A real Celery worker in a process of its own, to be killed mid-job with SIGKILL.

The worker runs the portal's tasks against the test database (committed rows: the tests using
it are transactional) and the broker of the test settings. It uses the solo pool, so its main
process is the one running the job: SIGKILL stops the job at once, as a lost machine would.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import redis
from django.conf import settings
from django.db import connection

from portal.celery import app

BASE_DIR = Path(__file__).resolve().parent.parent


def database_url() -> str:
    """The test database as a URL, for a child process's DATABASE_URL (a TCP server, or the
    embedded server's unix socket, which Django keeps in OPTIONS["host"])."""
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    socket_dir = (db.get("OPTIONS") or {}).get("host")
    if not db["HOST"] and socket_dir:
        return f"postgres://{credentials}@/{db['NAME']}?host={quote(socket_dir, safe='')}"
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def child_environment(**env: str) -> dict[str, str]:
    """The environment of a child process that works on the test's database, Redis and broker,
    with the test's keys (demo mode when the tests run on the embedded servers)."""
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "PORTAL_DEMO_MODE": "1" if settings.DEMO_MODE else "0",
        "DJANGO_SETTINGS_MODULE": "portal.settings_test",
        **env,
    }


def forget_queued_messages() -> None:
    """Nothing of an earlier test waits in the broker, delivered or not."""
    app.control.purge()
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        client.delete("unacked", "unacked_index", "unacked_mutex")
    finally:
        client.close()


@contextlib.contextmanager
def celery_worker(log_dir: Path, name: str, **env: str) -> Iterator[subprocess.Popen]:
    """A worker process with the test's RUN_STALE_SECONDS and UPLOAD_ROOT."""
    environment = child_environment(
        RUN_HEARTBEAT_SECONDS="0.5",
        RUN_STALE_SECONDS=str(settings.RUN_STALE_SECONDS),
        PORTAL_UPLOAD_ROOT=str(settings.UPLOAD_ROOT),
        **env,
    )
    log = open(log_dir / f"{name}.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{name}-{uuid.uuid4().hex[:8]}@%h",
        ],
        cwd=BASE_DIR,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        log.close()


def kill(process: subprocess.Popen) -> None:
    """SIGKILL the worker's main process: no clean-up, no acknowledgement, no last heartbeat."""
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def wait_for(condition: Callable[[], object], *, timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
