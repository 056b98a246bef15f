"""The division-code picker's next list (htmx): the areas inside the one just chosen."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.areas import selectors

_NAME = re.compile(r"^[a-z_]{1,40}$")
MAX_LEVELS = len(selectors.PICKER_LEVELS)


@require_GET
def picker(request: HttpRequest) -> HttpResponse:
    """Public reference data: the areas one level below the chosen code, as the next list."""
    name = request.GET.get("field", "")
    widget_id = request.GET.get("id", "")
    if not _NAME.match(name) or not re.match(r"^[A-Za-z0-9_-]{1,60}$", widget_id):
        return HttpResponse(status=400)
    try:
        level = min(max(int(request.GET.get("level", "1")), 1), MAX_LEVELS)
    except ValueError:
        level = 1
    code = request.GET.get(name, "")
    choices = selectors.picker_choices(code) if code.isdigit() else []
    return render(
        request,
        "areas/_picker_level.html",
        {"name": name, "id": widget_id, "choices": choices, "level": level},
    )
