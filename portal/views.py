"""Platform pages: the home page of each role, the health check, the error pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal import errors, health, navigation
from portal import home as portal_home
from portal.accounts.models import Role
from portal.workflow import selectors as workflow_selectors
from portal.workflow.models import Status
from portal.workflow.registry import get_kind

# What the portal offers, as the home page presents it to visitors who have not signed in.
SERVICES = (
    (
        "residence_registration",
        _("Residence registration"),
        _("Declare where you live after you arrive. It is the basis of the other services."),
    ),
    (
        "residence_permit",
        _("Residence permit"),
        _("After half a year of registered residence, apply for a permit and renew it yearly."),
    ),
    (
        "tenancy_registration",
        _("Rental housing registration"),
        _("Landlords register a lease and declare tenants moving in and out."),
    ),
    (
        "affordable_housing",
        _("Affordable rental housing"),
        _("Apply for an affordable rental home and follow the allocation."),
    ),
    (
        "school_place",
        _("School places for children"),
        _("Apply for a school place for a child who moved to the city with you."),
    ),
    (
        "points",
        _("Points"),
        _("See your integration points and use them for points-based services."),
    ),
)


MAX_CASES_ON_HOME = 5


def home(request: HttpRequest) -> HttpResponse:
    """Visitors see what the portal offers (each card opens its guide). A signed-in resident sees
    their status first: applications in progress and what each waits for, their registration
    and permit, things due; then the services. Staff see the services of their roles."""
    user = request.user
    if not user.is_authenticated:
        services = [
            {"title": title, "summary": summary, "url": reverse("catalogue:guide", args=[code])}
            for code, title, summary in SERVICES
        ]
        return render(request, "portal/home.html", {"services": services})
    context: dict = {"groups": navigation.grouped_for(user)}
    if user.has_role(Role.RESIDENT):
        today = timezone.localdate()
        cases = list(workflow_selectors.cases_in_progress_of(user)[: MAX_CASES_ON_HOME + 1])
        cases.sort(key=lambda case: case.status not in (Status.DRAFT, Status.RETURNED))
        context.update(
            is_resident=True,
            cases=[
                {
                    "case": case,
                    "kind": _kind_label(case.kind),
                    "waiting_for": workflow_selectors.waiting_for(case),
                    "for_you": case.status in (Status.DRAFT, Status.RETURNED),
                }
                for case in cases[:MAX_CASES_ON_HOME]
            ],
            more_cases=len(cases) > MAX_CASES_ON_HOME,
            cards=portal_home.status_cards(user, on=today),
            due=portal_home.things_due(user, on=today),
        )
    return render(request, "portal/home.html", context)


def _kind_label(code: str) -> str:
    try:
        return str(get_kind(code).label)
    except LookupError:
        return code


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database, Redis and Celery worker reachability: 200 when all are up, 503 otherwise.

    The public gets `{"ok": ...}` only; staff and the internal networks get every part's report.
    """
    report = health.check_all()
    status = 200 if report["ok"] else 503
    if not health.may_see_details(request):
        return JsonResponse({"ok": report["ok"]}, status=status)
    return JsonResponse(report, status=status)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _api_error(code: str, message: str, status: int) -> JsonResponse:
    """The API's one error body, for what never reached a DRF view (an unknown route)."""
    return JsonResponse({"code": code, "message": str(message), "fields": {}}, status=status)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api_error("permission_denied", errors.NotAllowed.default_message, 403)
    return render(request, "403.html", status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api_error("not_found", errors.NotFound.default_message, 404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return _api_error(
            "server_error", _("Something went wrong on our side. Please try again later."), 500
        )
    return render(request, "500.html", status=500)
