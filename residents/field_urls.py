"""Routes of the grid officers' field work: pages (under /field/) and the API (under /api/v1/field/).

Both lists are included by residents/urls.py and residents/api_urls.py, so page names sit in
the `residents` namespace (`residents:field_home`).
"""

from django.urls import path

from residents import disposition_views, field_api, field_views

page_patterns = [
    path("", field_views.home, name="field_home"),
    path("grids/<int:pk>/", field_views.grid, name="field_grid"),
    path("addresses/<int:pk>/", field_views.address, name="field_address"),
    path("visits/<int:pk>/", field_views.visit, name="field_visit"),
    path("tasks/", field_views.tasks, name="field_tasks"),
    path("tasks/<int:pk>/settle/", disposition_views.settle, name="field_task_settle"),
    path("coverage/", field_views.coverage, name="field_coverage"),
    path("sw.js", field_views.service_worker, name="field_service_worker"),
    path("queue-key/", field_views.queue_key, name="field_queue_key"),
]

api_patterns = [
    path("grids/", field_api.FieldGridListApi.as_view(), name="api-field-grids"),
    path("addresses/", field_api.FieldAddressListApi.as_view(), name="api-field-addresses"),
    path("visits/", field_api.FieldVisitListCreateApi.as_view(), name="api-field-visits"),
    path("tasks/", field_api.FieldTaskListApi.as_view(), name="api-field-tasks"),
    path(
        "discrepancies/<int:pk>/settle/",
        field_api.DiscrepancySettleApi.as_view(),
        name="api-field-discrepancy-settle",
    ),
    path(
        "coverage/grids/",
        field_api.CoverageGridListApi.as_view(),
        name="api-field-coverage-grids",
    ),
    path(
        "coverage/officers/",
        field_api.CoverageOfficerListApi.as_view(),
        name="api-field-coverage-officers",
    ),
]
