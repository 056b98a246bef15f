from django.urls import path

from portal.workflow import api

urlpatterns = [
    path("cases/", api.WorkQueueView.as_view(), name="api-case-list"),
    path("cases/<int:pk>/", api.WorkQueueCaseView.as_view(), name="api-case-detail"),
    path("my-cases/", api.MyCaseListView.as_view(), name="api-my-case-list"),
    path("my-cases/<int:pk>/", api.MyCaseView.as_view(), name="api-my-case-detail"),
]
