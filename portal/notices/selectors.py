"""Reading in-app notices: a user sees only their own."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.accounts.models import User
from portal.notices.models import Notification


def notifications_of(user: User) -> QuerySet[Notification]:
    """The user's notices, newest first; nothing for an anonymous visitor."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(user: User) -> int:
    return notifications_of(user).filter(read_at__isnull=True).count()
