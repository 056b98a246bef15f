"""Account pages that replace allauth's own. Included before allauth.urls, so these paths win;
the names are allauth's, so its redirects and templates reach them."""

from django.urls import path

from portal.accounts import views

urlpatterns = [
    path("login/", views.login, name="account_login"),
    path("signup/", views.signup, name="account_signup"),
    path("phone/verify/", views.verify_phone, name="account_verify_phone"),
    path("password/change/", views.password_change, name="account_change_password"),
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
