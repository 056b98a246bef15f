from django.urls import include, path

from residents import api, field_urls, permit_api

urlpatterns = [
    path("persons/", api.PersonListCreateApi.as_view(), name="api-persons"),
    path("registrations/", api.RegistrationListCreateApi.as_view(), name="api-registrations"),
    path(
        "registrations/<int:pk>/depart/",
        api.RegistrationDepartApi.as_view(),
        name="api-registration-depart",
    ),
    path(
        "registrations/<int:pk>/verify-start/",
        api.RegistrationVerifyStartApi.as_view(),
        name="api-registration-verify-start",
    ),
    path(
        "permit-applications/",
        api.PermitApplicationListCreateApi.as_view(),
        name="api-permit-applications",
    ),
    path(
        "permit-applications/<int:pk>/",
        api.PermitApplicationDetailApi.as_view(),
        name="api-permit-application",
    ),
    path(
        "permit-applications/<int:pk>/materials/",
        api.PermitApplicationMaterialApi.as_view(),
        name="api-permit-application-materials",
    ),
    path(
        "permit-applications/<int:pk>/submit/",
        api.PermitApplicationSubmitApi.as_view(),
        name="api-permit-application-submit",
    ),
    path(
        "permit-applications/<int:pk>/withdraw/",
        api.PermitApplicationWithdrawApi.as_view(),
        name="api-permit-application-withdraw",
    ),
    path(
        "permit-applications/<int:pk>/accept/",
        api.PermitApplicationAcceptApi.as_view(),
        name="api-permit-application-accept",
    ),
    path(
        "permit-applications/<int:pk>/approve/",
        api.PermitApplicationApproveApi.as_view(),
        name="api-permit-application-approve",
    ),
    path(
        "permit-applications/<int:pk>/reject/",
        api.PermitApplicationRejectApi.as_view(),
        name="api-permit-application-reject",
    ),
    path(
        "permit-applications/<int:pk>/return/",
        api.PermitApplicationReturnApi.as_view(),
        name="api-permit-application-return",
    ),
    path("permits/", api.PermitListApi.as_view(), name="api-permits"),
    path("permits/verify/", api.PermitVerifyApi.as_view(), name="api-permit-verify"),
    path("permits/keys/", permit_api.PermitKeysApi.as_view(), name="api-permit-keys"),
    path(
        "permit-applications/<int:pk>/delivery/",
        permit_api.DeliveryChoiceApi.as_view(),
        name="api-permit-application-delivery",
    ),
    path(
        "permits/<int:pk>/delivery/",
        permit_api.DeliveryStartApi.as_view(),
        name="api-permit-delivery-start",
    ),
    path(
        "permits/deliveries/<int:pk>/move/",
        permit_api.DeliveryMoveApi.as_view(),
        name="api-permit-delivery-move",
    ),
    path(
        "permits/deliveries/callback/",
        permit_api.CourierCallbackApi.as_view(),
        name="api-courier-callback",
    ),
    path("permits/<int:pk>/endorse/", api.PermitEndorseApi.as_view(), name="api-permit-endorse"),
    path("permits/<int:pk>/reissue/", api.PermitReissueApi.as_view(), name="api-permit-reissue"),
    path("field/", include(field_urls.api_patterns)),
    path("", include("residents.reconciliation.api_urls")),
]
