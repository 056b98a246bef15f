from django.urls import path

from employment import views

app_name = "employment"

urlpatterns = [
    path("employers/", views.employers, name="employers"),
    path("employers/new/", views.employer_new, name="employer_new"),
    path("employers/<int:pk>/", views.employer, name="employer"),
    path("employers/<int:pk>/upload/", views.worker_upload, name="worker_upload"),
    path("employers/<int:pk>/postings/new/", views.posting_new, name="posting_new"),
    path("uploads/<int:pk>/", views.upload, name="upload"),
    path("workers/<int:pk>/end/", views.worker_end, name="worker_end"),
    path("postings/<int:pk>/applicants/", views.posting_applicants, name="posting_applicants"),
    path("review/employers/<int:case_id>/", views.review_employer, name="review_employer"),
    path("review/postings/<int:case_id>/", views.review_posting, name="review_posting"),
    path("jobs/", views.jobs, name="jobs"),
    path("jobs/profile/", views.profile, name="profile"),
    path("jobs/<int:pk>/", views.posting, name="posting"),
    path("training/", views.plan, name="plan"),
    path("training/mine/", views.my_training, name="my_training"),
    path("training/wishes/<int:pk>/remove/", views.wish_remove, name="wish_remove"),
    path("training/enrolments/<int:pk>/cancel/", views.enrolment_cancel, name="enrolment_cancel"),
    path("training/wish-counts/", views.wish_counts, name="wish_counts"),
    path("training/courses/new/", views.course_new, name="course_new"),
    path("training/courses/<int:pk>/", views.course_manage, name="course_manage"),
]
