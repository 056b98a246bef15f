"""The staff workbench (one queue of every application kind) and the applicant's progress page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal.accounts.models import Role
from portal.errors import ApplicationError, NotAllowed, NotFound
from portal.workflow import selectors, services
from portal.workflow.filters import WorkQueueFilter
from portal.workflow.models import Status
from portal.workflow.registry import get_kind


def _require_reviewer(request: HttpRequest) -> None:
    if not request.user.has_role(Role.REVIEWER):
        raise PermissionDenied


def case_link(case) -> str:
    """Where a case opens: its kind's own page when the kind has one, else the generic detail."""
    from django.urls import reverse

    spec = get_kind(case.kind)
    return spec.detail_url(case) if spec.detail_url else reverse("case-detail", args=[case.pk])


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    """The reviewer's queue: cases of their department and districts, filterable, oldest due first."""
    _require_reviewer(request)
    scoped = selectors.cases_reviewable_by(request.user)
    filterset = WorkQueueFilter(
        request.GET or {"status": [Status.SUBMITTED, Status.IN_REVIEW]}, queryset=scoped
    )
    page = Paginator(filterset.qs.order_by("due_date", "submitted_at", "id"), 25).get_page(
        request.GET.get("page")
    )
    rows = [(case, case_link(case), get_kind(case.kind).label) for case in page]
    context = {
        "filter": filterset,
        "page": page,
        "rows": rows,
        "today": timezone.localdate(),
        "counts": selectors.queue_counts(request.user),
        "page_filters": ("q", "kind", "status", "overdue"),
    }
    template = "workflow/workbench.html#case-list" if request.htmx else "workflow/workbench.html"
    return render(request, template, context)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A case's history and the reviewer's decisions, for kinds without a page of their own."""
    _require_reviewer(request)
    case = get_object_or_404(selectors.cases_reviewable_by(request.user), pk=pk)
    return render(
        request,
        "workflow/case_detail.html",
        {"case": case, "kind": get_kind(case.kind), "timeline": selectors.case_timeline(case)},
    )


_DECISIONS = {
    "take": (services.start_review, False, gettext_lazy("Taken up for review.")),
    "approve": (services.approve_case, False, gettext_lazy("Approved.")),
    "reject": (services.reject_case, True, gettext_lazy("Rejected.")),
    "return": (services.return_case, True, gettext_lazy("Returned to the applicant.")),
}


@login_required
@require_POST
def decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _require_reviewer(request)
    if action not in _DECISIONS:
        raise PermissionDenied
    service, needs_reason, done = _DECISIONS[action]
    kwargs = {"reason": request.POST.get("reason", "")} if needs_reason else {}
    try:
        service(case_id=pk, actor=request.user, **kwargs)
    except (NotFound, NotAllowed):
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("case-detail", pk=pk)


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    """Progress of every application the user filed (办件进度), newest first, with its timeline."""
    cases = selectors.cases_of_applicant(request.user).prefetch_related("transitions")
    page = Paginator(cases.order_by("-created_at", "-id"), 10).get_page(request.GET.get("page"))
    rows = [(case, get_kind(case.kind).label) for case in page]
    return render(request, "workflow/my_cases.html", {"page": page, "rows": rows})


@login_required
def my_case(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(selectors.cases_of_applicant(request.user), pk=pk)
    return render(
        request,
        "workflow/my_case.html",
        {"case": case, "kind": get_kind(case.kind), "timeline": selectors.case_timeline(case)},
    )
