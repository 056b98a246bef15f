"""Every endpoint under /api/v1/. Each app contributes its own urls module here."""

from django.urls import include, path

urlpatterns = [
    path("", include("portal.accounts.api_urls")),
    path("", include("portal.areas.api_urls")),
    path("", include("portal.workflow.api_urls")),
    path("", include("portal.notices.api_urls")),
    path("", include("portal.dashboard.api_urls")),
    path("", include("residents.api_urls")),
    path("", include("points.api_urls")),
    path("", include("housing.api_urls")),
    path("", include("schooling.api_urls")),
    path("", include("employment.api_urls")),
]
