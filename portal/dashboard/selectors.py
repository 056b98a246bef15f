"""Reads of the city's view, scoped to the reader, and the tables every page, export and API
endpoint shows (one builder per table, so a page and its Excel file never disagree).

Visibility (the one place it is decided):
- analysts, leaders and administrators see the figures; nobody else does (404);
- an analyst or a leader with districts sees those districts and the areas inside them only;
  without districts, the whole city. Administrators see the whole city;
- rebuilding the facts and entering indicator values is for analysts of the whole city and
  administrators; leaders only read.

Every figure comes from the monthly facts (portal.dashboard.models.Fact): nothing here counts
the registry.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from portal.accounts.models import Role, User
from portal.areas.models import Area, Level
from portal.dashboard import metrics
from portal.dashboard.models import FactRun, Indicator, RunStatus, current_facts

VIEWER_ROLES = (Role.ANALYST, Role.LEADER, Role.ADMINISTRATOR)

REGISTERED = "residents.registered"
HEADLINE_METRICS = (
    "residents.registered",
    "residents.arrivals",
    "residents.departures",
    "residents.permits_valid",
    "residents.permits_expiring",
    "residents.unregistered_found",
    "housing.tenants",
)
CHILD_METRICS = (
    "residents.registered",
    "residents.arrivals",
    "residents.departures",
    "residents.permits_valid",
)
SERVICE_METRICS = ("workflow.submitted", "workflow.decided", "workflow.days_to_decide")


# --- who sees what -----------------------------------------------------------------------------


def can_view_dashboard(user: User) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_superuser or any(user.has_role(role) for role in VIEWER_ROLES))
    )


def scoped_district_ids(user: User) -> list[int] | None:
    """The districts the user's figures are limited to, or None for the whole city."""
    if user.is_superuser or user.has_role(Role.ADMINISTRATOR):
        return None
    ids = sorted(user.districts.values_list("pk", flat=True))
    return ids or None


def can_change_dashboard(user: User) -> bool:
    """Rebuild the facts, enter indicator values: city-wide analysts and administrators."""
    if not can_view_dashboard(user):
        return False
    if user.is_superuser or user.has_role(Role.ADMINISTRATOR):
        return True
    return user.has_role(Role.ANALYST) and scoped_district_ids(user) is None


def areas_visible_to(user: User) -> QuerySet[Area]:
    """The areas whose figures the user may see (none for a user who sees no figures)."""
    if not can_view_dashboard(user):
        return Area.objects.none()
    districts = scoped_district_ids(user)
    qs = Area.objects.select_related("parent")
    if districts is None:
        return qs
    return qs.filter(district_id__in=districts)


def top_areas_of(user: User) -> list[Area]:
    """Where the user's view starts: the city, or each of their districts."""
    districts = scoped_district_ids(user)
    if districts is None:
        return list(Area.objects.filter(level=Level.CITY).order_by("code"))
    return list(Area.objects.filter(pk__in=districts).order_by("code"))


def area_for(user: User, code: str | None) -> Area:
    """The area a page asks for (its division code), or the user's first top area; 404 outside
    the user's scope or for a user who sees no figures."""
    if not can_view_dashboard(user):
        raise Http404
    if not code:
        tops = top_areas_of(user)
        if not tops:
            raise Http404
        return tops[0]
    return get_object_or_404(areas_visible_to(user), code=code)


def breadcrumbs(user: User, area: Area) -> list[Area]:
    """The area's ancestors the user may see, top first, ending with the area."""
    visible = set(areas_visible_to(user).values_list("pk", flat=True)) if area.parent_id else None
    chain = [area]
    current = area
    while current.parent_id:
        current = Area.objects.get(pk=current.parent_id)
        if visible is not None and current.pk not in visible:
            break
        chain.append(current)
    return list(reversed(chain))


def children_of(area: Area) -> list[Area]:
    return list(Area.objects.filter(parent=area).order_by("code"))


# --- months ------------------------------------------------------------------------------------


def last_run() -> FactRun | None:
    return FactRun.objects.filter(status=RunStatus.FINISHED).order_by("-finished_at").first()


def fact_months(run: FactRun | None = None) -> list[dt.date]:
    """The months the last finished rebuild covers, oldest first."""
    run = run or last_run()
    if run is None:
        return []
    months, day = [], run.first_month
    while day <= run.last_month:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def parse_month(raw: str | None, months: list[dt.date]) -> dt.date | None:
    """A `YYYY-MM` the facts cover, or the latest month; None when there are no facts."""
    if not months:
        return None
    if raw:
        try:
            month = dt.datetime.strptime(raw, "%Y-%m").date()  # noqa: DTZ007
        except ValueError:
            return months[-1]
        if month in months:
            return month
    return months[-1]


# --- reading facts -----------------------------------------------------------------------------


def values_at(area_ids: list[int], month: dt.date, codes: tuple[str, ...]) -> dict:
    """{(area_id, metric): value} of the totals for one month."""
    rows = (
        current_facts()
        .filter(metric__in=codes, area_id__in=area_ids, month=month, dimension="")
        .values_list("area_id", "metric", "value")
    )
    return {(area_id, code): value for area_id, code, value in rows}


def trend(area: Area, codes: tuple[str, ...], months: list[dt.date]) -> dict[str, list[int]]:
    """{metric: [value per month]} of the area's totals."""
    found = {
        (code, month): value
        for code, month, value in current_facts()
        .filter(metric__in=codes, area=area, dimension="", month__in=months)
        .values_list("metric", "month", "value")
    }
    return {code: [found.get((code, m), 0) for m in months] for code in codes}


def breakdown(area: Area, month: dt.date, code: str, dimension: str) -> dict[str, int]:
    """{key: value} of one metric's breakdown by one dimension in one area and month."""
    return dict(
        current_facts()
        .filter(metric=code, area=area, month=month, dimension=dimension)
        .values_list("key", "value")
    )


def breakdowns(area: Area, month: dt.date, code: str) -> dict[str, dict[str, int]]:
    """{dimension: {key: value}} of every breakdown of one metric (one query)."""
    result: dict[str, dict[str, int]] = defaultdict(dict)
    for dimension, key, value in (
        current_facts()
        .filter(metric=code, area=area, month=month)
        .exclude(dimension="")
        .values_list("dimension", "key", "value")
    ):
        result[dimension][key] = value
    return result


def ordered_keys(dimension: str, found: dict[str, int]) -> list[str]:
    """The dimension's keys in its own order, then any others the facts hold."""
    labels = metrics.get_dimension(dimension).labels() if metrics.has_dimension(dimension) else {}
    known = [k for k in labels if k in found]
    return known + sorted(k for k in found if k not in labels)


def key_label(dimension: str, key: str) -> str:
    if metrics.has_dimension(dimension):
        return metrics.get_dimension(dimension).key_label(key)
    return key


def month_label(month: dt.date | None) -> str:
    return f"{month:%Y-%m}" if month else ""


# --- tables ------------------------------------------------------------------------------------


@dataclass
class Table:
    """A table as a page shows it and an Excel file holds it: a title, the filters that made
    it, column headings and rows (the first cell of a row is its heading)."""

    name: str
    title: str
    filters: list[tuple[str, str]]
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # per row: the code of the area to drill to

    def items(self) -> list[tuple[str | None, Any, list[Any]]]:
        """(area code to drill to or None, row heading, the other cells) per row."""
        links = self.links + [None] * (len(self.rows) - len(self.links))
        return [(link, row[0], row[1:]) for link, row in zip(links, self.rows, strict=True)]


def _filters(area: Area, month: dt.date | None, **extra: str) -> list[tuple[str, str]]:
    items = [(_("Area"), f"{area.display_name} ({area.code})"), (_("Month"), month_label(month))]
    items.extend(extra.items())
    return items


def children_table(area: Area, month: dt.date) -> Table:
    """Each area one level down with its headline figures for the month."""
    children = children_of(area)
    found = values_at([c.pk for c in children], month, CHILD_METRICS)
    table = Table(
        name="children",
        title=_("Figures by area"),
        filters=_filters(area, month),
        columns=[_("Area"), *(str(metrics.get_metric(c).label) for c in CHILD_METRICS)],
    )
    for child in children:
        table.rows.append(
            [child.display_name, *(found.get((child.pk, code), 0) for code in CHILD_METRICS)]
        )
        table.links.append(child.code)
    return table


def trend_table(area: Area, months: list[dt.date]) -> Table:
    codes = tuple(c for c in HEADLINE_METRICS if metrics.has_metric(c))
    series = trend(area, codes, months)
    table = Table(
        name="trend",
        title=_("Monthly trend"),
        filters=[
            (_("Area"), f"{area.display_name} ({area.code})"),
            (_("Months"), f"{month_label(months[0])} – {month_label(months[-1])}"),
        ],
        columns=[_("Month"), *(str(metrics.get_metric(c).label) for c in codes)],
    )
    for index, month in enumerate(months):
        table.rows.append([month_label(month), *(series[c][index] for c in codes)])
    return table


def breakdown_table(area: Area, month: dt.date, dimension: str, found: dict[str, int]) -> Table:
    name = str(metrics.get_dimension(dimension).label) if metrics.has_dimension(dimension) else ""
    table = Table(
        name=dimension,
        title=name,
        filters=_filters(area, month, **{_("Metric"): str(metrics.get_metric(REGISTERED).label)}),
        columns=[name, str(metrics.get_metric(REGISTERED).label)],
    )
    for key in ordered_keys(dimension, found):
        table.rows.append([key_label(dimension, key), found[key]])
    return table


def services_table(area: Area, month: dt.date) -> Table:
    """Applications per service in the month: submitted, decided, average days to decide."""
    by_kind: dict[str, dict[str, int]] = defaultdict(dict)
    for code, key, value in (
        current_facts()
        .filter(metric__in=SERVICE_METRICS, area=area, month=month, dimension="kind")
        .values_list("metric", "key", "value")
    ):
        by_kind[key][code] = value
    table = Table(
        name="services",
        title=_("Applications per service"),
        filters=_filters(area, month),
        columns=[
            _("Service"),
            _("Submitted"),
            _("Decided"),
            _("Average days to decide"),
        ],
    )
    for kind in ordered_keys("kind", by_kind):
        counts = by_kind[kind]
        decided = counts.get("workflow.decided", 0)
        days = counts.get("workflow.days_to_decide", 0)
        table.rows.append(
            [
                key_label("kind", kind),
                counts.get("workflow.submitted", 0),
                decided,
                round(days / decided, 1) if decided else "",
            ]
        )
    return table


# --- the dashboard page ------------------------------------------------------------------------


def headline(area: Area, month: dt.date) -> dict[str, Any]:
    """The headline figures of an area for a month, and the registration rate against the
    feeds' estimate (registered / (registered + unregistered residents the feeds found))."""
    codes = tuple(c for c in HEADLINE_METRICS if metrics.has_metric(c))
    found = values_at([area.pk], month, codes)
    figures = {code: found.get((area.pk, code), 0) for code in codes}
    registered = figures.get(REGISTERED, 0)
    estimate = registered + figures.get("residents.unregistered_found", 0)
    rate = Decimal(registered * 100) / estimate if estimate else None
    cards = [
        {"code": code, "label": metrics.get_metric(code).label, "value": figures[code]}
        for code in codes
    ]
    return {"cards": cards, "rate": rate}


def dashboard_data(area: Area, month: dt.date, months: list[dt.date]) -> dict[str, Any]:
    """Everything the dashboard page draws, as plain data (it goes to the charts as JSON)."""
    codes = tuple(c for c in HEADLINE_METRICS if metrics.has_metric(c))
    series = trend(area, codes, months)
    parts = breakdowns(area, month, REGISTERED)
    pyramid = parts.get("age_sex", {})
    bands = sorted({int(key[1:]) for key in pyramid})
    labels = metrics.get_dimension("age_sex").labels() if metrics.has_dimension("age_sex") else {}

    def band_label(band: int) -> str:
        text = labels.get(f"M{band}", str(band))
        return text.split(" ", 1)[-1]

    def pairs(dimension: str) -> list[dict[str, Any]]:
        found = parts.get(dimension, {})
        return [
            {"name": key_label(dimension, key), "value": found[key]}
            for key in ordered_keys(dimension, found)
        ]

    return {
        "months": [month_label(m) for m in months],
        "trend": [
            {
                "name": str(metrics.get_metric(code).label),
                "kind": metrics.get_metric(code).kind,
                "values": series[code],
            }
            for code in codes
        ],
        "pyramid": {
            "bands": [band_label(b) for b in bands],
            "male": [-pyramid.get(f"M{b}", 0) for b in bands],
            "female": [pyramid.get(f"F{b}", 0) for b in bands],
            "male_label": _("Male"),
            "female_label": _("Female"),
        },
        "origin": sorted(pairs("origin"), key=lambda p: -p["value"]),
        "reason": pairs("reason"),
        "tenure": pairs("tenure"),
        "labels": {
            "trend": _("Monthly trend"),
            "pyramid": _("Age and sex"),
            "origin": _("Province of origin"),
            "reason": _("Reason for residence"),
            "tenure": _("Tenure"),
            "save": _("Save as picture"),
        },
    }


# --- the map -----------------------------------------------------------------------------------


def map_metrics() -> list[metrics.Metric]:
    return metrics.all_metrics()


def map_data(area: Area, month: dt.date, code: str) -> dict[str, Any]:
    """The area's children as GeoJSON features with one metric's value each, for a choropleth."""
    metric = metrics.get_metric(code)
    children = [c for c in children_of(area) if c.boundary]
    found = values_at([c.pk for c in children], month, (code,))
    features = []
    values = []
    for child in children:
        features.append(
            {
                "type": "Feature",
                "properties": {"name": child.display_name, "code": child.code},
                "geometry": child.boundary,
            }
        )
        values.append(
            {
                "name": child.display_name,
                "code": child.code,
                "value": found.get((child.pk, code), 0),
            }
        )
    return {
        "geojson": {"type": "FeatureCollection", "features": features},
        "values": values,
        "metric": str(metric.label),
        "unit": str(metric.unit),
        "drillable": area.level != Level.COMMUNITY,
        "labels": {"save": _("Save as picture"), "no_boundaries": _("No boundaries")},
    }


# --- indicators --------------------------------------------------------------------------------


def indicators() -> QuerySet[Indicator]:
    return Indicator.objects.prefetch_related("targets", "values").order_by("order", "code")
