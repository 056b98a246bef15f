"""Celery tasks of the projection: thin wrappers around one service call each."""

from __future__ import annotations

from celery import shared_task

from portal.projection import services, warnings


@shared_task(name="projection.build_base", acks_late=True)
def build_base() -> int:
    """Read the registry's figures for the last 31 August (replaces that date's base)."""
    return services.build_base().pk


@shared_task(name="projection.evaluate_warnings", acks_late=True)
def evaluate_warnings() -> int:
    """Evaluate the early-warning rules for the last whole month (each firing notifies once)."""
    return warnings.evaluate_warnings()
