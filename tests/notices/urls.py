"""The portal's URLs plus the notices API under /api/v1/, for tests (portal/api_v1_urls.py is
the lead's: it gets `path("", include("portal.notices.api_urls"))`)."""

from django.urls import include, path

from portal.urls import handler403, handler404, handler500
from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [
    path("api/v1/", include("portal.notices.api_urls")),
    *portal_urlpatterns,
]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
