"""The Celery app: settings that make tasks safe, and a beat schedule that names real tasks."""

from __future__ import annotations

from portal.celery import app


def test_every_scheduled_job_names_a_registered_task():
    app.loader.import_default_modules()
    registered = set(app.tasks)
    missing = {e["task"] for e in app.conf.beat_schedule.values()} - registered
    assert missing == set()


def test_tasks_are_acknowledged_late_and_requeued_when_a_worker_dies():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
