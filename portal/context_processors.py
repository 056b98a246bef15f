"""What every page needs: the navigation of the signed-in user's roles."""

from __future__ import annotations

from django.http import HttpRequest

from portal import navigation as nav


def navigation(request: HttpRequest) -> dict:
    return {"nav_items": nav.items_for(request.user)}
