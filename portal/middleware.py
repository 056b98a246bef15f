"""Pages answer a service's NotFound with the 404 page and NotAllowed with the 403 page.

Other refusals are shown by the view next to the form that caused them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from portal import views
from portal.errors import NotAllowed, NotFound


class ApplicationErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            return views.not_found(request, exception)
        if isinstance(exception, NotAllowed):
            return views.forbidden(request, exception)
        return None
