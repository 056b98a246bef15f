"""Public pages of the service catalogue (no login), and the rating pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal.catalogue import forms, selectors, services
from portal.errors import ApplicationError
from portal.workflow.registry import get_kind

PAGE_SIZE = 25
MAX_QUERY = 50


def _kind_label(code: str) -> str:
    try:
        return str(get_kind(code).label)
    except LookupError:
        return code


def catalogue(request: HttpRequest) -> HttpResponse:
    """Every service by life event, with a search box; anyone may read it."""
    groups = selectors.catalogue_by_life_event(on=timezone.localdate())
    return render(request, "catalogue/catalogue.html", {"groups": groups})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """我能办什么: every service with where the signed-in resident stands: eligible now, from a
    day, or what is missing, answered by the checks the services themselves apply."""
    today = timezone.localdate()
    groups = selectors.services_for(request.user, on=today)
    return render(request, "catalogue/mine.html", {"groups": groups, "today": today})


def guide(request: HttpRequest, code: str) -> HttpResponse:
    """办事指南 of one service: who qualifies, materials, steps, time limit, fees, basis, where."""
    found = selectors.guide_of(code, on=timezone.localdate())
    if found is None:
        raise Http404
    return render(request, "catalogue/guide.html", {"guide": found, "today": timezone.localdate()})


def search(request: HttpRequest) -> HttpResponse:
    """Search the services in Chinese or English; an htmx request gets the results only."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    results = selectors.search_services(query, on=timezone.localdate()) if query else []
    template = "catalogue/_results.html" if request.htmx else "catalogue/search.html"
    return render(request, template, {"query": query, "results": results})


@login_required
def rate(request: HttpRequest, case_pk: int) -> HttpResponse:
    """The applicant rates their decided case once and later reads the department's answer."""
    case = get_object_or_404(selectors.decided_case_of_applicant(request.user, case_pk))
    rating = selectors.rating_of(case)
    form = forms.RatingForm(request.POST or None)
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and rating is None and form.is_valid():
        try:
            services.rate_case(
                actor=request.user,
                case_id=case.pk,
                level=form.cleaned_data["level"],
                comment=form.cleaned_data["comment"],
            )
        except ApplicationError as error:
            errors = {k: [str(m) for m in v] for k, v in error.fields.items()} or {
                "__all__": [str(error.message)]
            }
        else:
            return redirect("catalogue:rate", case_pk=case.pk)
    return render(
        request,
        "catalogue/rate.html",
        {
            "case": case,
            "kind_label": _kind_label(case.kind),
            "rating": rating,
            "form": form,
            "errors": errors,
        },
    )


@login_required
def rectifications(request: HttpRequest) -> HttpResponse:
    """The deciding department's poor ratings to answer, open ones first, paginated."""
    tasks = selectors.rectifications_of_department(request.user).order_by(
        "status", "due_date", "id"
    )
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    for task in page:
        task.kind_label = _kind_label(task.rating.kind)
    return render(
        request,
        "catalogue/rectifications.html",
        {"page": page, "form": forms.AnswerForm(), "today": timezone.localdate()},
    )


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(selectors.rectifications_of_department(request.user), pk=pk)
    form = forms.AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.answer_rectification(
                actor=request.user, rectification_id=pk, answer=form.cleaned_data["answer"]
            )
        except ApplicationError as error:
            form.add_error(None, str(error.message))
            for messages in error.fields.values():
                for message in messages:
                    form.add_error(None, str(message))
    if form.errors:
        return render(request, "catalogue/answer_error.html", {"form": form}, status=400)
    return redirect("catalogue:rectifications")


@login_required
def rating_statistics(request: HttpRequest) -> HttpResponse:
    """Ratings per department and service, for analysts, leaders and administrators."""
    if not selectors.can_see_rating_statistics(request.user):
        raise PermissionDenied
    rows = selectors.rating_statistics(request.user)
    for row in rows:
        row.kind_label = _kind_label(row.kind)
    return render(request, "catalogue/rating_statistics.html", {"rows": rows})
