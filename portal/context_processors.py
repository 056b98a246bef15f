"""What every page needs: the menu of the signed-in user's roles and the name to greet them by."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from portal import home
from portal import navigation as nav


def navigation(request: HttpRequest) -> dict:
    # Lazy, so a page that never shows the menu (the 500 page) never touches the database.
    return {
        "nav_items": SimpleLazyObject(lambda: nav.items_for(request.user)),
        "menu_items": SimpleLazyObject(lambda: nav.menu_for(request.user)),
        "display_name": SimpleLazyObject(lambda: home.display_name(request.user)),
    }
