"""Account forms: the mainland mobile-number field and the portal's versions of allauth's forms.

Forms check shape only. The portal's versions differ from allauth's in their labels and widget
attributes: visible labels instead of placeholders, and the right autocomplete hints.
"""

from __future__ import annotations

import re

from allauth.account import forms as allauth_forms
from allauth.account.adapter import get_adapter
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# A mainland mobile number: 11 digits starting 13-19, optionally written with the +86 / 0086 / 86
# country code and with spaces or hyphens between groups.
_MOBILE = re.compile(r"^(?:(?:\+|00)?86)?(1[3-9]\d{9})$")
_SEPARATORS = re.compile(r"[\s\-()]")

INVALID_MOBILE_MESSAGE = _(
    "Enter a valid mainland China mobile number: 11 digits starting with 1 "
    "(the +86 country code is optional)."
)


def normalize_mobile(value: str) -> str:
    """The number in E.164 form (+8613812345678), or ValidationError if it is not a mainland mobile."""
    match = _MOBILE.match(_SEPARATORS.sub("", value or ""))
    if not match:
        raise ValidationError(INVALID_MOBILE_MESSAGE, code="invalid_phone")
    return "+86" + match.group(1)


class MobileNumberField(forms.CharField):
    """A mainland mobile number, cleaned to E.164 by the account adapter."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", _("Mobile number"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", _("11 digits, for example 138 1234 5678."))
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value:
            value = get_adapter().clean_phone(value)
        return value


def _drop_placeholders(form: forms.Form) -> None:
    for field in form.fields.values():
        field.widget.attrs.pop("placeholder", None)


class LoginForm(allauth_forms.LoginForm):
    """Sign in with a username or a mobile number and a password."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = _("Username or mobile number")
        login.widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        )
        self.fields["password"].help_text = ""
        if "remember" in self.fields:
            self.fields["remember"].label = _("Keep me signed in on this device")
        _drop_placeholders(self)


class SignupForm(allauth_forms.SignupForm):
    """Sign up with a mobile number and a password; the number is then confirmed by SMS code."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].label = _("Mobile number")
        self.fields["password1"].label = _("Password")
        self.fields["password2"].label = _("Password again")
        _drop_placeholders(self)


class ChangePasswordForm(allauth_forms.ChangePasswordForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["oldpassword"].label = _("Current password")
        self.fields["password1"].label = _("New password")
        self.fields["password2"].label = _("New password again")
        _drop_placeholders(self)


class PasswordResetRequestForm(forms.Form):
    """The mobile number of the account whose password is to be reset."""

    phone = MobileNumberField()


def _code_widget(form: forms.Form) -> None:
    code = form.fields["code"]
    code.label = _("Verification code")
    code.widget.attrs = {"autocomplete": "one-time-code", "inputmode": "numeric"}


class CodeForm(allauth_forms.BaseConfirmCodeForm):
    """A code received by SMS, compared with the one that was sent."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _code_widget(self)


class VerifyPhoneForm(allauth_forms.VerifyPhoneForm):
    """The code that confirms the mobile number given at sign-up."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _code_widget(self)


class SetNewPasswordForm(allauth_forms.ResetPasswordKeyForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = _("New password")
        self.fields["password2"].label = _("New password again")
        _drop_placeholders(self)
