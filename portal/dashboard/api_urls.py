from django.urls import path

from portal.dashboard import api

urlpatterns = [
    path("dashboard/metrics/", api.MetricListView.as_view(), name="api-dashboard-metrics"),
    path("dashboard/facts/", api.FactListView.as_view(), name="api-dashboard-facts"),
    path("open-statistics/", api.OpenStatisticsView.as_view(), name="api-open-statistics"),
]
