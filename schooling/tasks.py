"""Celery tasks of the schooling app: ids in, one service call, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from schooling import services


@shared_task(name="schooling.notify_round_results", acks_late=True)
def notify_round_results(round_id: int) -> int:
    """Tell the families of a drawn round their result (once: the service claims the round)."""
    return services.send_round_results(round_id=round_id)


@shared_task(name="schooling.expire_offers", acks_late=True)
def expire_offers() -> int:
    """Let offers past their deadline lapse and pass their seats on (daily; idempotent)."""
    return services.expire_offers()


@shared_task(name="schooling.run_draw", acks_late=True)
def run_draw(run_id: int) -> int | None:
    """Run or resume a round's draw (a resumable run: a second delivery finds it claimed or done)."""
    run = services.execute_first_round(run_id)
    return None if run is None else run.placed
