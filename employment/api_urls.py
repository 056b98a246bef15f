"""Every employment endpoint, under /api/v1/employment/."""

from django.urls import path

from employment import api

urlpatterns = [
    path(
        "employment/employers/",
        api.EmployerListCreateApi.as_view(),
        name="api-employment-employers",
    ),
    path(
        "employment/employers/<int:pk>/workers/",
        api.WorkerListCreateApi.as_view(),
        name="api-employment-workers",
    ),
    path(
        "employment/employers/<int:pk>/worker-lists/",
        api.WorkerListUploadApi.as_view(),
        name="api-employment-worker-lists",
    ),
    path(
        "employment/workers/<int:pk>/end/",
        api.WorkerEndApi.as_view(),
        name="api-employment-worker-end",
    ),
    path("employment/jobs/", api.JobSearchApi.as_view(), name="api-employment-jobs"),
    path(
        "employment/jobs/<int:pk>/apply/",
        api.JobApplyApi.as_view(),
        name="api-employment-job-apply",
    ),
    path(
        "employment/courses/<int:pk>/enrol/",
        api.CourseEnrolApi.as_view(),
        name="api-employment-course-enrol",
    ),
]
