"""Metrics and structured logs: what the portal tells its operators while it runs.

- Requests, database and cache figures come from django-prometheus (its middleware).
- `portal_queue_depth{queue}`: messages waiting in each Celery queue, asked of the broker
  at every scrape.
- `portal_job_runs_total{task, state}`: Celery tasks finished in the workers, counted by a
  worker boot step. Web and worker processes share their figures through prometheus_client's
  multiprocess mode when PROMETHEUS_MULTIPROC_DIR is set (`make run` sets it).
- `/metrics` answers the internal networks of settings.METRICS_ALLOWED_NETWORKS and staff;
  anyone else gets a 404.

Logs are structlog events (django-structlog): every request gets a request_id, which is
carried in the headers of the tasks it queues and bound again in the worker.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterator

from celery import bootsteps
from celery.signals import task_failure, task_postrun
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

JOB_RUNS = Counter("portal_job_runs", "Celery tasks finished, by task and state", ["task", "state"])


class QueueDepthCollector(Collector):
    """Messages waiting in each queue of settings.CELERY_TASK_QUEUES, read from the broker."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from portal.celery import app

        gauge = GaugeMetricFamily(
            "portal_queue_depth", "Messages waiting in a Celery queue", labels=["queue"]
        )
        try:
            with app.connection_for_read() as conn:
                for queue in app.conf.task_queues:
                    # declared as the workers declare it (a passive declare fails on an
                    # empty Redis queue); the answer holds the count of waiting messages
                    declared = queue.bind(conn.default_channel).queue_declare()
                    gauge.add_metric([queue.name], declared.message_count)
        except Exception:  # noqa: S110 - an unreachable broker shows as no samples
            pass
        yield gauge


QUEUES = CollectorRegistry(auto_describe=False)
QUEUES.register(QueueDepthCollector())


def _count_run(sender: object = None, **kwargs: object) -> None:
    state = kwargs.get("state") or "FAILURE"
    JOB_RUNS.labels(task=getattr(sender, "name", str(sender)), state=str(state)).inc()


class JobMetricsStep(bootsteps.Step):
    """Worker boot step: count every task that finishes (task_postrun) or fails."""

    def __init__(self, parent: object, **kwargs: object) -> None:
        super().__init__(parent, **kwargs)
        task_postrun.connect(_count_run, weak=False)
        task_failure.connect(_count_run, weak=False)


def _allowed(request: HttpRequest) -> bool:
    if request.user.is_authenticated and request.user.is_staff:
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(n) for n in settings.METRICS_ALLOWED_NETWORKS)


def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus text format: the process's (or all processes') figures and the queue depths."""
    if not _allowed(request):
        raise Http404
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    body = generate_latest(registry) + generate_latest(QUEUES)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
