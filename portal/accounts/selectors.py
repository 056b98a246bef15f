"""Reads about accounts for the signed-in user, and the one test of a reviewer's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from knox.models import AuthToken

from portal.accounts.models import Role, User


def api_tokens_of(user: User) -> QuerySet[AuthToken]:
    """The user's own API tokens that have not expired, newest first."""
    if not user.is_authenticated:
        return AuthToken.objects.none()
    return AuthToken.objects.filter(
        Q(expiry__isnull=True) | Q(expiry__gt=timezone.now()), user=user
    ).order_by("-created")


def is_reviewer_of(user: Any, *departments: str, district_id: int | None = None) -> bool:
    """Whether `user` reviews for one of `departments` (for any department when none is named)
    and, when `district_id` is given, reviews that district.

    A reviewer belongs to one department and reviews a set of districts (User.department,
    User.districts); anonymous users and staff without the reviewer role are no reviewers.
    """
    if not getattr(user, "is_authenticated", False) or not user.has_role(Role.REVIEWER):
        return False
    if user.department_id is None:
        return False
    if departments and user.department.code not in departments:
        return False
    return district_id is None or user.districts.filter(pk=district_id).exists()
