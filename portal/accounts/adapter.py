"""How allauth fits the portal: accounts by mainland mobile number, codes by SMS, residents by default.

The number lives on User.phone (E.164, e.g. +8613812345678) with User.phone_verified. New
sign-ups are residents with a generated username (u + the last digits of their number).
"""

from __future__ import annotations

from typing import Any

from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_lazy as _

from portal import client_ip
from portal.accounts import forms, login_delay, services
from portal.accounts.models import Role, User

CODE_LENGTH = 6


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "incorrect_code": _("The verification code is not correct."),
        "phone_password_mismatch": _("The mobile number or the password is not correct."),
        "username_password_mismatch": _("The username or the password is not correct."),
        "phone_taken": _("This mobile number already has an account."),
    }

    # --- signing in: the client's real address, and a growing pause per account ---------------
    def get_client_ip(self, request: HttpRequest) -> str:
        return client_ip.client_ip(request) or super().get_client_ip(request)

    @staticmethod
    def _login_of(credentials: dict) -> str:
        return str(
            credentials.get("username")
            or credentials.get("phone")
            or credentials.get("email")
            or ""
        )

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        wait = login_delay.seconds_to_wait(self._login_of(credentials))
        if wait:
            raise ValidationError(login_delay.too_soon_message(wait), code="login_delayed")
        super().pre_authenticate(request, **credentials)

    def authenticate(self, request: HttpRequest, **credentials: Any) -> User | None:
        user = super().authenticate(request, **credentials)
        if user is not None:
            login_delay.clear(self._login_of(credentials))
        return user

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        login_delay.record_failure(self._login_of(credentials))

    # --- API tokens end with the session's owner signing out or changing the password ---------
    def logout(self, request: HttpRequest) -> None:
        user = request.user
        super().logout(request)
        if user.is_authenticated:
            services.revoke_api_tokens(user=user)

    def set_password(self, user: User, password: str) -> None:
        super().set_password(user, password)
        services.revoke_api_tokens(user=user)

    # --- sign-up -------------------------------------------------------------------------
    def save_user(self, request, user, form, commit=True):
        user.roles = [Role.RESIDENT]
        user.phone = form.cleaned_data.get("phone") or ""
        return super().save_user(request, user, form, commit=commit)

    def populate_username(self, request, user) -> None:
        if not user.username and user.phone:
            user.username = services.username_for_phone(str(user.phone))
        super().populate_username(request, user)

    # --- the mobile number ------------------------------------------------------------------
    def phone_form_field(self, **kwargs: Any) -> forms.MobileNumberField:
        kwargs.pop("label", None)
        return forms.MobileNumberField(**kwargs)

    def clean_phone(self, phone: str) -> str:
        return forms.normalize_mobile(phone)

    def get_phone(self, user: User) -> tuple[str, bool] | None:
        if not user.phone:
            # Staff accounts are made by administrators without a mobile number: nothing to
            # verify. (Returning None would make allauth refuse the login, since sign-up
            # requires a phone.)
            return "", True
        return str(user.phone), user.phone_verified

    def set_phone(self, user: User, phone: str, verified: bool) -> None:
        services.set_phone(user=user, phone=phone, verified=verified)

    def set_phone_verified(self, user: User, phone: str) -> None:
        services.confirm_phone(user=user, phone=phone)

    def get_user_by_phone(self, phone: str) -> User | None:
        # Login passes the number as typed; the stored form is E.164.
        try:
            normalized = forms.normalize_mobile(phone)
        except ValidationError:
            return None
        return User.objects.filter(phone=normalized).first()

    # --- codes and texts --------------------------------------------------------------------
    def generate_phone_verification_code(self, *, user: User, phone: str) -> str:
        return get_random_string(CODE_LENGTH, allowed_chars="0123456789")

    def generate_password_reset_code(self) -> str:
        return get_random_string(CODE_LENGTH, allowed_chars="0123456789")

    def send_verification_code_sms(self, user: User, phone: str, code: str, **kwargs: Any) -> None:
        services.send_verification_code(
            phone=phone, code=code, minutes=app_settings.PHONE_VERIFICATION_TIMEOUT // 60
        )

    def send_password_reset_code_sms(self, phone: str, code: str) -> None:
        services.send_password_reset_code(
            phone=phone, code=code, minutes=app_settings.PASSWORD_RESET_BY_CODE_TIMEOUT // 60
        )

    def send_account_already_exists_sms(self, phone: str) -> None:
        services.send_account_exists_notice(phone=phone)

    def send_unknown_account_sms(self, phone: str, **kwargs: Any) -> None:
        services.send_no_account_notice(phone=phone)
