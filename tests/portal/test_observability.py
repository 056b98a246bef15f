"""Metrics at /metrics for the internal network and staff; request ids in logs and in tasks."""

from __future__ import annotations

import logging

import pytest
import structlog
from celery.signals import task_postrun
from django.test import Client

from portal import observability
from portal.celery import app, heartbeat
from tests import factories


def test_the_internal_network_reads_requests_queue_depths_and_job_runs(client, db):
    client.get("/healthz")

    response = client.get("/metrics")

    body = response.content.decode()
    assert response.status_code == 200
    assert "django_http_requests_total_by_method_total" in body
    assert 'portal_queue_depth{queue="interactive"}' in body
    assert 'portal_queue_depth{queue="batch"}' in body
    assert "portal_job_runs" in body


def test_outsiders_get_a_404_and_staff_get_the_metrics(db):
    outside = Client(REMOTE_ADDR="203.0.113.5")
    assert outside.get("/metrics").status_code == 404

    outside.force_login(factories.UserFactory(is_staff=True))
    assert outside.get("/metrics").status_code == 200


def test_a_finished_task_is_counted_by_task_and_state():
    observability.JobMetricsStep(None)
    labels = {"task": "portal.heartbeat", "state": "SUCCESS"}
    before = observability.REGISTRY.get_sample_value("portal_job_runs_total", labels) or 0

    task_postrun.send(sender=heartbeat, task_id="t-1", task=heartbeat, state="SUCCESS")

    assert observability.REGISTRY.get_sample_value("portal_job_runs_total", labels) == before + 1


def test_a_queue_the_broker_does_not_answer_for_shows_no_figure(settings, monkeypatch):
    monkeypatch.setattr(app, "connection_for_read", lambda: (_ for _ in ()).throw(OSError))
    [gauge] = observability.QueueDepthCollector().collect()
    assert gauge.samples == []


def test_every_request_is_logged_with_a_request_id(client, db, caplog):
    with caplog.at_level(logging.INFO):
        client.get("/healthz")
    events = [r.msg for r in caplog.records if isinstance(r.msg, dict)]
    assert any(e.get("event") == "request_started" and e.get("request_id") for e in events)


def test_a_task_queued_in_a_request_carries_its_request_id():
    # the worker binds it again (django-structlog's boot step)
    from django_structlog.celery.steps import DjangoStructLogInitStep

    assert DjangoStructLogInitStep in app.steps["worker"]
    with (
        app.connection("memory://") as conn,
        structlog.contextvars.bound_contextvars(request_id="req-42"),
    ):
        app.send_task("portal.heartbeat", queue="probe-requests", connection=conn)
        message = conn.SimpleQueue("probe-requests").get(timeout=5)
    assert message.headers["__django_structlog__"]["request_id"] == "req-42"


@pytest.mark.parametrize("network", ["127.0.0.1", "10.2.3.4"])
def test_the_default_internal_networks(network, db):
    assert Client(REMOTE_ADDR=network).get("/metrics").status_code == 200


def test_with_several_processes_the_shared_figures_are_served(client, db, monkeypatch, tmp_path):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))

    response = client.get("/metrics")

    assert response.status_code == 200
    assert 'portal_queue_depth{queue="batch"}' in response.content.decode()
