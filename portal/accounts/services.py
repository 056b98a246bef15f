"""Account use cases around the mobile number: storing it, confirming it, and the texts sent to it.

Sign-up, login and the code checks themselves are allauth's; the account adapter calls these.
"""

from __future__ import annotations

import re

from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken
from knox.settings import knox_settings

from portal.accounts import login_delay, sms
from portal.accounts.models import User
from portal.errors import InvalidInput, NotFound, TooSoon


def username_for_phone(phone: str) -> str:
    """A free username made of "u" and the last digits of the number: u5678, else u345678, ...

    The number is unique, so the full-length candidate is free unless someone chose it by hand;
    a counter settles that case.
    """
    digits = re.sub(r"\D", "", phone)[-11:]
    candidates = [f"u{digits[-n:]}" for n in (4, 6, 8, 11)]
    taken = set(User.objects.filter(username__in=candidates).values_list("username", flat=True))
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    n = 2
    while User.objects.filter(username=f"u{digits}_{n}").exists():
        n += 1
    return f"u{digits}_{n}"


def set_phone(*, user: User, phone: str, verified: bool) -> User:
    """Attach a mobile number (E.164) to the user, verified or not. One number, one account
    (database constraint user_phone_unique)."""
    user.phone = phone
    user.phone_verified = verified
    if user.pk is not None:
        user.save(update_fields=["phone", "phone_verified"])
    return user


def confirm_phone(*, user: User, phone: str) -> User:
    """The user proved they hold `phone` (they entered the code texted to it): it becomes their
    verified number. At sign-up it is already theirs; on a change of number it replaces the old one.
    """
    return set_phone(user=user, phone=phone, verified=True)


def _signed(text: str) -> str:
    return _("[New-resident services portal] %(text)s") % {"text": text}


def send_verification_code(*, phone: str, code: str, minutes: int) -> None:
    """Text the code that confirms a mobile number (at sign-up or on a change of number)."""
    text = _(
        "Your verification code is %(code)s. It is valid for %(minutes)s minutes. "
        "Do not share it with anyone."
    ) % {"code": code, "minutes": minutes}
    sms.send_sms(phone=phone, message=_signed(text))


def send_password_reset_code(*, phone: str, code: str, minutes: int) -> None:
    """Text the code that lets the holder of the number set a new password."""
    text = _(
        "Your password reset code is %(code)s. It is valid for %(minutes)s minutes. "
        "If you did not ask to reset your password, ignore this message."
    ) % {"code": code, "minutes": minutes}
    sms.send_sms(phone=phone, message=_signed(text))


def send_account_exists_notice(*, phone: str) -> None:
    """Someone tried to sign up with a number that already has an account. The page does not
    say so (that would tell strangers who has an account); the holder of the number is told."""
    text = _(
        "Someone tried to sign up with this number, which already has an account. "
        "If it was you, sign in or reset your password instead."
    )
    sms.send_sms(phone=phone, message=_signed(text))


def send_no_account_notice(*, phone: str) -> None:
    """A password reset was asked for a number without an account; the holder is told."""
    text = _(
        "A password reset was requested for this number, but no account uses it. "
        "You can sign up with this number."
    )
    sms.send_sms(phone=phone, message=_signed(text))


def authenticate_with_password(*, request: HttpRequest, username: str, password: str) -> User:
    """The user whose username and password these are, for signing in outside the pages (the API).

    Wrong passwords for one account make the next attempt wait (portal.accounts.login_delay),
    the same rule the sign-in page follows; an unknown username is refused like a wrong password.
    """
    wait = login_delay.seconds_to_wait(username)
    if wait:
        raise TooSoon(login_delay.too_soon_message(wait), retry_after=wait)
    user = authenticate(request, username=username, password=password)
    if user is None:
        login_delay.record_failure(username)
        raise InvalidInput(_("The username or the password is not correct."), code="invalid")
    login_delay.clear(username)
    return user


def issue_api_token(*, user: User) -> tuple[AuthToken, str]:
    """A new API token for the user: (the stored row, the token itself, shown only now).

    Only a hash is stored (django-rest-knox). It expires after REST_KNOX["TOKEN_TTL"]; a user
    holds at most REST_KNOX["TOKEN_LIMIT_PER_USER"] live tokens, the oldest is revoked to make
    room for a new one.
    """
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one issuer at a time
        limit = knox_settings.TOKEN_LIMIT_PER_USER
        if limit:
            AuthToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
            live = list(
                AuthToken.objects.filter(user=user)
                .order_by("-created")
                .values_list("digest", flat=True)
            )
            if len(live) >= limit:
                AuthToken.objects.filter(digest__in=live[limit - 1 :]).delete()
        return AuthToken.objects.create(user=user)


def revoke_api_token(*, user: User, token_key: str) -> None:
    """The owner revokes one of their tokens (named by its public key); another's is not found."""
    deleted, _rows = AuthToken.objects.filter(user=user, token_key=token_key).delete()
    if not deleted:
        raise NotFound()


def revoke_api_tokens(*, user: User) -> int:
    """Every API token of the user ends now (sign-out everywhere, a password change)."""
    deleted, _rows = AuthToken.objects.filter(user=user).delete()
    return deleted
