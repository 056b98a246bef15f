"""Notices pages.

Residents: the inbox (messages and policy notices, with the unread count), a policy notice
opened on its own page (with the benefit received), dismissing, and the channels they accept.
Staff: their department's policies with audience, delivered, opened and failed; a form to
build a target with a live count of the residents it reaches (htmx); publishing and
withdrawing. Every page asks the same services and selectors as the API.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.errors import ApplicationError, InvalidInput, NotFound
from portal.notices import criteria, selectors, services
from portal.notices.forms import PolicyForm, PreferencesForm, TargetForm, WithdrawForm
from portal.notices.models import OPTIONAL_CHANNELS, Policy, PolicyStatus

# --- residents -------------------------------------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page, entries = selectors.inbox_page(request.user, request.GET.get("page"))
    return render(
        request,
        "notices/inbox.html",
        {"page": page, "entries": entries, "unread": selectors.unread_count(request.user)},
    )


@login_required
@require_POST
def read(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        notice = services.mark_read(notification_id=pk, actor=request.user)
    except NotFound:
        raise Http404 from None
    if request.POST.get("open") and url_has_allowed_host_and_scheme(
        notice.link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notice.link)
    return redirect("notices:inbox")


@login_required
@require_POST
def dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.dismiss_notification(notification_id=pk, actor=request.user)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("The message was removed from your inbox."))
    return redirect("notices:inbox")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    services.mark_all_read(actor=request.user)
    return redirect("notices:inbox")


@login_required
def policy_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """One policy notice on its own page; opening it marks it opened."""
    try:
        notice = services.open_policy_notice(notice_id=pk, actor=request.user)
    except NotFound:
        raise Http404 from None
    link_is_local = url_has_allowed_host_and_scheme(
        notice.policy.link, allowed_hosts={request.get_host()}
    )
    return render(
        request,
        "notices/policy_notice.html",
        {
            "notice": notice,
            "policy": notice.policy,
            "grant": selectors.grant_for(notice),
            "link_is_local": link_is_local,
        },
    )


@login_required
@require_POST
def policy_notice_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.dismiss_policy_notice(notice_id=pk, actor=request.user)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("The notice was removed from your inbox."))
    return redirect("notices:inbox")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """Which channels besides the inbox the resident receives policy notices by."""
    off = selectors.opted_out_channels(request.user)
    initial = {str(channel): str(channel) not in off for channel in OPTIONAL_CHANNELS}
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        for channel in OPTIONAL_CHANNELS:
            services.set_channel(
                actor=request.user, channel=channel, enabled=form.cleaned_data[str(channel)]
            )
        messages.success(request, _("Your choices are saved."))
        return redirect("notices:preferences")
    return render(request, "notices/preferences.html", {"form": form})


# --- staff -------------------------------------------------------------------------------------


def _require_staff(request: HttpRequest) -> None:
    if not selectors.can_manage_policies(request.user):
        raise Http404


def _is_admin(request: HttpRequest) -> bool:
    return request.user.is_superuser or request.user.has_role("administrator")


@login_required
def policy_list(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    policies = selectors.policies_with_counts(request.user)
    return render(request, "notices/policy_list.html", {"policies": policies})


def _apply_error(form: forms.Form, target_form: TargetForm, exc: ApplicationError) -> None:
    fields = dict(exc.fields)
    for name in list(fields):
        if name in form.fields:
            for message in fields.pop(name):
                form.add_error(name, message)
    rest = target_form.place_errors(fields)
    if rest or not exc.fields:
        for message in rest or [str(exc.message)]:
            form.add_error(None, message)


def _policy_form(request: HttpRequest, policy: Policy | None) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    initial = PolicyForm.initial_from(policy) if policy else {"starts_on": timezone.localdate()}
    form = PolicyForm(data, initial=initial, choose_department=_is_admin(request))
    target_form = TargetForm(data, target=policy.target if policy else None)
    if request.method == "POST" and form.is_valid():
        try:
            if policy is None:
                saved = services.create_policy(
                    actor=request.user, data=form.to_input(target_form.raw_target())
                )
            else:
                saved = services.update_policy(
                    actor=request.user,
                    policy_id=policy.pk,
                    data=form.to_input(target_form.raw_target()),
                )
        except ApplicationError as exc:
            _apply_error(form, target_form, exc)
        else:
            messages.success(request, _("The draft is saved. Check it, then publish it."))
            return redirect("notices:policy_detail", pk=saved.pk)
    return render(
        request,
        "notices/policy_form.html",
        {"form": form, "target_form": target_form, "policy": policy},
    )


@login_required
def policy_new(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    return _policy_form(request, None)


@login_required
def policy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    policy = get_object_or_404(selectors.policies_managed_by(request.user), pk=pk)
    if policy.status != PolicyStatus.DRAFT:
        messages.error(request, _("Only a draft can be changed."))
        return redirect("notices:policy_detail", pk=pk)
    return _policy_form(request, policy)


@login_required
@require_POST
def policy_preview(request: HttpRequest) -> HttpResponse:
    """The number of residents the target being built reaches today (an htmx fragment)."""
    _require_staff(request)
    target_form = TargetForm(request.POST)
    context: dict = {"count": None, "errors": []}
    try:
        context["count"] = services.count_audience(target=target_form.raw_target())
    except InvalidInput as exc:
        context["errors"] = [
            message for messages_ in exc.fields.values() for message in messages_
        ] or [str(exc.message)]
    return render(request, "notices/_audience.html", context)


@login_required
def policy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    policy = get_object_or_404(selectors.policies_managed_by(request.user), pk=pk)
    return render(
        request,
        "notices/policy_detail.html",
        {
            "policy": policy,
            "conditions": criteria.describe_target(policy.target),
            "stats": selectors.policy_stats(policy),
            "runs": selectors.runs_of(policy),
            "withdraw_form": WithdrawForm(),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def policy_publish(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(selectors.policies_managed_by(request.user), pk=pk)
    try:
        policy = services.publish_policy(actor=request.user, policy_id=pk)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        if policy.starts_on <= timezone.localdate():
            messages.success(request, _("Published. The notices are being sent now."))
        else:
            messages.success(request, _("Published. The notices will be sent on the start date."))
    return redirect("notices:policy_detail", pk=pk)


@login_required
@require_POST
def policy_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(selectors.policies_managed_by(request.user), pk=pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give a reason."))
        return redirect("notices:policy_detail", pk=pk)
    try:
        services.withdraw_policy(
            actor=request.user, policy_id=pk, reason=form.cleaned_data["reason"]
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The policy is withdrawn."))
    return redirect("notices:policy_detail", pk=pk)
