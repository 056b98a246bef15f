"""The Celery application. The beat schedule lives here, in code."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic jobs, added by the issues that own them.
app.conf.beat_schedule = {
    "portal.heartbeat": {"task": "portal.heartbeat", "schedule": 60.0},
}


@app.task(name="portal.heartbeat", acks_late=True)
def heartbeat() -> str:
    """A no-op that proves the worker consumes what beat schedules."""
    return "ok"
