"""What every page needs: the navigation of the signed-in user's roles."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from portal import navigation as nav


def navigation(request: HttpRequest) -> dict:
    # Lazy, so a page that never shows the menu (the 500 page) never touches the database.
    return {"nav_items": SimpleLazyObject(lambda: nav.items_for(request.user))}
