"""Celery jobs of notices: ids in, one service call each; every one is safe to run twice.

- notices.push_policy: push one policy now (after publishing). Exactly once per person by the
  unique (policy, person) key, however often it runs.
- notices.push_running_policies (periodic): push every running policy again, which reaches
  the residents who newly qualify and starts the policies whose start date has come.
- notices.deliver: send the next batch (about 1,000) of a policy's SMS or e-mail copies, then
  queue itself again while more are due, or after the earliest retry's backoff.
- notices.deliver_due (periodic): requeue copies a killed worker left half-sent and start a
  delivery job for every policy and channel with copies due.
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from portal.notices import selectors, services
from portal.notices.models import RunTrigger


@shared_task(
    name="notices.push_policy",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def push_policy(policy_id: int, trigger: str = RunTrigger.PUBLISH) -> int:
    """Push one policy to everyone its target reaches today; returns the notices added."""
    run = services.push_policy(policy_id=policy_id, trigger=trigger)
    return run.notices_added if run is not None else 0


@shared_task(name="notices.push_running_policies", acks_late=True)
def push_running_policies() -> int:
    """Queue a push of every policy running today (new qualifiers, scheduled starts)."""
    policy_ids = selectors.running_policy_ids()
    for policy_id in policy_ids:
        push_policy.delay(policy_id, RunTrigger.SCHEDULE)
    return len(policy_ids)


@shared_task(
    name="notices.deliver",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def deliver(policy_id: int, channel: str) -> int:
    """Send the next batch of one policy's copies through one channel; returns how many were sent."""
    result = services.send_delivery_batch(policy_id=policy_id, channel=channel)
    if result.more_due:
        deliver.delay(policy_id, channel)
    elif result.next_retry_in is not None:
        deliver.apply_async(args=[policy_id, channel], countdown=result.next_retry_in + 1)
    return result.sent


@shared_task(name="notices.deliver_due", acks_late=True)
def deliver_due() -> int:
    """Requeue stale half-sent copies and start delivery of every queue with copies due."""
    services.release_stale_deliveries()
    queues = selectors.due_delivery_queues()
    for policy_id, channel in queues:
        deliver.delay(policy_id, channel)
    return len(queues)
