"""Reachability of the parts the portal needs: PostgreSQL, Redis and at least one Celery worker."""

from __future__ import annotations

import redis
from django.conf import settings
from django.db import connection

from portal.celery import app as celery_app


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "down"; the message says why
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True}


def check_redis() -> dict:
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2
        )
        client.ping()
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True}


def check_celery(timeout: float = 2.0) -> dict:
    try:
        replies = celery_app.control.inspect(timeout=timeout).ping() or {}
    except Exception as exc:
        return {"ok": False, "workers": 0, "error": exc.__class__.__name__}
    return {"ok": bool(replies), "workers": len(replies)}


def check_all() -> dict:
    parts = {"database": check_database(), "redis": check_redis(), "celery": check_celery()}
    return {"ok": all(p["ok"] for p in parts.values()), **parts}
