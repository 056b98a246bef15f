"""Routes of the reconciliation API, under /api/v1/ (included by residents/api_urls.py)."""

from django.urls import path

from residents import reconciliation_api

urlpatterns = [
    path("feeds/", reconciliation_api.FeedListReceiveApi.as_view(), name="api-feeds"),
    path("feeds/<int:pk>/", reconciliation_api.FeedDetailApi.as_view(), name="api-feed"),
    path(
        "reconciliation-runs/<int:pk>/rejected-rows/",
        reconciliation_api.RejectedRowListApi.as_view(),
        name="api-reconciliation-rejected-rows",
    ),
]
