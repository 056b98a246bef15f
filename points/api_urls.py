"""The points API, mounted under /api/v1/ (portal/api_v1_urls.py includes it)."""

from django.urls import path

from points import api

urlpatterns = [
    path("points/estimate/", api.EstimateApi.as_view(), name="api-points-estimate"),
    path("points/rule-sets/", api.RuleSetListApi.as_view(), name="api-points-rule-sets"),
    path("points/rule-sets/<int:pk>/", api.RuleSetDetailApi.as_view(), name="api-points-rule-set"),
    path(
        "points/rule-sets/<int:pk>/new-version/",
        api.RuleSetNewVersionApi.as_view(),
        name="api-points-rule-set-new-version",
    ),
    path(
        "points/rule-sets/<int:pk>/publish/",
        api.RuleSetPublishApi.as_view(),
        name="api-points-rule-set-publish",
    ),
    path(
        "points/rule-sets/<int:pk>/preview/",
        api.RuleSetPreviewApi.as_view(),
        name="api-points-rule-set-preview",
    ),
    path("points/runs/<int:pk>/", api.RunDetailApi.as_view(), name="api-points-run"),
    path("points/fact-types/", api.FactTypeListApi.as_view(), name="api-points-fact-types"),
    path("points/score/", api.MyScoreApi.as_view(), name="api-points-score"),
    path(
        "points/applications/",
        api.ApplicationListCreateApi.as_view(),
        name="api-points-applications",
    ),
    path(
        "points/applications/<int:pk>/",
        api.ApplicationDetailApi.as_view(),
        name="api-points-application",
    ),
    path(
        "points/applications/<int:pk>/claims/",
        api.ApplicationClaimApi.as_view(),
        name="api-points-application-claims",
    ),
    path(
        "points/applications/<int:pk>/submit/",
        api.ApplicationSubmitApi.as_view(),
        name="api-points-application-submit",
    ),
    path(
        "points/applications/<int:pk>/withdraw/",
        api.ApplicationWithdrawApi.as_view(),
        name="api-points-application-withdraw",
    ),
    path(
        "points/claims/<int:pk>/change/",
        api.ClaimChangeApi.as_view(),
        name="api-points-claim-change",
    ),
    path(
        "points/claims/<int:pk>/evidence/",
        api.ClaimEvidenceApi.as_view(),
        name="api-points-claim-evidence",
    ),
    path(
        "points/claims/<int:pk>/resubmit/",
        api.ClaimResubmitApi.as_view(),
        name="api-points-claim-resubmit",
    ),
    path(
        "points/review/claims/", api.ReviewClaimListApi.as_view(), name="api-points-review-claims"
    ),
    path(
        "points/review/claims/<int:pk>/verify/",
        api.ReviewVerifyApi.as_view(),
        name="api-points-review-verify",
    ),
    path(
        "points/review/claims/<int:pk>/return/",
        api.ReviewReturnApi.as_view(),
        name="api-points-review-return",
    ),
    path(
        "points/review/claims/<int:pk>/reject/",
        api.ReviewRejectApi.as_view(),
        name="api-points-review-reject",
    ),
    path("points/rankings/", api.RankingListCreateApi.as_view(), name="api-points-rankings"),
    path(
        "points/rankings/<int:pk>/entries/",
        api.RankingEntryListApi.as_view(),
        name="api-points-ranking-entries",
    ),
    path(
        "points/ranking-entries/<int:pk>/objections/",
        api.ObjectionCreateApi.as_view(),
        name="api-points-objections",
    ),
    path(
        "points/objections/<int:pk>/answer/",
        api.ObjectionAnswerApi.as_view(),
        name="api-points-objection-answer",
    ),
]
