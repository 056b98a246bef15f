"""Reachability of the parts the portal needs: PostgreSQL, Redis and at least one Celery worker.

Each check answers within about a second even when its part is down: connection and socket
timeouts are short, and the Celery check makes one attempt to reach the broker before it
asks the workers (an inspect ping) rather than retrying. The worker check's answer is kept for
HEALTH_CELERY_CACHE_SECONDS, so a stream of calls does not broadcast a ping each time.

The public gets only `ok`; the parts and their errors are for staff and for callers from the
networks in HEALTH_DETAIL_NETWORKS (monitoring inside the data centre).
"""

from __future__ import annotations

import contextlib
import ipaddress

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest

from portal.celery import app as celery_app
from portal.client_ip import client_ip

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


CELERY_CACHE_KEY = "health:celery"


def check_celery_briefly_cached() -> dict:
    """check_celery, its answer kept for HEALTH_CELERY_CACHE_SECONDS (asked afresh if Redis is down)."""
    try:
        cached = cache.get(CELERY_CACHE_KEY)
    except Exception:  # the cache is Redis: when it is down, ask the workers directly
        return check_celery()
    if cached is not None:
        return cached
    report = check_celery()
    with contextlib.suppress(Exception):  # Redis went away meanwhile: the redis check says so
        cache.set(CELERY_CACHE_KEY, report, timeout=settings.HEALTH_CELERY_CACHE_SECONDS)
    return report


def may_see_details(request: HttpRequest) -> bool:
    """Staff, and callers from the internal networks, see each part's report."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and (user.is_staff or user.is_superuser):
        return True
    address = client_ip(request)
    if not address:
        return False
    ip = ipaddress.ip_address(address)
    return any(
        ip in ipaddress.ip_network(network, strict=False)
        for network in settings.HEALTH_DETAIL_NETWORKS
    )


def check_all() -> dict:
    """Every part's report, `ok` when all are up, and `failing`: the names of those that are not."""
    parts = {
        "database": check_database(),
        "redis": check_redis(),
        "celery": check_celery_briefly_cached(),
    }
    failing = [name for name, report in parts.items() if not report["ok"]]
    return {"ok": not failing, "failing": failing, **parts}
