"""Writing in-app notices: sending one, marking them read.

Callers that notify about a state change queue the call with `transaction.on_commit`, so a
notice is only sent for a change that was committed.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.errors import NotFound
from portal.notices import selectors
from portal.notices.models import Notification


def notify(*, user: User, title: str, body: str, link: str = "") -> Notification:
    """Put one notice in a user's inbox."""
    return Notification.objects.create(
        recipient=user, title=str(title)[:200], body=str(body), link=link[:300]
    )


def mark_read(*, notification_id: int, actor: User) -> Notification:
    """Mark one of the actor's own notices read; another user's notice is not found."""
    with transaction.atomic():
        try:
            notice = selectors.notifications_of(actor).select_for_update().get(pk=notification_id)
        except Notification.DoesNotExist:
            raise NotFound() from None
        if notice.read_at is None:
            notice.read_at = timezone.now()
            notice.save(update_fields=["read_at"])
        return notice


def mark_all_read(*, actor: User) -> int:
    """Mark every unread notice of the actor read; returns how many changed."""
    return (
        selectors.notifications_of(actor)
        .filter(read_at__isnull=True)
        .update(read_at=timezone.now())
    )
