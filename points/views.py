"""Pages of the points app: the resident's score, applications and claims, the calculator,
the reviewer's claim page and the ranking lists.

Thin: each view reads through points.selectors, writes through points.services, and shows a
refusal's message on the form it came from.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from points import explain, selectors, spec
from points import forms as point_forms
from points.models import ApplicationStatus, FactType, RankingStatus, Zone
from points.services import claims as claim_services
from points.services import rankings as ranking_services
from portal import uploads
from portal.accounts.models import Role
from portal.errors import ApplicationError, NotFound
from portal.workflow import selectors as workflow_selectors
from portal.workflow.models import Status


def _apply_error(form: forms.Form, exc: ApplicationError) -> None:
    """Show a service's refusal on the form: each field message on its field, the rest on top."""
    placed = False
    for field, field_messages in exc.fields.items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))


def _require_reviewer(request: HttpRequest) -> None:
    if not request.user.has_role(Role.REVIEWER):
        raise PermissionDenied


# --- the resident's score ---------------------------------------------------------------------------


@login_required
@require_GET
def score(request: HttpRequest) -> HttpResponse:
    """我的积分: the score under the rules in force, its breakdown, the thresholds reached, the
    percentile, what would raise it, and the resident's applications."""
    view = selectors.score_view(request.user)
    context: dict[str, Any] = {
        "view": view,
        "applications": selectors.applications_of(request.user).order_by("-created_at")[:10],
        "person": selectors.person_of(request.user),
    }
    if view is not None and view.result is not None:
        explainer = explain.Explainer(view.rules)
        context["explanation"] = explainer.explain(view.result)
        context["suggestions"] = explainer.suggestions(view.suggestions)
    return render(request, "points/score.html", context)


@login_required
def apply(request: HttpRequest) -> HttpResponse:
    """The service guide (办事指南), then the choice of service that opens an application."""
    rule_set = selectors.rule_set_in_force()
    services = [s.service for s in spec.compiled(rule_set).services] if rule_set else []
    form = point_forms.StartForm(request.POST or None, services=services)
    if request.method == "POST" and form.is_valid():
        try:
            application = claim_services.start_application(
                actor=request.user, service=form.cleaned_data["service"]
            )
        except ApplicationError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("Your application is open. Now add what you claim."))
            return redirect("points:application", pk=application.pk)
    fact_types = selectors.claimable_fact_types(rule_set) if rule_set else []
    return render(
        request,
        "points/apply.html",
        {"form": form, "rule_set": rule_set, "fact_types": fact_types},
    )


def _own_application(request: HttpRequest, pk: int):
    return get_object_or_404(selectors.applications_of(request.user), pk=pk)


@login_required
@require_GET
def application(request: HttpRequest, pk: int) -> HttpResponse:
    """One application: its claims with their progress and evidence, and what to do next."""
    application = _own_application(request, pk)
    rule_set = selectors.rule_set_in_force()
    claimed = {claim.fact_type_id for claim in application.claims.all()}
    fed = (
        claim_services.fed_codes(application.person, rule_set)
        if rule_set and application.status == ApplicationStatus.DRAFT
        else set()
    )
    choices = (
        [
            ft
            for ft in selectors.claimable_fact_types(rule_set)
            if ft.pk not in claimed and ft.code not in fed
        ]
        if rule_set and application.status == ApplicationStatus.DRAFT
        else []
    )
    rows = [
        {
            "claim": claim,
            "value": claim_services.value_text(claim.fact_type, claim.value),
            "verified": claim_services.value_text(claim.fact_type, claim.verified_value),
            "editable": claim.case.status in claim_services.EDITABLE,
        }
        for claim in application.claims.all()
    ]
    return render(
        request,
        "points/application.html",
        {
            "application": application,
            "rows": rows,
            "feed_facts": application.feed_facts.select_related("fact_type"),
            "choose": point_forms.ChooseFactForm(fact_types=choices) if choices else None,
            "evidence_form": point_forms.EvidenceForm(),
        },
    )


def _claimable(code: str) -> FactType:
    rule_set = selectors.rule_set_in_force()
    for fact_type in selectors.claimable_fact_types(rule_set) if rule_set else []:
        if fact_type.code == code:
            return fact_type
    raise NotFound()


@login_required
def claim_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Claim one fact: its value (the input follows the fact's kind) and an explanation."""
    application = _own_application(request, pk)
    code = request.POST.get("fact_type") or request.GET.get("fact_type") or ""
    if not code:
        return redirect("points:application", pk=application.pk)
    fact_type = _claimable(code)
    form = point_forms.ClaimForm(
        request.POST if request.method == "POST" else None, fact_type=fact_type
    )
    if request.method == "POST" and form.is_valid():
        try:
            claim_services.add_claim(
                actor=request.user,
                application_id=application.pk,
                fact_type=fact_type.code,
                value=form.value(),
                note=form.cleaned_data["note"],
            )
        except ApplicationError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("Claim added. Now upload the evidence."))
            return redirect("points:application", pk=application.pk)
    template = "points/_claim_fields.html" if request.htmx else "points/claim_form.html"
    return render(
        request,
        template,
        {"application": application, "fact_type": fact_type, "form": form},
    )


@login_required
def claim_edit(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(selectors.claims_of_applicant(request.user), pk=pk)
    initial = {
        "value": point_forms.initial_value(claim.fact_type, claim.value),
        "note": claim.note,
    }
    form = point_forms.ClaimForm(request.POST or None, fact_type=claim.fact_type, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            claim_services.update_claim(
                actor=request.user,
                claim_id=claim.pk,
                value=form.value(),
                note=form.cleaned_data["note"],
            )
        except ApplicationError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("Claim changed."))
            return redirect("points:application", pk=claim.application_id)
    return render(
        request,
        "points/claim_form.html",
        {
            "application": claim.application,
            "fact_type": claim.fact_type,
            "form": form,
            "claim": claim,
        },
    )


def _post_and_back(
    request: HttpRequest, action: Any, done: str, back: str, pk: int
) -> HttpResponse:
    try:
        action()
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(back, pk=pk)


@login_required
@require_POST
def claim_remove(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(selectors.claims_of_applicant(request.user), pk=pk)
    return _post_and_back(
        request,
        lambda: claim_services.remove_claim(actor=request.user, claim_id=claim.pk),
        _("Claim removed."),
        "points:application",
        claim.application_id,
    )


@login_required
@require_POST
def claim_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(selectors.claims_of_applicant(request.user), pk=pk)
    return _post_and_back(
        request,
        lambda: claim_services.resubmit_claim(actor=request.user, claim_id=claim.pk),
        _("Claim sent again."),
        "points:application",
        claim.application_id,
    )


@login_required
@require_POST
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(selectors.claims_of_applicant(request.user), pk=pk)
    form = point_forms.EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Please choose a file."))
        return redirect("points:application", pk=claim.application_id)
    return _post_and_back(
        request,
        lambda: claim_services.add_evidence(
            actor=request.user, claim_id=claim.pk, upload=form.cleaned_data["file"]
        ),
        _("Evidence uploaded."),
        "points:application",
        claim.application_id,
    )


@login_required
@require_POST
def evidence_remove(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_object_or_404(selectors.evidence_visible_to(request.user), pk=pk)
    return _post_and_back(
        request,
        lambda: claim_services.remove_evidence(actor=request.user, evidence_id=evidence.pk),
        _("File removed."),
        "points:application",
        evidence.claim.application_id,
    )


@login_required
@never_cache
@require_GET
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """An evidence file, for its applicant and the reviewers of its claim only."""
    evidence = get_object_or_404(selectors.evidence_visible_to(request.user), pk=pk)
    try:
        content = uploads.open_stored(evidence)
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        content,
        content_type=evidence.content_type,
        as_attachment=False,
        filename=evidence.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def application_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Check your answers, then submit every claim to its department."""
    application = _own_application(request, pk)
    if application.status != ApplicationStatus.DRAFT:
        return redirect("points:application", pk=application.pk)
    problems = claim_services.submission_problems(application)
    if request.method == "POST":
        try:
            claim_services.submit_application(actor=request.user, application_id=application.pk)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            problems = exc.fields or problems
        else:
            return redirect("points:application_receipt", pk=application.pk)
    rows = [
        (claim, claim_services.value_text(claim.fact_type, claim.value))
        for claim in application.claims.all()
    ]
    return render(
        request,
        "points/application_check.html",
        {"application": application, "rows": rows, "problems": problems},
    )


@login_required
@require_GET
def application_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own_application(request, pk)
    due = max(
        (claim.case.due_date for claim in application.claims.all() if claim.case.due_date),
        default=None,
    )
    return render(
        request, "points/application_receipt.html", {"application": application, "due": due}
    )


@login_required
@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own_application(request, pk)
    return _post_and_back(
        request,
        lambda: claim_services.withdraw_application(
            actor=request.user, application_id=application.pk
        ),
        _("Application withdrawn."),
        "points:application",
        application.pk,
    )


# --- the calculator (模拟估分), open to everyone ---------------------------------------------------------


def _zones_for(rules) -> list[tuple[str, str]]:
    names = {zone.code: str(zone) for zone in Zone.objects.filter(code__in=list(rules.multipliers))}
    return [(code, names.get(code, code)) for code in rules.multipliers]


def calculator(request: HttpRequest) -> HttpResponse:
    """Estimate a score under any published rules without signing in; nothing is stored."""
    rule_sets = selectors.published_rule_sets()
    data = request.POST if request.method == "POST" else None
    chosen_id = (data or request.GET).get("rule_set")
    try:
        rule_set = selectors.published_rule_set(int(chosen_id) if chosen_id else None)
    except (ValueError, NotFound):
        rule_set = rule_sets.first()
    if rule_set is None:
        return render(request, "points/calculator.html", {"form": None})
    rules = spec.compiled(rule_set)
    form = point_forms.CalculatorForm(
        data,
        rule_sets=rule_sets,
        fact_types=selectors.fact_types_read_by(rules),
        zones=_zones_for(rules),
        initial={"rule_set": rule_set.pk},
    )
    context: dict[str, Any] = {"form": form, "rule_set": rule_set}
    if data is not None and form.is_valid():
        try:
            result = selectors.estimate(rule_set, form.facts())
        except ApplicationError as exc:
            _apply_error(form, exc)
        else:
            explainer = explain.Explainer(rules)
            context["explanation"] = explainer.explain(result)
    template = (
        "points/_calculator_result.html"
        if request.htmx and data is not None
        else "points/calculator.html"
    )
    return render(request, template, context)


# --- reviewers --------------------------------------------------------------------------------------------


@login_required
def review_claim(request: HttpRequest, case_id: int) -> HttpResponse:
    """A claim as its department's reviewer sees it: the person, the value claimed, the
    evidence, the history, and the decisions. Another department's reviewer gets 404."""
    _require_reviewer(request)
    claim = get_object_or_404(selectors.claims_reviewable_by(request.user), case_id=case_id)
    verify = point_forms.VerifyForm(
        fact_type=claim.fact_type,
        initial={"value": point_forms.initial_value(claim.fact_type, claim.value)},
    )
    return render(
        request,
        "points/review_claim.html",
        {
            "claim": claim,
            "case": claim.case,
            "value": claim_services.value_text(claim.fact_type, claim.value),
            "verified": claim_services.value_text(claim.fact_type, claim.verified_value),
            "timeline": workflow_selectors.case_timeline(claim.case),
            "verify_form": verify,
            "reason_form": point_forms.ReasonForm(),
            "open": claim.case.status in (Status.SUBMITTED, Status.IN_REVIEW),
        },
    )


@login_required
@require_POST
def review_decide(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    _require_reviewer(request)
    claim = get_object_or_404(selectors.claims_reviewable_by(request.user), case_id=case_id)
    try:
        if action == "verify":
            form = point_forms.VerifyForm(request.POST, fact_type=claim.fact_type)
            if not form.is_valid():
                messages.error(request, _("The confirmed value is not valid."))
                return redirect("points:review_claim", case_id=case_id)
            claim_services.verify_claim(
                actor=request.user, claim_id=claim.pk, verified_value=form.value()
            )
            done = _("Claim verified.")
        elif action in ("return", "reject"):
            reason = request.POST.get("reason", "")
            service = (
                claim_services.return_claim if action == "return" else claim_services.reject_claim
            )
            service(actor=request.user, claim_id=claim.pk, reason=reason)
            done = _("Returned to the applicant.") if action == "return" else _("Claim rejected.")
        else:
            raise PermissionDenied
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("points:review_claim", case_id=case_id)


# --- ranking lists (公示) ------------------------------------------------------------------------------------


@require_GET
def rankings(request: HttpRequest) -> HttpResponse:
    """The published ranking lists, open to everyone."""
    page = Paginator(selectors.published_rankings(), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "points/rankings.html",
        {"page": page, "office": selectors.is_points_office(request.user)},
    )


def ranking(request: HttpRequest, pk: int) -> HttpResponse:
    """One list: ranks with masked names and ID numbers; the resident's own line with an
    objection form while the list is open; for the office, the objections to answer."""
    ranking = get_object_or_404(selectors.published_rankings(), pk=pk)
    page = Paginator(selectors.ranking_entries(ranking), 50).get_page(request.GET.get("page"))
    own = list(selectors.own_ranking_entries(request.user).filter(ranking=ranking))
    office = selectors.is_points_office(request.user)
    open_for_objections = (
        ranking.status == RankingStatus.PUBLISHED
        and timezone.localdate() <= ranking.objection_until
    )
    return render(
        request,
        "points/ranking.html",
        {
            "ranking": ranking,
            "page": page,
            "own": own,
            "open_for_objections": open_for_objections,
            "objection_form": point_forms.ObjectionForm(),
            "office": office,
            "objections": (
                selectors.objections_visible_to(request.user).filter(entry__ranking=ranking)
                if request.user.is_authenticated
                else []
            ),
            "answer_form": point_forms.AnswerForm(),
        },
    )


@login_required
def ranking_new(request: HttpRequest) -> HttpResponse:
    if not selectors.is_points_office(request.user):
        raise PermissionDenied
    form = point_forms.RankingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = ranking_services.publish_ranking(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("The ranking list is published."))
            return redirect("points:ranking", pk=made.pk)
    return render(request, "points/ranking_form.html", {"form": form})


@login_required
@require_POST
def ranking_finalise(request: HttpRequest, pk: int) -> HttpResponse:
    if not selectors.is_points_office(request.user):
        raise PermissionDenied
    return _post_and_back(
        request,
        lambda: ranking_services.finalise_ranking(actor=request.user, ranking_id=pk),
        _("The ranking list is final."),
        "points:ranking",
        pk,
    )


@login_required
@require_POST
def objection_new(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(selectors.own_ranking_entries(request.user), pk=pk)
    return _post_and_back(
        request,
        lambda: ranking_services.raise_objection(
            actor=request.user, entry_id=entry.pk, text=request.POST.get("text", "")
        ),
        _("Your objection is recorded. The office will answer it."),
        "points:ranking",
        entry.ranking_id,
    )


@login_required
@require_POST
def objection_answer(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_object_or_404(selectors.objections_visible_to(request.user), pk=pk)
    return _post_and_back(
        request,
        lambda: ranking_services.answer_objection(
            actor=request.user, objection_id=objection.pk, answer=request.POST.get("answer", "")
        ),
        _("Answer recorded."),
        "points:ranking",
        objection.entry.ranking_id,
    )
