"""Reads about accounts for the signed-in user."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone
from knox.models import AuthToken

from portal.accounts.models import User


def api_tokens_of(user: User) -> QuerySet[AuthToken]:
    """The user's own API tokens that have not expired, newest first."""
    if not user.is_authenticated:
        return AuthToken.objects.none()
    return AuthToken.objects.filter(
        Q(expiry__isnull=True) | Q(expiry__gt=timezone.now()), user=user
    ).order_by("-created")
