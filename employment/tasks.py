"""Celery tasks of the employment app: small wrappers around one service call."""

from __future__ import annotations

from celery import shared_task

from employment import services


@shared_task(name="employment.flag_overcrowded_dormitories", acks_late=True)
def flag_overcrowded_dormitories() -> int:
    """Flag dormitories over capacity (and clear flags); safe to run twice."""
    return services.flag_overcrowded_dormitories()
