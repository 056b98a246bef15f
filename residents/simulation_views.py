"""The analyst's page of registry truth: the latest simulated city's curve and daily table."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from residents.simulation import selectors


@login_required
@require_GET
def registry_truth(request: HttpRequest) -> HttpResponse:
    run = selectors.latest_simulation_for(request.user)
    return render(
        request,
        "residents/registry_truth.html",
        {
            "run": run,
            "days": selectors.simulation_days(run),
            "chart": selectors.simulation_chart(run),
        },
    )
