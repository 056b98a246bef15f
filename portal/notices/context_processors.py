"""The signed-in user's unread notice count, for the header of every page."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from portal.notices import selectors


def unread_notices(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notices": 0}
    return {"unread_notices": SimpleLazyObject(lambda: selectors.unread_count(user))}
