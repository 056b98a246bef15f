"""Celery jobs of the housing app: ids in, one service call each; safe to run twice."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from housing.services import homes, offers


@shared_task(name="housing.notify_offers", acks_late=True)
def notify_offers(round_id: int, offered_at: str) -> int:
    """Tell the households offered a unit in one wave (announced offers are skipped)."""
    return offers.notify_offers(round_id=round_id, offered_at=dt.datetime.fromisoformat(offered_at))


@shared_task(name="housing.run_allocation", acks_late=True)
def run_allocation(run_id: int) -> int | None:
    """Run or resume an allocation run (a second delivery finds it claimed or done)."""
    run = offers.execute_allocation(run_id)
    return None if run is None else run.offers_made


@shared_task(name="housing.lapse_offers", acks_late=True)
def lapse_offers() -> int:
    """Lapse unanswered offers past their deadline and pass the units on (every few minutes)."""
    return offers.lapse_offers()


@shared_task(name="housing.flag_overcrowded_homes", acks_late=True)
def flag_overcrowded_homes() -> int:
    """Flag rental homes with more registered occupants than their maximum (群租), nightly."""
    return homes.flag_overcrowded_homes()
