"""Pages of the city's view: the dashboard, the map, the plan's indicators, Excel exports, the
rebuild button, and the public open-statistics page. Thin: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.areas.models import Area, Level
from portal.dashboard import exports, indicators, metrics, opendata, selectors, services
from portal.dashboard.forms import IndicatorValueForm
from portal.dashboard.models import Indicator
from portal.errors import InvalidInput
from portal.replica import reads_from_replica

BREAKDOWNS = ("age_sex", "origin", "reason", "tenure")


def _area_and_month(request: HttpRequest, run=None):
    area = selectors.area_for(request.user, request.GET.get("area"))
    months = selectors.fact_months(run)
    month = selectors.parse_month(request.GET.get("month"), months)
    return area, months, month


def _month_choices(months):
    return [(selectors.month_label(m), selectors.month_label(m)) for m in reversed(months)]


@login_required
@require_GET
@reads_from_replica
def home(request: HttpRequest) -> HttpResponse:
    """Headline figures, trends, age-sex pyramid, origins, reasons, tenure and the areas below."""
    run = selectors.last_run()
    area, months, month = _area_and_month(request, run)
    context = {
        "area": area,
        "crumbs": selectors.breadcrumbs(request.user, area),
        "tops": selectors.top_areas_of(request.user),
        "months": _month_choices(months),
        "month": month,
        "month_label": selectors.month_label(month),
        "can_change": selectors.can_change_dashboard(request.user),
        "run": run,
    }
    if month is not None:
        parts = selectors.breakdowns(area, month, selectors.REGISTERED)
        context.update(
            {
                "headline": selectors.headline(area, month),
                "children": selectors.children_table(area, month),
                "services": selectors.services_table(area, month),
                "breakdowns": [
                    selectors.breakdown_table(area, month, d, parts.get(d, {})) for d in BREAKDOWNS
                ],
                "charts": selectors.dashboard_data(area, month, months, parts),
                "drillable": area.level != Level.GRID,
            }
        )
    return render(request, "dashboard/home.html", context)


@login_required
@require_GET
@reads_from_replica
def map_view(request: HttpRequest) -> HttpResponse:
    """A choropleth of the areas one level down by any metric; clicking an area drills down."""
    area, months, month = _area_and_month(request)
    codes = [m.code for m in selectors.map_metrics()]
    code = request.GET.get("metric") or selectors.REGISTERED
    if code not in codes:
        code = selectors.REGISTERED
    context = {
        "area": area,
        "crumbs": selectors.breadcrumbs(request.user, area),
        "months": _month_choices(months),
        "month": month,
        "month_label": selectors.month_label(month),
        "metric_choices": [(m.code, m.label) for m in selectors.map_metrics()],
        "metric": code,
    }
    if month is not None:
        context["map"] = selectors.map_data(area, month, code)
        context["children"] = selectors.children_table(area, month)
    return render(request, "dashboard/map.html", context)


@login_required
@require_GET
def indicator_list(request: HttpRequest) -> HttpResponse:
    """The plan's indicators: baseline, targets, latest value with its source, status, trend."""
    if not selectors.can_view_dashboard(request.user):
        raise Http404
    city = Area.objects.filter(level=Level.CITY).order_by("code").first()
    views = [
        indicators.view_of(i, city_id=city.pk if city else None) for i in selectors.indicators()
    ]
    return render(
        request,
        "dashboard/indicators.html",
        {
            "views": views,
            "charts": {v.indicator.code: v.chart() for v in views},
            "chart_labels": {
                "plan": _("Plan"),
                "actual": _("Actual"),
                "save": _("Save as picture"),
            },
            "can_change": selectors.can_change_dashboard(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_value(request: HttpRequest, code: str) -> HttpResponse:
    """Enter an indicator's value for a year, with its source and the source's date."""
    if not selectors.can_change_dashboard(request.user):
        raise Http404
    indicator = get_object_or_404(Indicator, code=code)
    form = IndicatorValueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_indicator_value(
                actor=request.user, indicator=indicator, **form.cleaned_data
            )
        except InvalidInput as exc:
            for name, errors in (exc.fields or {}).items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
        else:
            messages.success(request, _("The value was recorded."))
            return redirect("dashboard:indicators")
    return render(request, "dashboard/indicator_value.html", {"indicator": indicator, "form": form})


@login_required
@require_POST
def rebuild(request: HttpRequest) -> HttpResponse:
    """Queue a rebuild of the monthly facts now."""
    if not selectors.can_change_dashboard(request.user):
        raise Http404
    services.request_rebuild(actor=request.user)
    messages.success(request, _("The figures are being rebuilt; reload the page in a minute."))
    return redirect(reverse("dashboard:home"))


@login_required
@require_GET
@reads_from_replica
def export(request: HttpRequest, table: str) -> HttpResponse:
    """One of the dashboard's tables as an Excel file, with its filters in the header."""
    if table == "indicators":
        built = _indicator_table(request)
    else:
        area, months, month = _area_and_month(request)
        if month is None:
            raise Http404
        if table == "children":
            built = selectors.children_table(area, month)
        elif table == "trend":
            built = selectors.trend_table(area, months)
        elif table == "services":
            built = selectors.services_table(area, month)
        elif table in BREAKDOWNS:
            parts = selectors.breakdown(area, month, selectors.REGISTERED, table)
            built = selectors.breakdown_table(area, month, table, parts)
        else:
            raise Http404
    return _xlsx(built)


def _indicator_table(request: HttpRequest) -> selectors.Table:
    if not selectors.can_view_dashboard(request.user):
        raise Http404
    city = Area.objects.filter(level=Level.CITY).order_by("code").first()
    table = selectors.Table(
        name="indicators",
        title=_("Plan indicators"),
        filters=[(_("Area"), city.display_name if city else "")],
        columns=[
            _("Indicator"),
            _("Unit"),
            _("Baseline year"),
            _("Baseline"),
            _("Targets"),
            _("Latest year"),
            _("Latest value"),
            _("Source"),
            _("Status"),
        ],
    )
    for view in (
        indicators.view_of(i, city_id=city.pk if city else None) for i in selectors.indicators()
    ):
        latest = view.latest
        table.rows.append(
            [
                view.indicator.display_name,
                view.indicator.unit,
                view.indicator.baseline_year,
                float(view.indicator.baseline_value),
                "; ".join(f"{year}: {value.normalize()}" for year, value in view.targets),
                latest.year if latest else "",
                float(latest.value) if latest else "",
                latest.source if latest else "",
                str(view.status_label),
            ]
        )
    return table


def _xlsx(table: selectors.Table) -> HttpResponse:
    response = HttpResponse(exports.workbook(table), content_type=exports.XLSX)
    month = dict(table.filters).get(_("Month"), "")
    name = f"{table.name}{'-' + month if month else ''}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- open statistics (public) ------------------------------------------------------------------


def _open_request(request: HttpRequest):
    city = Area.objects.filter(level=Level.CITY).order_by("code").first()
    code = request.GET.get("area")
    area = get_object_or_404(Area, code=code) if code else city
    months = selectors.fact_months()
    month = selectors.parse_month(request.GET.get("month"), months)
    dimensions = opendata.public_dimensions() if metrics.has_metric(opendata.PUBLIC_METRIC) else []
    dimension = request.GET.get("dimension", "")
    if dimension not in {d.code for d in dimensions}:
        dimension = ""
    table = None
    if area is not None and month is not None:
        table = opendata.as_data(opendata.published_table(area, month, dimension), month)
    return area, months, dimensions, dimension, table


@require_GET
@reads_from_replica
def open_statistics(request: HttpRequest) -> HttpResponse:
    """Public: registered new residents by area and month, small cells suppressed."""
    area, months, dimensions, dimension, table = _open_request(request)
    month = table["month"] if table else ""
    return render(
        request,
        "dashboard/open_statistics.html",
        {
            "area": area,
            "crumbs": opendata.chain(area) if area else [],
            "months": _month_choices(months),
            "month_label": month,
            "dimensions": dimensions,
            "dimension": dimension,
            "table": table,
            "drillable": area is not None and area.level not in (Level.COMMUNITY, Level.GRID),
        },
    )


@require_GET
@reads_from_replica
def open_statistics_export(request: HttpRequest) -> HttpResponse:
    """Public: the open-statistics table as an Excel file; hidden figures are "*"."""
    _area, _months, dimensions, dimension, table = _open_request(request)
    if table is None:
        raise Http404
    labels = {d.code: str(d.label) for d in dimensions}
    built = selectors.Table(
        name="open-statistics",
        title=_("Open statistics: new residents by area"),
        filters=[
            (_("Area"), f"{table['area']['name']} ({table['area']['code']})"),
            (_("Month"), table["month"]),
            (_("Broken down by"), labels.get(dimension, str(_("Totals only")))),
            (_("Smallest figure shown"), str(table["k"])),
        ],
        columns=[_("Area"), *(c["label"] for c in table["columns"]), _("Total")],
    )

    def shown(value):
        return "*" if value is None else value

    for row in table["rows"]:
        built.rows.append(
            [row["area"]["name"], *(shown(v) for v in row["cells"]), shown(row["total"])]
        )
    built.rows.append(
        [
            str(_("Total")),
            *(shown(v) for v in table["total"]["cells"]),
            shown(table["total"]["total"]),
        ]
    )
    return _xlsx(built)
