"""The Celery application. The beat schedule lives here, in code."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic jobs, added by the issues that own them.
app.conf.beat_schedule = {
    "portal.heartbeat": {"task": "portal.heartbeat", "schedule": 60.0},
    # Heavy-job runs whose worker stopped beating are handed back to a worker (portal.runs).
    "portal.resume_stale_runs": {"task": "portal.resume_stale_runs", "schedule": 60.0},
    # Affordable housing: unanswered offers lapse and pass on; overcrowded homes are flagged.
    "housing.lapse_offers": {"task": "housing.lapse_offers", "schedule": 300.0},
    "housing.flag_overcrowded_homes": {
        "task": "housing.flag_overcrowded_homes",
        "schedule": crontab(hour=2, minute=30),
    },
    # Policy push: residents who newly qualify, scheduled starts; due delivery retries.
    "notices.push_running_policies": {
        "task": "notices.push_running_policies",
        "schedule": crontab(minute=5),
    },
    "notices.deliver_due": {"task": "notices.deliver_due", "schedule": 300.0},
    # Reconciliation: feeds dropped in the inbox (a dead worker's runs: portal.resume_stale_runs).
    "residents.collect_feeds": {"task": "residents.collect_feeds", "schedule": 300.0},
    # School places: offers not answered by their deadline pass to the waiting list.
    "schooling.expire_offers": {
        "task": "schooling.expire_offers",
        "schedule": crontab(hour=1, minute=0),
    },
}


@app.task(name="portal.heartbeat", acks_late=True)
def heartbeat() -> str:
    """A no-op that proves the worker consumes what beat schedules."""
    return "ok"


@app.task(name="portal.resume_stale_runs", acks_late=True)
def resume_stale_runs() -> int:
    """Hand back every heavy-job run whose worker stopped beating (see portal.runs)."""
    from portal import runs

    return sum(len(ids) for ids in runs.resume_stale_runs().values())
