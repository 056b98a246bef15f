from django.urls import path

from portal.accounts import api

urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="api-token"),
    path("auth/tokens/", api.TokenListApi.as_view(), name="api-tokens"),
    path("auth/tokens/<str:key>/", api.TokenRevokeApi.as_view(), name="api-token-revoke"),
    path("auth/logout/", api.LogoutApi.as_view(), name="api-logout"),
    path("auth/logout-all/", api.LogoutAllApi.as_view(), name="api-logout-all"),
    path("me/", api.MeView.as_view(), name="api-me"),
]
