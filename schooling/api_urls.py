from django.urls import path

from schooling import api

urlpatterns = [
    path("school-rounds/", api.RoundListApi.as_view(), name="api-school-rounds"),
    path("school-rounds/<int:pk>/", api.RoundDetailApi.as_view(), name="api-school-round"),
    path(
        "school-rounds/<int:pk>/results/",
        api.RoundResultsApi.as_view(),
        name="api-school-round-results",
    ),
    path("school-rounds/<int:pk>/open/", api.RoundOpenApi.as_view(), name="api-school-round-open"),
    path(
        "school-rounds/<int:pk>/commit-seed/",
        api.RoundCommitSeedApi.as_view(),
        name="api-school-round-commit-seed",
    ),
    path("school-rounds/<int:pk>/draw/", api.RoundDrawApi.as_view(), name="api-school-round-draw"),
    path(
        "school-rounds/<int:pk>/second-round/",
        api.RoundSecondRoundApi.as_view(),
        name="api-school-round-second-round",
    ),
    path(
        "school-rounds/<int:pk>/close/", api.RoundCloseApi.as_view(), name="api-school-round-close"
    ),
    path("schools/", api.SchoolListApi.as_view(), name="api-schools"),
    path(
        "school-applications/",
        api.ApplicationListCreateApi.as_view(),
        name="api-school-applications",
    ),
    path(
        "school-applications/<int:pk>/",
        api.ApplicationDetailApi.as_view(),
        name="api-school-application",
    ),
    path(
        "school-applications/<int:pk>/housing/",
        api.ApplicationHousingApi.as_view(),
        name="api-school-application-housing",
    ),
    path(
        "school-applications/<int:pk>/materials/",
        api.ApplicationMaterialApi.as_view(),
        name="api-school-application-materials",
    ),
    path(
        "school-applications/<int:pk>/preferences/",
        api.ApplicationPreferencesApi.as_view(),
        name="api-school-application-preferences",
    ),
    path(
        "school-applications/<int:pk>/submit/",
        api.ApplicationSubmitApi.as_view(),
        name="api-school-application-submit",
    ),
    path(
        "school-applications/<int:pk>/withdraw/",
        api.ApplicationWithdrawApi.as_view(),
        name="api-school-application-withdraw",
    ),
    path(
        "school-applications/<int:pk>/accept/",
        api.ApplicationAcceptApi.as_view(),
        name="api-school-application-accept",
    ),
    path(
        "school-applications/<int:pk>/approve/",
        api.ApplicationApproveApi.as_view(),
        name="api-school-application-approve",
    ),
    path(
        "school-applications/<int:pk>/reject/",
        api.ApplicationRejectApi.as_view(),
        name="api-school-application-reject",
    ),
    path(
        "school-applications/<int:pk>/return/",
        api.ApplicationReturnApi.as_view(),
        name="api-school-application-return",
    ),
    path(
        "school-materials/<int:pk>/",
        api.MaterialDeleteApi.as_view(),
        name="api-school-material",
    ),
    path("school-offers/", api.OfferListApi.as_view(), name="api-school-offers"),
    path(
        "school-offers/<int:pk>/accept/",
        api.OfferAcceptApi.as_view(),
        name="api-school-offer-accept",
    ),
    path(
        "school-offers/<int:pk>/decline/",
        api.OfferDeclineApi.as_view(),
        name="api-school-offer-decline",
    ),
]
