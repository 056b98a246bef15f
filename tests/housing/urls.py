"""The portal's URLs plus the housing pages and API, for tests (portal/urls.py is the lead's).

The lead's portal/urls.py gains `path("housing/", include("housing.urls"))` and
portal/api_v1_urls.py `path("", include("housing.api_urls"))`; this module adds the same
where portal/urls.py does not have them yet. The other domain apps' pages are added the same
way, because every page's menu links to whatever pages the apps registered.
"""

from importlib import import_module
from importlib.util import find_spec

from django.urls import NoReverseMatch, include, path, reverse
from django.urls.resolvers import get_resolver

from portal.urls import handler403, handler404, handler500
from portal.urls import urlpatterns as portal_urlpatterns

_portal = get_resolver(import_module("portal.urls"))


def _missing(namespace: str) -> bool:
    return namespace not in _portal.namespace_dict and find_spec(f"{namespace}.urls") is not None


def _api_missing() -> bool:
    try:
        reverse("api-housing-homes", urlconf="portal.urls")
    except NoReverseMatch:
        return True
    return False


extra = [
    path(f"{app}/", include(f"{app}.urls")) for app in ("housing", "schooling") if _missing(app)
]
if _api_missing():
    extra.append(path("api/v1/", include("housing.api_urls")))

urlpatterns = [*extra, *portal_urlpatterns]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
