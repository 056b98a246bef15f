"""/healthz: database, Redis and a Celery worker, each named when it fails."""

from __future__ import annotations

import socket
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache
from django.db import connections
from django.test import override_settings

from portal import health
from portal.celery import app as celery_app


def closed_port_url(scheme: str = "redis") -> str:
    """A loopback address where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"{scheme}://127.0.0.1:{port}/0"


@pytest.fixture(autouse=True)
def _no_kept_worker_answer():
    """The worker check's answer is kept briefly; each test asks afresh."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def worker(django_db_setup, django_db_blocker):
    """A real worker of the portal's Celery app, in a thread, started before the test's transaction.

    Starting a worker runs Celery's Django fixup, which closes every database connection it
    finds open. So the connections are closed first, and the test asks for `db` after this
    fixture: its transaction opens on a fresh connection the worker never touches.
    """
    with django_db_blocker.unblock():
        connections.close_all()
    with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=30) as running:
        yield running


def test_healthz_is_ok_when_everything_answers(worker, db, client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["failing"] == []
    assert body["database"] == {"ok": True}
    assert body["redis"] == {"ok": True}
    assert body["celery"]["ok"] is True
    assert body["celery"]["workers"] >= 1


def test_healthz_names_redis_when_it_is_unreachable(worker, db, client):
    with override_settings(REDIS_URL=closed_port_url()):
        response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False
    assert body["failing"] == ["redis"]
    assert body["redis"]["ok"] is False
    assert body["redis"]["error"] == "ConnectionError"
    assert body["database"]["ok"] is True


def test_healthz_names_celery_when_no_worker_answers(client, db):
    started = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["celery"]
    assert body["celery"] == {"ok": False, "workers": 0, "error": "NoWorkerReplied"}
    assert elapsed < 5


def test_the_celery_check_gives_up_quickly_when_the_broker_is_down(db, monkeypatch):
    monkeypatch.setitem(celery_app.conf, "broker_write_url", closed_port_url())

    started = time.monotonic()
    report = health.check_celery()
    elapsed = time.monotonic() - started

    assert report["ok"] is False
    assert report["error"] == "OperationalError"
    assert elapsed < 3


def test_healthz_is_never_cached(client, db):
    response = client.get("/healthz")

    assert "no-cache" in response.headers["Cache-Control"]
