"""Pages of the schooling app: the guide and application for families, offers, results, review.

Thin: every read goes through schooling.selectors, every write through schooling.services;
refusals are shown next to the form that caused them.
"""

from __future__ import annotations

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal import uploads
from portal.accounts.models import Role
from portal.errors import ApplicationError, NotFound
from portal.workflow import selectors as workflow_selectors
from portal.workflow import views as workflow_views
from portal.workflow.models import Status
from portal.workflow.registry import get_kind
from residents import selectors as resident_selectors
from schooling import eligibility, forms, selectors, services
from schooling.models import RoundStatus
from schooling.services import applications as application_services


def _apply_error(form: django_forms.Form, exc: ApplicationError) -> None:
    """Show a service's refusal on the form: each field message on its field, the rest on top."""
    placed = False
    for field, field_messages in exc.fields.items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))


# --- the family: guide, round, application ------------------------------------------------------


@login_required
@require_GET
def rounds(request: HttpRequest) -> HttpResponse:
    """The service guide (办事指南) of each open round, who in the family can apply, and my applications."""
    today = timezone.localdate()
    guardian = resident_selectors.person_of(request.user)
    children = [link.dependant for link in resident_selectors.dependants_of(request.user)]
    entries = []
    for enrolment_round in selectors.rounds_visible_to(request.user).exclude(
        status=RoundStatus.SETUP
    ):
        guardian_problems = (
            eligibility.guardian_problems(enrolment_round, guardian, on=today)
            if guardian is not None and enrolment_round.application_window_open(today)
            else {}
        )
        entries.append(
            {
                "round": enrolment_round,
                "categories": list(enrolment_round.categories.all()),
                "can_apply": enrolment_round.application_window_open(today),
                "guardian_problems": guardian_problems,
                "children": [
                    {
                        "person": child,
                        "age_problem": eligibility.age_problem(enrolment_round, child),
                    }
                    for child in children
                ],
            }
        )
    return render(
        request,
        "schooling/rounds.html",
        {
            "entries": entries,
            "guardian": guardian,
            "due_days": get_kind(services.KIND).due_days,
            "applications": selectors.applications_of(request.user).order_by("-created_at"),
        },
    )


@login_required
@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A round's schools and seats; after the draw each school's cutoff and the placement rate."""
    enrolment_round = get_object_or_404(selectors.rounds_visible_to(request.user), pk=pk)
    return render(
        request,
        "schooling/round.html",
        {
            "round": enrolment_round,
            "categories": list(enrolment_round.categories.all()),
            "places": selectors.round_schools(enrolment_round),
            "placement": selectors.placement_rate(enrolment_round)
            if enrolment_round.is_drawn
            else None,
        },
    )


@login_required
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Start an application: which child, and how the family is housed."""
    enrolment_round = get_object_or_404(selectors.rounds_visible_to(request.user), pk=pk)
    children = [
        (link.dependant_id, link.dependant.name)
        for link in resident_selectors.dependants_of(request.user)
    ]
    if not children:
        messages.info(request, _("Add your child to your family first."))
        return redirect("schooling:rounds")
    form = forms.ApplyForm(request.POST or None, children=children)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                application = services.create_application(
                    actor=request.user,
                    round_id=enrolment_round.pk,
                    child_id=form.cleaned_data["child"],
                    tenure=form.cleaned_data["tenure"],
                )
            except ApplicationError as exc:
                _apply_error(form, exc)
            else:
                messages.success(
                    request, _("The application is started. Now upload the materials.")
                )
                return redirect("schooling:application", pk=application.pk)
        status = 400
    return render(
        request, "schooling/apply.html", {"round": enrolment_round, "form": form}, status=status
    )


def _own(request: HttpRequest, pk: int):
    return get_object_or_404(selectors.with_details(selectors.applications_of(request.user)), pk=pk)


def _application_context(application) -> dict:
    case = application.case
    return {
        "application": application,
        "round": application.round,
        "case": case,
        "timeline": workflow_selectors.case_timeline(case),
        "editable": case.status in application_services.EDITABLE,
        "results": selectors.explain_application(application) if application.round.is_drawn else [],
        "entry": selectors.draw_entry_of(application),
        "can_rank": application.active
        and case.status in application_services.PREFERENCE_STATUSES
        and application.round.preference_window_open(timezone.localdate()),
    }


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The family's page of one application: progress, materials, schools ranked, result."""
    application = _own(request, pk)
    context = _application_context(application)
    context["housing_form"] = forms.HousingForm(initial={"tenure": application.tenure})
    context["material_form"] = forms.MaterialForm()
    status = 200
    if request.method == "POST":
        form = context["housing_form"] = forms.HousingForm(request.POST)
        if form.is_valid():
            try:
                services.update_application(
                    actor=request.user,
                    application_id=application.pk,
                    tenure=form.cleaned_data["tenure"],
                )
            except ApplicationError as exc:
                _apply_error(form, exc)
            else:
                messages.success(request, _("The housing is saved."))
                return redirect("schooling:application", pk=application.pk)
        status = 400
    return render(request, "schooling/application.html", context, status=status)


@login_required
@require_POST
def material_add(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own(request, pk)
    form = forms.MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_material(
                actor=request.user,
                application_id=application.pk,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
            )
        except ApplicationError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("The file is uploaded."))
            return redirect("schooling:application", pk=application.pk)
    context = _application_context(application)
    context["housing_form"] = forms.HousingForm(initial={"tenure": application.tenure})
    context["material_form"] = form
    return render(request, "schooling/application.html", context, status=400)


@login_required
@require_POST
def material_remove(request: HttpRequest, pk: int) -> HttpResponse:
    material = get_object_or_404(
        selectors.materials_visible_to(request.user).filter(
            application__case__applicant=request.user
        ),
        pk=pk,
    )
    try:
        services.remove_material(actor=request.user, material_id=material.pk)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return redirect("schooling:application", pk=material.application_id)


@login_required
@require_GET
def material_file(request: HttpRequest, pk: int) -> FileResponse:
    """Serve an uploaded file to the family and to reviewers who can see the case; 404 for others."""
    material = get_object_or_404(selectors.materials_visible_to(request.user), pk=pk)
    try:
        content = uploads.open_stored(material)
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        content, content_type=material.content_type, filename=material.original_name
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'"
    return response


@login_required
def preferences(request: HttpRequest, pk: int) -> HttpResponse:
    """Rank up to five schools of the round, most wanted first; the category at each is shown."""
    application = _own(request, pk)
    enrolment_round = application.round
    places = list(selectors.round_schools(enrolment_round))
    schools = [
        (p.school_id, f"{p.school.name} · {p.school.district.display_name}")
        for p in places
        if p.seats
    ]
    current = {f"choice_{p.rank}": p.school_id for p in application.preferences.all()}
    form = forms.PreferencesForm(
        request.POST or None,
        initial=current,
        schools=schools,
        count=enrolment_round.max_preferences,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.save_preferences(
                    actor=request.user, application_id=application.pk, school_ids=form.school_ids()
                )
            except ApplicationError as exc:
                _apply_error(form, exc)
            else:
                messages.success(request, _("Your school choices are saved."))
                return redirect("schooling:application", pk=application.pk)
        status = 400
    catchments = selectors.catchment_ids([p.school for p in places])
    return render(
        request,
        "schooling/preferences.html",
        {
            "application": application,
            "round": enrolment_round,
            "form": form,
            "places": places,
            "in_catchment": {
                p.school_id
                for p in places
                if application.home_community_id in catchments[p.school_id]
            },
        },
        status=status,
    )


@login_required
def check(request: HttpRequest, pk: int) -> HttpResponse:
    """Check your answers before submitting; submitting shows the receipt."""
    application = _own(request, pk)
    if application.case.status not in application_services.EDITABLE:
        return redirect("schooling:application", pk=application.pk)
    context = _application_context(application)
    context["problems"] = eligibility.submission_problems(application, on=timezone.localdate())
    if request.method == "POST":
        try:
            services.submit_application(actor=request.user, application_id=application.pk)
        except ApplicationError as exc:
            context["problems"] = exc.fields or {"": [str(exc.message)]}
            return render(request, "schooling/check.html", context, status=400)
        return redirect("schooling:receipt", pk=application.pk)
    return render(request, "schooling/check.html", context)


@login_required
@require_GET
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The receipt after submitting: reference number, what happens next, the promised date."""
    application = _own(request, pk)
    if application.case.status == Status.DRAFT:
        return redirect("schooling:application", pk=application.pk)
    return render(request, "schooling/receipt.html", _application_context(application))


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own(request, pk)
    try:
        services.withdraw_application(actor=request.user, application_id=application.pk)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The application is withdrawn."))
    return redirect("schooling:application", pk=application.pk)


# --- offers ------------------------------------------------------------------------------------------


@login_required
@require_GET
def offers(request: HttpRequest) -> HttpResponse:
    """The seats offered to my children, to accept or decline by the deadline."""
    return render(
        request,
        "schooling/offers.html",
        {
            "offers": selectors.offers_of(request.user).order_by("-offered_at", "-id"),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def offer_answer(request: HttpRequest, pk: int) -> HttpResponse:
    action = request.POST.get("action")
    answer = {"accept": services.accept_offer, "decline": services.decline_offer}.get(action or "")
    if answer is None:
        messages.error(request, _("Please accept or decline the offer."))
        return redirect("schooling:offers")
    try:
        answer(actor=request.user, offer_id=pk)
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("You accepted the seat.") if action == "accept" else _("You declined the seat."),
        )
    return redirect("schooling:offers")


# --- the reviewer ----------------------------------------------------------------------------------


@login_required
def review(request: HttpRequest, case_id: int) -> HttpResponse:
    """The education reviewer's page of one application: data, checks, materials, history, decisions."""
    application = get_object_or_404(
        selectors.with_details(selectors.applications_reviewable_by(request.user)), case_id=case_id
    )
    context = _application_context(application)
    # Staff see the outcome of the age rule, never the child's birth date.
    age, old_enough = eligibility.age_rule(application.round, application.child)
    context["age_check"] = {"age": age, "old_enough": old_enough}
    context["problems"] = (
        eligibility.guardian_problems(
            application.round, application.guardian, on=timezone.localdate()
        )
        if application.case.status in (Status.SUBMITTED, Status.IN_REVIEW)
        else {}
    )
    refusal = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        refusal = workflow_views.apply_decision(
            request, application.case, "take" if action == "accept" else action
        )
        if refusal is None:
            return redirect("schooling:review", case_id=case_id)
    context["decisions"] = workflow_views.decision_items(application.case, refusal)
    status = refusal.status if refusal else 200
    return render(request, "schooling/review.html", context, status=status)


def _require_education_staff(request: HttpRequest) -> None:
    if not (request.user.is_superuser or selectors.is_education_reviewer(request.user)):
        raise PermissionDenied


@login_required
@require_GET
def staff_rounds(request: HttpRequest) -> HttpResponse:
    """Rounds for staff: education staff open each round's results and draw; other reviewers
    (the menu entry is for every reviewer) see the rounds and their public pages."""
    if not (request.user.is_superuser or request.user.has_role(Role.REVIEWER)):
        raise PermissionDenied
    managed = set(selectors.rounds_managed_by(request.user).values_list("pk", flat=True))
    return render(
        request,
        "schooling/staff_rounds.html",
        {
            "rows": [(r, r.pk in managed) for r in selectors.rounds_visible_to(request.user)],
            "education": request.user.is_superuser or selectors.is_education_reviewer(request.user),
        },
    )


_ROUND_ACTIONS = {
    "open": services.open_round,
    "draw": services.run_first_round,
    "second_round": services.run_second_round,
    "close": services.close_round,
}


@login_required
def staff_round(request: HttpRequest, pk: int) -> HttpResponse:
    """Per school of the reviewer's districts: seats, applicants, admitted, cutoff; the draw's actions."""
    _require_education_staff(request)
    enrolment_round = get_object_or_404(selectors.rounds_visible_to(request.user), pk=pk)
    manages = selectors.rounds_managed_by(request.user).filter(pk=pk).exists()
    seed_form = forms.SeedForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "commit_seed":
                seed_form = forms.SeedForm(request.POST)
                if not seed_form.is_valid():
                    raise ApplicationError(_("Please check the seed."))
                services.commit_lottery_seed(
                    actor=request.user, round_id=pk, seed=seed_form.cleaned_data["seed"]
                )
            elif action in _ROUND_ACTIONS:
                _ROUND_ACTIONS[action](actor=request.user, round_id=pk)
            else:
                raise ApplicationError(_("Please choose an action."))
        except NotFound:
            raise Http404 from None
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
            status = exc.status_code
        else:
            messages.success(request, _("Done."))
            return redirect("schooling:staff_round", pk=pk)
        enrolment_round.refresh_from_db()
    return render(
        request,
        "schooling/staff_round.html",
        {
            "round": enrolment_round,
            "manages": manages,
            "seed_form": seed_form,
            "rows": selectors.results_for_reviewer(request.user, enrolment_round),
            "placement": selectors.placement_rate(enrolment_round)
            if enrolment_round.is_drawn
            else None,
            "runs": list(enrolment_round.runs.order_by("started_at")),
        },
        status=status,
    )
