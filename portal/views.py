"""Platform pages: the home page of each role, the health check, the error pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal import health


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database, Redis and Celery worker reachability: 200 when all are up, 503 otherwise."""
    report = health.check_all()
    return JsonResponse(report, status=200 if report["ok"] else 503)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
