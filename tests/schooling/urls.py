"""The portal's URLs plus the schooling pages and API, for tests (portal/urls.py is the lead's).

The same two include lines go into portal/urls.py and portal/api_v1_urls.py.
"""

from django.urls import include, path

from portal.urls import handler403, handler404, handler500
from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [
    path("api/v1/", include("schooling.api_urls")),
    path("", include("schooling.urls")),
    *portal_urlpatterns,
]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
