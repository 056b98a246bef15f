"""Reachability of the parts the portal needs: PostgreSQL, Redis and at least one Celery worker.

Each check answers within about a second even when its part is down: connection and socket
timeouts are short, and the Celery check makes one attempt to reach the broker before it
asks the workers (an inspect ping) rather than retrying.
"""

from __future__ import annotations

import redis
from django.conf import settings
from django.db import connection

from portal.celery import app as celery_app

TIMEOUT_SECONDS = 1.0


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "down"; the error class says why
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True}


def check_redis(timeout: float = TIMEOUT_SECONDS) -> dict:
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=timeout, socket_timeout=timeout
        )
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True}


def check_celery(timeout: float = TIMEOUT_SECONDS) -> dict:
    """At least one worker answers a broadcast ping within `timeout` seconds."""
    try:
        with celery_app.connection_for_write(connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0)
            replies = celery_app.control.inspect(timeout=timeout, connection=conn).ping() or {}
    except Exception as exc:
        return {"ok": False, "workers": 0, "error": exc.__class__.__name__}
    if not replies:
        return {"ok": False, "workers": 0, "error": "NoWorkerReplied"}
    return {"ok": True, "workers": len(replies)}


def check_all() -> dict:
    """Every part's report, `ok` when all are up, and `failing`: the names of those that are not."""
    parts = {"database": check_database(), "redis": check_redis(), "celery": check_celery()}
    failing = [name for name, report in parts.items() if not report["ok"]]
    return {"ok": not failing, "failing": failing, **parts}
