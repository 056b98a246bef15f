"""Tell the families of a drawn round their results."""

from __future__ import annotations


def notify_round_results(*, round_id: int) -> None:
    """Queue the job that tells every family of a drawn round its result (call after commit)."""
    from schooling import tasks

    tasks.notify_round_results.delay(round_id)
