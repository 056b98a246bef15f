"""The housing pages: landlords' homes and tenants, the tenant's tenancy, affordable housing for
applicants, and the housing department's review pages. They call the same services and
selectors as the API; a refusal is shown next to the form that caused it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from housing import eligibility, forms, selectors, services
from housing.models import RoundStatus
from housing.services import applications as application_services
from portal.accounts.models import Role
from portal.errors import ApplicationError, NotAllowed
from portal.workflow import selectors as workflow_selectors
from portal.workflow import views as workflow_views
from portal.workflow.models import Status
from residents import selectors as resident_selectors

EDITABLE = (Status.DRAFT, Status.RETURNED)


def _apply_error(form: Form, exc: ApplicationError) -> None:
    """Show a service's refusal on the form: each field's messages on the field, the rest on top."""
    placed = False
    for field, errors in exc.fields.items():
        target = field if field in form.fields else None
        for error in errors:
            form.add_error(target, error)
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))


# --- landlords --------------------------------------------------------------------------------------


def _require_landlord(request: HttpRequest) -> None:
    if not request.user.has_role(Role.LANDLORD):
        raise NotAllowed(_("This page is for landlords."))


@login_required
@require_GET
def homes(request: HttpRequest) -> HttpResponse:
    """The landlord's rental homes (出租房屋), with their check status and current tenants."""
    _require_landlord(request)
    return render(
        request, "housing/homes.html", {"homes": selectors.homes_of_landlord(request.user)}
    )


@login_required
def home_new(request: HttpRequest) -> HttpResponse:
    """Register a home for letting; the next page checks the answers and submits it."""
    _require_landlord(request)
    form = forms.RentalHomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        grid = values.pop("grid")
        try:
            home = services.create_rental_home(actor=request.user, grid_id=grid.pk, **values)
        except ApplicationError as exc:
            _apply_error(form, exc)
        else:
            return redirect("housing:home", pk=home.pk)
    return render(request, "housing/home_form.html", {"form": form})


@login_required
def home(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the landlord's homes: its details and check, its tenants, declaring a tenant."""
    home = get_object_or_404(selectors.homes_of_landlord(request.user), pk=pk)
    form = forms.TenantForm(request.POST or None, initial={"start_date": timezone.localdate()})
    action = request.POST.get("action")
    if request.method == "POST" and action in ("submit", "withdraw"):
        step = services.submit_rental_home if action == "submit" else services.withdraw_rental_home
        try:
            step(actor=request.user, home_id=home.pk)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                _("Sent for the safety check.") if action == "submit" else _("Withdrawn."),
            )
        return redirect("housing:home", pk=home.pk)
    if request.method == "POST" and form.is_valid():
        try:
            tenancy = services.declare_tenant(
                actor=request.user, home_id=home.pk, **form.cleaned_data
            )
        except ApplicationError as exc:
            _apply_error(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is declared and registered at this address.")
                % {"name": tenancy.person.name},
            )
            return redirect("housing:home", pk=home.pk)
    return render(
        request,
        "housing/home.html",
        {
            "home": home,
            "case": home.case,
            "form": form,
            "tenancies": selectors.tenancies_of_home(home),
            "occupants": selectors.current_occupants(home.address_id),
            "timeline": workflow_selectors.case_timeline(home.case),
            "editable": home.case.status in EDITABLE,
            "lettable": home.is_active and home.case.status == Status.APPROVED,
        },
    )


@login_required
def tenancy_end(request: HttpRequest, pk: int) -> HttpResponse:
    """Declare that a tenant moved out (人走注销)."""
    tenancy = get_object_or_404(
        selectors.tenancies_of_landlord(request.user), pk=pk, end_date__isnull=True
    )
    form = forms.EndTenancyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_tenancy(
                actor=request.user, tenancy_id=tenancy.pk, end_date=form.cleaned_data["end_date"]
            )
        except ApplicationError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("The departure is recorded."))
            return redirect("housing:home", pk=tenancy.home_id)
    return render(request, "housing/tenancy_end.html", {"form": form, "tenancy": tenancy})


# --- tenants ------------------------------------------------------------------------------------


@login_required
@require_GET
def my_tenancies(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "housing/my_tenancies.html",
        {"tenancies": selectors.tenancies_of_tenant(request.user)},
    )


@login_required
@require_POST
def tenancy_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    services.confirm_tenancy(actor=request.user, tenancy_id=pk)
    messages.success(request, _("Thank you: the tenancy is confirmed."))
    return redirect("housing:my_tenancies")


# --- applicants ---------------------------------------------------------------------------------


@login_required
@require_GET
def guide(request: HttpRequest) -> HttpResponse:
    """办事指南: who may apply, what is needed, how ranking works; open rounds and own applications."""
    return render(
        request,
        "housing/guide.html",
        {
            "open_rounds": selectors.open_rounds(),
            "rounds": selectors.rounds().exclude(status=RoundStatus.OPEN)[:10],
            "applications": selectors.housing_applications_of(request.user),
            "has_offers": selectors.offers_of(request.user).exists(),
        },
    )


@login_required
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Start an application in an open round; eligibility is checked before anything is written."""
    application_round = get_object_or_404(selectors.open_rounds(), pk=pk)
    person = resident_selectors.person_of(request.user)
    unit_types = [row.unit_type for row in application_round.unit_types.all()]
    form = forms.ApplicationForm(request.POST or None, unit_types=unit_types)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.create_housing_application(
                actor=request.user,
                round_id=application_round.pk,
                unit_type=form.cleaned_data["unit_type"],
                owns_home_in_city=not form.cleaned_data["owns_no_home"],
            )
        except ApplicationError as exc:
            _apply_error(form, exc)
        else:
            return redirect("housing:application", pk=application.pk)
    return render(
        request,
        "housing/apply.html",
        {
            "round": application_round,
            "form": form,
            "person": person,
            "household_size": resident_selectors.household_of(request.user).count(),
        },
    )


@login_required
@require_GET
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The receipt after submitting: reference number, what happens next, the promised date."""
    application = get_object_or_404(selectors.housing_applications_of(request.user), pk=pk)
    if application.case.status in EDITABLE:
        return redirect("housing:application", pk=application.pk)
    return render(
        request,
        "housing/receipt.html",
        {"application": application, "case": application.case, "round": application.round},
    )


@login_required
def application(request: HttpRequest, pk: int) -> HttpResponse:
    """Check your answers and submit; afterwards the progress (办件进度), rank and offers."""
    application = get_object_or_404(selectors.housing_applications_of(request.user), pk=pk)
    action = request.POST.get("action")
    if request.method == "POST" and action in ("submit", "withdraw"):
        step = (
            services.submit_housing_application
            if action == "submit"
            else services.withdraw_housing_application
        )
        try:
            step(actor=request.user, application_id=application.pk)
        except ApplicationError as exc:
            for errors in exc.fields.values():
                for error in errors:
                    messages.error(request, error)
            if not exc.fields:
                messages.error(request, str(exc.message))
        else:
            if action == "submit":
                return redirect("housing:receipt", pk=application.pk)
            messages.success(request, _("Application withdrawn."))
        return redirect("housing:application", pk=application.pk)
    editable = application.case.status in EDITABLE
    return render(
        request,
        "housing/application.html",
        {
            "application": application,
            "case": application.case,
            "editable": editable,
            "problems": application_services.submission_problems(
                application, on=timezone.localdate()
            )
            if editable
            else {},
            "timeline": workflow_selectors.case_timeline(application.case),
            "offers": selectors.offers_of(request.user).filter(application=application),
        },
    )


@login_required
def offers(request: HttpRequest) -> HttpResponse:
    """The units offered to the user: accept or decline before the deadline."""
    if request.method == "POST":
        step = (
            services.accept_offer
            if request.POST.get("action") == "accept"
            else services.decline_offer
        )
        try:
            offer = step(actor=request.user, offer_id=int(request.POST.get("offer", 0) or 0))
        except ApplicationError as exc:
            if exc.status_code == 404:
                raise
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                _("You accepted %(unit)s.") % {"unit": offer.unit.label}
                if offer.status == "accepted"
                else _("You declined the offer."),
            )
        return redirect("housing:offers")
    return render(request, "housing/offers.html", {"offers": selectors.offers_of(request.user)})


@require_GET
def ranking(request: HttpRequest, pk: int) -> HttpResponse:
    """The published ranking of a round (公示): public, names and ID numbers masked."""
    application_round = get_object_or_404(selectors.rounds(), pk=pk)
    page = Paginator(selectors.published_ranking(application_round), 100).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "housing/ranking.html",
        {
            "round": application_round,
            "page": page,
            "lines": selectors.ranking_lines(page),
            "units": selectors.units_summary(application_round),
        },
    )


# --- the housing department ---------------------------------------------------------------------


def _review_post(request: HttpRequest, case) -> workflow_views.Refusal | None:
    """A decision posted to a review page, through the one dispatcher (`accept` is its `take`)."""
    action = request.POST.get("action", "")
    return workflow_views.apply_decision(request, case, "take" if action == "accept" else action)


@login_required
def review_home(request: HttpRequest, case_id: int) -> HttpResponse:
    """The safety check of a rental home, for a housing reviewer of its district."""
    home = get_object_or_404(selectors.homes_reviewable_by(request.user), case_id=case_id)
    refusal = None
    if request.method == "POST":
        refusal = _review_post(request, home.case)
        if refusal is None:
            return redirect("housing:review_home", case_id=case_id)
    return render(
        request,
        "housing/review_home.html",
        {
            "home": home,
            "case": home.case,
            "decisions": workflow_views.decision_items(home.case, refusal),
            "occupants": selectors.current_occupants(home.address_id),
            "timeline": workflow_selectors.case_timeline(home.case),
        },
    )


@login_required
def review_application(request: HttpRequest, case_id: int) -> HttpResponse:
    """An affordable-housing application, with today's eligibility checks, for a reviewer."""
    application = get_object_or_404(
        selectors.housing_applications_reviewable_by(request.user), case_id=case_id
    )
    refusal = None
    if request.method == "POST":
        refusal = _review_post(request, application.case)
        if refusal is None:
            return redirect("housing:review_application", case_id=case_id)
    problems, points = eligibility.eligibility_problems(
        application.round,
        application.person,
        unit_type=application.unit_type,
        household_size=application.household_size,
        owns_home_in_city=application.owns_home_in_city,
        on=timezone.localdate(),
    )
    problems.pop("round", None)
    return render(
        request,
        "housing/review_application.html",
        {
            "application": application,
            "case": application.case,
            "decisions": workflow_views.decision_items(application.case, refusal),
            "problems": problems,
            "points_today": points,
            "timeline": workflow_selectors.case_timeline(application.case),
        },
    )


@login_required
def staff_rounds(request: HttpRequest) -> HttpResponse:
    """The rounds of the reviewer's districts: rank a closed round, offer its units."""
    managed = selectors.rounds_managed_by(request.user)
    if not selectors.is_housing_reviewer(request.user):
        raise NotAllowed()
    if request.method == "POST":
        application_round = get_object_or_404(managed, pk=int(request.POST.get("round", 0) or 0))
        action = request.POST.get("action")
        try:
            if action == "rank":
                services.rank_round(actor=request.user, round_id=application_round.pk)
                messages.success(request, _("The ranking is published."))
            elif action == "allocate":
                count = services.allocate_round(actor=request.user, round_id=application_round.pk)
                messages.success(request, _("%(count)s units offered.") % {"count": count})
        except ApplicationError as exc:
            if exc.status_code == 404:
                raise
            messages.error(request, str(exc.message))
        return redirect("housing:staff_rounds")
    rows = [
        {
            "round": r,
            "pending": selectors.pending_review_count(r),
            "waiting": selectors.waiting_count(r) if r.status == RoundStatus.RANKED else None,
            "units": selectors.units_summary(r),
        }
        for r in managed
    ]
    return render(
        request, "housing/staff_rounds.html", {"rows": rows, "today": timezone.localdate()}
    )
