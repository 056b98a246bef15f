"""Request-rate limits (DRF throttles), keyed on the real client (portal.client_ip) or the user.

Rates live in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] under each class's scope. Pages
use the same classes through `page_allows`, so a list is limited alike in the API and on a page.
"""

from __future__ import annotations

from django.http import HttpRequest
from rest_framework.throttling import SimpleRateThrottle

from portal.client_ip import client_ip


class ClientThrottle(SimpleRateThrottle):
    """Keyed on the signed-in user when there is one, else on the client's real address."""

    def get_ident(self, request) -> str:
        return client_ip(request)

    def get_cache_key(self, request, view) -> str:
        user = getattr(request, "user", None)
        ident = f"user-{user.pk}" if user is not None and user.is_authenticated else None
        return self.cache_format % {"scope": self.scope, "ident": ident or self.get_ident(request)}


class AddressThrottle(ClientThrottle):
    """Keyed on the client's real address only (for sign-in, before anyone is known)."""

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenLoginThrottle(AddressThrottle):
    """Signing in for an API token, per address: guessing passwords stays slow."""

    scope = "auth_token"


class PersonListBurstThrottle(ClientThrottle):
    """Bulk lists of persons for staff, per minute."""

    scope = "person_list_burst"


class PersonListDailyThrottle(ClientThrottle):
    """Bulk lists of persons for staff, per day: the registry cannot be paged out in bulk."""

    scope = "person_list_daily"


PERSON_LIST_THROTTLES = (PersonListBurstThrottle, PersonListDailyThrottle)


def page_allows(request: HttpRequest, throttles=PERSON_LIST_THROTTLES) -> bool:
    """Count a page view against the throttles; False once any of them is exhausted."""
    return all(throttle().allow_request(request, None) for throttle in throttles)
