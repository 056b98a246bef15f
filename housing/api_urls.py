"""Every housing endpoint, under /api/v1/housing/."""

from django.urls import path

from housing import api

urlpatterns = [
    path("housing/homes/", api.RentalHomeListCreateApi.as_view(), name="api-housing-homes"),
    path("housing/homes/<int:pk>/", api.RentalHomeDetailApi.as_view(), name="api-housing-home"),
    path(
        "housing/homes/<int:pk>/submit/",
        api.RentalHomeSubmitApi.as_view(),
        name="api-housing-home-submit",
    ),
    path(
        "housing/homes/<int:pk>/withdraw/",
        api.RentalHomeWithdrawApi.as_view(),
        name="api-housing-home-withdraw",
    ),
    path(
        "housing/homes/<int:pk>/tenancies/",
        api.HomeTenancyListCreateApi.as_view(),
        name="api-housing-home-tenancies",
    ),
    path(
        "housing/tenancies/<int:pk>/end/",
        api.TenancyEndApi.as_view(),
        name="api-housing-tenancy-end",
    ),
    path("housing/my-tenancies/", api.MyTenancyListApi.as_view(), name="api-housing-my-tenancies"),
    path(
        "housing/my-tenancies/<int:pk>/confirm/",
        api.MyTenancyConfirmApi.as_view(),
        name="api-housing-my-tenancy-confirm",
    ),
    path("housing/rounds/", api.RoundListApi.as_view(), name="api-housing-rounds"),
    path(
        "housing/rounds/<int:pk>/ranking/",
        api.RankingApi.as_view(),
        name="api-housing-round-ranking",
    ),
    path(
        "housing/rounds/<int:pk>/rank/", api.RoundRankApi.as_view(), name="api-housing-round-rank"
    ),
    path(
        "housing/rounds/<int:pk>/allocate/",
        api.RoundAllocateApi.as_view(),
        name="api-housing-round-allocate",
    ),
    path(
        "housing/applications/",
        api.HousingApplicationListCreateApi.as_view(),
        name="api-housing-applications",
    ),
    path(
        "housing/applications/<int:pk>/",
        api.HousingApplicationDetailApi.as_view(),
        name="api-housing-application",
    ),
    path(
        "housing/applications/<int:pk>/submit/",
        api.HousingApplicationSubmitApi.as_view(),
        name="api-housing-application-submit",
    ),
    path(
        "housing/applications/<int:pk>/withdraw/",
        api.HousingApplicationWithdrawApi.as_view(),
        name="api-housing-application-withdraw",
    ),
    path(
        "housing/applications/<int:pk>/accept/",
        api.HousingApplicationAcceptApi.as_view(),
        name="api-housing-application-accept",
    ),
    path(
        "housing/applications/<int:pk>/approve/",
        api.HousingApplicationApproveApi.as_view(),
        name="api-housing-application-approve",
    ),
    path(
        "housing/applications/<int:pk>/reject/",
        api.HousingApplicationRejectApi.as_view(),
        name="api-housing-application-reject",
    ),
    path(
        "housing/applications/<int:pk>/return/",
        api.HousingApplicationReturnApi.as_view(),
        name="api-housing-application-return",
    ),
    path("housing/review/homes/", api.ReviewHomeListApi.as_view(), name="api-housing-review-homes"),
    path(
        "housing/review/homes/<int:pk>/accept/",
        api.ReviewHomeAcceptApi.as_view(),
        name="api-housing-review-home-accept",
    ),
    path(
        "housing/review/homes/<int:pk>/approve/",
        api.ReviewHomeApproveApi.as_view(),
        name="api-housing-review-home-approve",
    ),
    path(
        "housing/review/homes/<int:pk>/reject/",
        api.ReviewHomeRejectApi.as_view(),
        name="api-housing-review-home-reject",
    ),
    path(
        "housing/review/homes/<int:pk>/return/",
        api.ReviewHomeReturnApi.as_view(),
        name="api-housing-review-home-return",
    ),
    path("housing/offers/", api.OfferListApi.as_view(), name="api-housing-offers"),
    path(
        "housing/offers/<int:pk>/accept/",
        api.OfferAcceptApi.as_view(),
        name="api-housing-offer-accept",
    ),
    path(
        "housing/offers/<int:pk>/decline/",
        api.OfferDeclineApi.as_view(),
        name="api-housing-offer-decline",
    ),
]
