"""Celery jobs of the city's view: ids in, one service call each; safe to run twice.

- dashboard.rebuild_facts: rebuild the monthly facts (nightly from beat, and on demand from the
  dashboard page). A second run waits for the first and rebuilds again from fresh data.
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from portal.accounts.models import User
from portal.dashboard import services


@shared_task(
    name="dashboard.rebuild_facts",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def rebuild_facts(actor_id: int | None = None) -> int:
    """Rebuild every monthly fact; returns the rows written."""
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return services.rebuild_facts(actor=actor).rows
