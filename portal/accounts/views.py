"""Password reset by SMS code (allauth's own views serve login, sign-up, phone verification and
password change, with the portal's forms named in ACCOUNT_FORMS).

allauth resets passwords by e-mail only; portal accounts have a mobile number instead. The reset
here follows allauth's code flow: ask for the number, enter the code texted to it, set a new
password. Its state (number, account, code, attempts) lives in the session, as allauth's does.
"""

from __future__ import annotations

import time
from typing import Any

from allauth.account import app_settings, signals
from allauth.account.adapter import get_adapter
from allauth.core import ratelimit
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic.edit import FormView

from portal.accounts import forms
from portal.accounts.models import User

RESET_SESSION_KEY = "portal_password_reset"


def _reset_state(request: HttpRequest) -> dict | None:
    state = request.session.get(RESET_SESSION_KEY)
    if not state:
        return None
    if time.time() - state["at"] > app_settings.PASSWORD_RESET_BY_CODE_TIMEOUT:
        request.session.pop(RESET_SESSION_KEY, None)
        messages.error(request, _("The code has expired. Please ask for a new one."))
        return None
    return state


def _save_reset_state(request: HttpRequest, state: dict) -> None:
    request.session[RESET_SESSION_KEY] = state


def _reset_user(state: dict) -> User | None:
    if not state.get("user_id"):
        return None
    return User.objects.filter(pk=state["user_id"], is_active=True).first()


@method_decorator(never_cache, name="dispatch")
class PasswordResetRequestView(FormView):
    """Step 1: the mobile number. The page looks the same whether or not an account uses it."""

    template_name = "account/password_reset.html"
    form_class = forms.PasswordResetRequestForm

    def form_valid(self, form: forms.PasswordResetRequestForm) -> HttpResponse:
        phone = form.cleaned_data["phone"]
        limited = ratelimit.consume_or_429(self.request, action="reset_password", key=phone)
        if limited:
            return limited
        adapter = get_adapter(self.request)
        user = adapter.get_user_by_phone(phone)
        code = ""
        if user is not None and user.is_active:
            code = adapter.generate_password_reset_code()
            adapter.send_password_reset_code_sms(phone, code)
        else:
            user = None
            adapter.send_unknown_account_sms(phone)
        _save_reset_state(
            self.request,
            {
                "phone": phone,
                "user_id": user.pk if user else None,
                "code": code,
                "at": time.time(),
                "failed_attempts": 0,
                "confirmed": False,
            },
        )
        return HttpResponseRedirect(reverse("accounts:password_reset_code"))


@method_decorator(never_cache, name="dispatch")
class PasswordResetConfirmCodeView(FormView):
    """Step 2: the code texted to the number. A few wrong tries end the attempt."""

    template_name = "account/confirm_password_reset_code.html"
    form_class = forms.CodeForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.state = _reset_state(request)
        if self.state is None:
            return HttpResponseRedirect(reverse("accounts:password_reset"))
        if self.state["confirmed"]:
            return HttpResponseRedirect(reverse("accounts:password_reset_complete"))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "code": self.state["code"]}

    def get_context_data(self, **kwargs: Any) -> dict:
        return {**super().get_context_data(**kwargs), "phone": self.state["phone"]}

    def form_valid(self, form: forms.CodeForm) -> HttpResponse:
        user = _reset_user(self.state)
        if user is None:
            self.request.session.pop(RESET_SESSION_KEY, None)
            return HttpResponseRedirect(reverse("accounts:password_reset"))
        get_adapter(self.request).set_phone_verified(user, self.state["phone"])
        self.state.update(confirmed=True, at=time.time())
        _save_reset_state(self.request, self.state)
        return HttpResponseRedirect(reverse("accounts:password_reset_complete"))

    def form_invalid(self, form: forms.CodeForm) -> HttpResponse:
        self.state["failed_attempts"] += 1
        if self.state["failed_attempts"] >= app_settings.PASSWORD_RESET_BY_CODE_MAX_ATTEMPTS:
            self.request.session.pop(RESET_SESSION_KEY, None)
            messages.error(
                self.request, _("Too many wrong codes. Please ask for a new code and try again.")
            )
            return HttpResponseRedirect(reverse("accounts:password_reset"))
        _save_reset_state(self.request, self.state)
        return super().form_invalid(form)


@method_decorator(never_cache, name="dispatch")
@method_decorator(sensitive_post_parameters("password1", "password2"), name="dispatch")
class PasswordResetCompleteView(FormView):
    """Step 3: the new password, once the code was right."""

    template_name = "account/password_reset_from_key.html"
    form_class = forms.SetNewPasswordForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        state = _reset_state(request)
        if state is None:
            return HttpResponseRedirect(reverse("accounts:password_reset"))
        if not state["confirmed"]:
            return HttpResponseRedirect(reverse("accounts:password_reset_code"))
        self.reset_user = _reset_user(state)
        if self.reset_user is None:
            request.session.pop(RESET_SESSION_KEY, None)
            return HttpResponseRedirect(reverse("accounts:password_reset"))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "user": self.reset_user}

    def form_valid(self, form: forms.SetNewPasswordForm) -> HttpResponse:
        form.save()
        self.request.session.pop(RESET_SESSION_KEY, None)
        signals.password_reset.send(sender=User, request=self.request, user=self.reset_user)
        messages.success(
            self.request, _("Your password has been reset. Sign in with your new password.")
        )
        return HttpResponseRedirect(reverse("account_login"))


password_reset = PasswordResetRequestView.as_view()
password_reset_confirm_code = PasswordResetConfirmCodeView.as_view()
password_reset_complete = PasswordResetCompleteView.as_view()
