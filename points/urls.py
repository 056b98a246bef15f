from django.urls import path

from points import views

app_name = "points"

urlpatterns = [
    path("", views.score, name="score"),
    path("calculator/", views.calculator, name="calculator"),
    path("apply/", views.apply, name="apply"),
    path("applications/<int:pk>/", views.application, name="application"),
    path("applications/<int:pk>/claims/new/", views.claim_new, name="claim_new"),
    path("applications/<int:pk>/check/", views.application_check, name="application_check"),
    path("applications/<int:pk>/receipt/", views.application_receipt, name="application_receipt"),
    path(
        "applications/<int:pk>/withdraw/", views.application_withdraw, name="application_withdraw"
    ),
    path("claims/<int:pk>/edit/", views.claim_edit, name="claim_edit"),
    path("claims/<int:pk>/remove/", views.claim_remove, name="claim_remove"),
    path("claims/<int:pk>/resubmit/", views.claim_resubmit, name="claim_resubmit"),
    path("claims/<int:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence_file"),
    path("evidence/<int:pk>/remove/", views.evidence_remove, name="evidence_remove"),
    path("review/claims/<int:case_id>/", views.review_claim, name="review_claim"),
    path("review/claims/<int:case_id>/<str:action>/", views.review_decide, name="review_decide"),
    path("rankings/", views.rankings, name="rankings"),
    path("rankings/new/", views.ranking_new, name="ranking_new"),
    path("rankings/<int:pk>/", views.ranking, name="ranking"),
    path("rankings/<int:pk>/final/", views.ranking_finalise, name="ranking_finalise"),
    path("rankings/entries/<int:pk>/object/", views.objection_new, name="objection_new"),
    path("objections/<int:pk>/answer/", views.objection_answer, name="objection_answer"),
]
