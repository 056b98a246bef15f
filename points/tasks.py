"""Celery jobs of the points app: ids in, one service call each; safe to run twice."""

from __future__ import annotations

from celery import shared_task

from points.services import ledger


@shared_task(name="points.recompute", acks_late=True)
def recompute(run_id: int) -> int:
    """Recompute every fact sheet under the run's rule set (chunked, resumable, idempotent)."""
    return ledger.run_recompute(run_id=run_id).written


@shared_task(name="points.preview", acks_late=True)
def preview(run_id: int) -> int:
    """Count who would cross each threshold under a draft rule set; writes no scores."""
    return ledger.run_preview(run_id=run_id).done
