"""Password reset by SMS code, which replaces allauth's e-mail reset. Included before allauth.urls,
so these paths win; the names are allauth's, so its redirects and templates reach them."""

from django.urls import path

from portal.accounts import views

urlpatterns = [
    path("password/reset/", views.password_reset, name="account_reset_password"),
    path(
        "password/reset/confirm/",
        views.password_reset_confirm_code,
        name="account_confirm_password_reset_code",
    ),
    path(
        "password/reset/complete/",
        views.password_reset_complete,
        name="account_complete_password_reset",
    ),
]
