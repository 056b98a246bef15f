"""Celery jobs of the residents app: ids in, one service call each; safe to run twice."""

from __future__ import annotations

from pathlib import Path

from celery import shared_task
from django.conf import settings

from residents.reconciliation import services as reconciliation


@shared_task(name="residents.reconcile_feed", acks_late=True)
def reconcile_feed(run_id: int) -> str:
    """Run or resume one reconciliation run. A run another worker holds is left to it; a run
    already finished is returned as it is, so a redelivered message does nothing twice."""
    try:
        run = reconciliation.execute_run(run_id=run_id)
    except reconciliation.RunInProgress:
        return "in_progress"
    return run.status


@shared_task(name="residents.collect_feeds", acks_late=True)
def collect_feeds() -> int:
    """Pick up new files from the watched folder (settings.RECONCILIATION_INBOX, if set)."""
    inbox = getattr(settings, "RECONCILIATION_INBOX", "")
    if not inbox:
        return 0
    return len(reconciliation.collect_feeds(inbox=Path(inbox)))


@shared_task(name="residents.resume_reconciliation_runs", acks_late=True)
def resume_reconciliation_runs() -> int:
    """Hand runs left queued, interrupted or abandoned by a dead worker back to a worker."""
    return len(reconciliation.resume_stalled_runs())
