"""The Celery application. The beat schedule lives here, in code."""

import os

import pghistory
from celery import Celery, Task
from celery.schedules import crontab
from django_structlog.celery.steps import DjangoStructLogInitStep

from portal.observability import JobMetricsStep

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


class HistoryContextTask(Task):
    """A task whose row changes carry its name in the history (django-pghistory's context)."""

    def __call__(self, *args, **kwargs):
        with pghistory.context(task=self.name):
            return super().__call__(*args, **kwargs)


app = Celery("portal", task_cls=HistoryContextTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Logs bound to the request that queued the task; counts of the tasks run (portal/observability.py).
app.steps["worker"].add(DjangoStructLogInitStep)
app.steps["worker"].add(JobMetricsStep)

# Periodic jobs, each added by the app that owns it.
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
    # Projection: the registry's figures for the last 31 August, read again each night.
    "projection.build_base": {
        "task": "projection.build_base",
        "schedule": crontab(hour=3, minute=30),
    },
    # Early warnings for the last whole month, after the night's facts (one notice per firing).
    "projection.evaluate_warnings": {
        "task": "projection.evaluate_warnings",
        "schedule": crontab(hour=4, minute=0),
    },
    # The city's view: monthly facts rebuilt every night from the registered metrics.
    "dashboard.rebuild_facts": {
        "task": "dashboard.rebuild_facts",
        "schedule": crontab(hour=3, minute=15),
    },
    # Employment: dormitories over capacity are flagged for the grid's officers.
    "employment.flag_overcrowded_dormitories": {
        "task": "employment.flag_overcrowded_dormitories",
        "schedule": crontab(hour=2, minute=40),
    },
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
