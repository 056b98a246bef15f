"""Only the schooling API, to check its part of the OpenAPI schema on its own."""

from django.urls import include, path

urlpatterns = [path("api/v1/", include("schooling.api_urls"))]
