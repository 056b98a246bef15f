"""Pages of the projection for analysts: scenarios, comparison, demands, reports, warnings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.db import transaction
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import pdf
from portal.areas.models import Level
from portal.dashboard import metrics as dashboard_metrics
from portal.errors import ApplicationError
from portal.projection import compute, registry, selectors, services, tables, tasks
from portal.projection.forms import DecisionForm, ScenarioForm, format_series
from portal.projection.models import Base, Scenario

SCENARIOS_PER_PAGE = 20
WARNINGS_PER_PAGE = 50


def _analyst(request: HttpRequest) -> None:
    if not selectors.can_use_projection(request.user):
        raise Http404


def _apply_error(form: Form, exc: ApplicationError) -> None:
    if not exc.fields:
        form.add_error(None, str(exc.message))
    for field, errors in exc.fields.items():
        target = field if field in form.fields else None
        for error in errors:
            form.add_error(target, error)


def project(scenario: Scenario, base: Base) -> compute.Projection:
    """A scenario projected from a base: a decision scenario with the assumptions it compares with."""
    assumptions = scenario.assumptions
    if scenario.compared_with_id is not None:
        assumptions = scenario.compared_with.assumptions
    return compute.run(base, assumptions, scenario.decisions)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The baseline projection of the latest base, and the list of scenarios."""
    _analyst(request)
    base = selectors.latest_base()
    baseline = selectors.baseline()
    scenarios = Paginator(selectors.scenarios_visible_to(request.user), SCENARIOS_PER_PAGE)
    context: dict[str, Any] = {
        "base": base,
        "baseline": baseline,
        "page": scenarios.get_page(request.GET.get("page")),
    }
    if base is not None and baseline is not None:
        projection = project(baseline, base)
        names = tables.district_names(projection.district_ids)
        context.update(
            projection=projection,
            rows=tables.population_rows(projection, names),
            age_rows=tables.age_group_rows(projection),
            chart=tables.chart([(baseline.name, projection)]),
            pyramid=tables.pyramid(projection, len(projection.years) - 1),
        )
    return render(request, "projection/home.html", context)


@login_required
@require_POST
def rebuild_base(request: HttpRequest) -> HttpResponse:
    """Queue a new base from the registry (the nightly job does the same)."""
    _analyst(request)
    transaction.on_commit(lambda: tasks.build_base.delay())
    messages.success(request, _("The registry figures are being read again; refresh in a minute."))
    return redirect("projection:home")


def _scenario_form_page(
    request: HttpRequest, *, form: ScenarioForm, scenario: Scenario | None
) -> HttpResponse:
    return render(request, "projection/scenario_form.html", {"form": form, "scenario": scenario})


@login_required
def scenario_new(request: HttpRequest) -> HttpResponse:
    _analyst(request)
    baseline = selectors.baseline()
    if request.method == "POST":
        form = ScenarioForm(request.POST)
        if form.is_valid():
            try:
                scenario = services.create_scenario(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    assumptions=form.assumptions(),
                )
            except ApplicationError as exc:
                _apply_error(form, exc)
            else:
                messages.success(request, _("Scenario saved."))
                return redirect("projection:scenario", pk=scenario.pk)
    else:
        initial = (
            ScenarioForm.initial_from("", "", baseline.assumptions) if baseline is not None else {}
        )
        form = ScenarioForm(initial=initial)
    return _scenario_form_page(request, form=form, scenario=None)


@login_required
def scenario_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _analyst(request)
    scenario = get_object_or_404(selectors.scenarios_visible_to(request.user), pk=pk)
    if request.method == "POST":
        form = ScenarioForm(request.POST)
        if form.is_valid():
            try:
                services.update_scenario(
                    actor=request.user,
                    scenario_id=scenario.pk,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    assumptions=form.assumptions(),
                )
            except ApplicationError as exc:
                _apply_error(form, exc)
            else:
                messages.success(request, _("Scenario saved."))
                return redirect("projection:scenario", pk=scenario.pk)
    else:
        form = ScenarioForm(
            initial=ScenarioForm.initial_from(
                scenario.name, scenario.description, scenario.assumptions
            )
        )
    return _scenario_form_page(request, form=form, scenario=scenario)


def _forecast_sections(
    projection: compute.Projection, names: dict[int, str]
) -> list[dict[str, Any]]:
    sections = []
    for demand in registry.demands():
        forecast = projection.forecasts.get(demand.key)
        if forecast is None:
            continue
        sections.append(
            {
                "title": forecast.title,
                "unit": forecast.unit,
                "years": forecast.years,
                "rows": tables.forecast_rows(forecast, names),
                "shortfalls": tables.first_shortfalls(forecast, names),
            }
        )
    return sections


@login_required
def scenario_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One scenario projected: persons by district, age groups, demands and their warnings."""
    _analyst(request)
    scenario = get_object_or_404(selectors.scenarios_visible_to(request.user), pk=pk)
    base = selectors.latest_base()
    context: dict[str, Any] = {"scenario": scenario, "base": base}
    if base is not None:
        projection = project(scenario, base)
        names = tables.district_names(projection.district_ids)
        context.update(
            projection=projection,
            rows=tables.population_rows(projection, names),
            age_rows=tables.age_group_rows(projection),
            births=tables.births_row(projection),
            forecasts=_forecast_sections(projection, names),
            chart=tables.chart([(scenario.name, projection)]),
        )
    context["others"] = selectors.scenarios_visible_to(request.user).exclude(pk=pk)[:50]
    return render(request, "projection/scenario.html", context)


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    """Two scenarios side by side: totals, age groups and demands, with the differences."""
    _analyst(request)
    visible = selectors.scenarios_visible_to(request.user)
    try:
        a_id, b_id = int(request.GET.get("a", "")), int(request.GET.get("b", ""))
    except ValueError:
        raise Http404 from None
    first = get_object_or_404(visible, pk=a_id)
    second = get_object_or_404(visible, pk=b_id)
    base = selectors.latest_base()
    context: dict[str, Any] = {"first": first, "second": second, "base": base}
    if base is not None:
        one, two = project(first, base), project(second, base)
        names = tables.district_names(one.district_ids)
        context.update(
            years=tables.common_years(one, two),
            years_one=one.years,
            years_two=two.years,
            rows_one=tables.population_rows(one, names),
            rows_two=tables.population_rows(two, names),
            differences=tables.district_differences(one, two, names),
            age_one=tables.age_group_rows(one),
            age_two=tables.age_group_rows(two),
            chart=tables.chart([(first.name, one), (second.name, two)]),
            forecast_differences=[
                {
                    "key": key,
                    "title": one.forecasts[key].title,
                    "years": tables.common_years(one, two),
                    "rows": tables.forecast_differences(
                        one.forecasts[key], two.forecasts[key], names
                    ),
                }
                for key in one.forecasts
                if key in two.forecasts
            ],
        )
    return render(request, "projection/compare.html", context)


@login_required
def decision_new(request: HttpRequest) -> HttpResponse:
    """Describe a decision; it is projected against the baseline (impact assessment)."""
    _analyst(request)
    baseline = selectors.baseline()
    if baseline is None:
        raise Http404
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                scenario = services.create_scenario(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    assumptions=baseline.assumptions,
                    decisions=form.decisions(),
                    compared_with_id=baseline.pk,
                )
            except ApplicationError as exc:
                _apply_error(form, exc)
            else:
                return redirect("projection:impact", pk=scenario.pk)
    else:
        form = DecisionForm()
    return render(request, "projection/decision_form.html", {"form": form, "baseline": baseline})


def _impact_context(scenario: Scenario, base: Base) -> dict[str, Any]:
    compared = scenario.compared_with
    one = project(compared, base)
    two = project(scenario, base)
    names = tables.district_names(one.district_ids)
    return {
        "scenario": scenario,
        "compared": compared,
        "base": base,
        "years": one.years,
        "differences": tables.district_differences(one, two, names),
        "rows_one": tables.population_rows(one, names),
        "rows_two": tables.population_rows(two, names),
        "forecast_differences": [
            {
                "key": key,
                "title": one.forecasts[key].title,
                "unit": one.forecasts[key].unit,
                "years": one.forecasts[key].years,
                "rows": tables.forecast_differences(one.forecasts[key], two.forecasts[key], names),
                "shortfalls": tables.first_shortfalls(two.forecasts[key], names),
            }
            for key in one.forecasts
            if key in two.forecasts
        ],
        "decisions": describe_decisions(scenario.decisions, names),
    }


def describe_decisions(decisions: list[dict[str, Any]], names: dict[int, str]) -> list[str]:
    out = []
    for decision in decisions:
        if decision["kind"] == "jobs":
            out.append(
                _("%(jobs)s new jobs in %(district)s from %(year)s")
                % {
                    "jobs": decision["jobs"],
                    "district": names.get(decision["district"], ""),
                    "year": decision["from_year"],
                }
            )
        elif decision["kind"] == "school":
            out.append(
                _("A new school with %(seats)s seats a year in %(district)s from %(year)s")
                % {
                    "seats": decision["seats"],
                    "district": names.get(decision["district"], ""),
                    "year": decision["from_year"],
                }
            )
        else:
            out.append(
                _("Affordable-housing points threshold changed to %(threshold)s")
                % {"threshold": decision["threshold"]}
            )
    return out


def _report_css() -> str:
    found = finders.find("css/projection-report.css")
    return Path(found).read_text(encoding="utf-8") if found else ""


def _report_response(
    request: HttpRequest, template: str, context: dict[str, Any], filename: str
) -> HttpResponse:
    if request.GET.get("format") == "pdf":
        html = render_to_string(
            template,
            {
                **context,
                "for_pdf": True,
                "layout": "projection/print_layout.html",
                "report_css": _report_css(),
            },
            request=request,
        )
        response = HttpResponse(pdf.render_pdf(html), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return render(request, template, context)


@login_required
def impact_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable impact assessment of a decision against the scenario it is compared with."""
    _analyst(request)
    scenario = get_object_or_404(
        selectors.scenarios_visible_to(request.user).filter(compared_with__isnull=False), pk=pk
    )
    base = selectors.latest_base()
    if base is None:
        raise Http404
    return _report_response(
        request,
        "projection/impact_report.html",
        _impact_context(scenario, base),
        f"impact-{scenario.pk}.pdf",
    )


def _summary(projection: compute.Projection) -> list[dict[str, Any]]:
    """The city's total now and at 5, 10 and 15 years (as far as the horizon reaches)."""
    totals = projection.totals().sum(axis=1)
    start = float(totals[0])
    out = []
    for k in (0, 5, 10, 15):
        if k < len(totals):
            value = float(totals[k])
            change = (value - start) / start * 100 if start else 0.0
            out.append({"year": projection.years[k], "total": round(value), "change": change})
    return out


@login_required
def forecast_report(request: HttpRequest) -> HttpResponse:
    """The yearly population forecast report (人口预测报告) of the city, from the baseline."""
    _analyst(request)
    base = selectors.latest_base()
    baseline = selectors.baseline()
    if base is None or baseline is None:
        raise Http404
    projection = project(baseline, base)
    names = tables.district_names(projection.district_ids)
    assumptions = baseline.assumptions
    context = {
        "scenario": baseline,
        "base": base,
        "projection": projection,
        "years": projection.years,
        "summary": _summary(projection),
        "rows": tables.population_rows(projection, names),
        "age_rows": tables.age_group_rows(projection),
        "births_rows": [tables.births_row(projection)],
        "forecasts": _forecast_sections(projection, names),
        "tfr": format_series(assumptions["tfr"]),
        "life_expectancy": format_series(assumptions["life_expectancy"]),
        "assumptions": assumptions,
        "chart": tables.chart([(baseline.name, projection)]),
    }
    return _report_response(
        request, "projection/forecast_report.html", context, f"population-{base.on.year}.pdf"
    )


@login_required
def warnings_page(request: HttpRequest) -> HttpResponse:
    """The early-warning rules in force and the warnings they fired, newest first."""
    _analyst(request)
    firings = Paginator(selectors.warnings_visible_to(request.user), WARNINGS_PER_PAGE)
    labels = {m.code: m.label for m in dashboard_metrics.all_metrics()}
    levels = dict(Level.choices)
    rules = [
        {
            "rule": rule,
            "metric": labels.get(rule.metric, rule.metric),
            "level": levels.get(rule.level, rule.level),
        }
        for rule in selectors.warning_rules_visible_to(request.user)
    ]
    return render(
        request,
        "projection/warnings.html",
        {"rules": rules, "page": firings.get_page(request.GET.get("page"))},
    )
