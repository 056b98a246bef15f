"""Password reset by SMS code, which replaces allauth's e-mail reset. Included before allauth.urls
on the same paths as allauth's code-reset pages, so these views win: allauth's redirects and
templates, which reverse its own names (`account_reset_password`,
`account_confirm_password_reset_code`, `account_complete_password_reset`), reach them too."""

from django.urls import path

from portal.accounts import views

app_name = "accounts"

urlpatterns = [
    path("password/reset/", views.password_reset, name="password_reset"),
    path(
        "password/reset/confirm/",
        views.password_reset_confirm_code,
        name="password_reset_code",
    ),
    path(
        "password/reset/complete/",
        views.password_reset_complete,
        name="password_reset_complete",
    ),
]
