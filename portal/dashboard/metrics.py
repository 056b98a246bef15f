"""The metric registry: what the city's view counts, registered by the apps that own the data.

A metric is one additive count per area and month (registered residents, registrations started,
valid permits, applications decided...). The app that owns the data registers it in its
AppConfig.ready() (or wiring) with `register_metric(...)`; the platform never imports a domain
app and knows metrics only through this registry.

`build(window)` returns SQL text and parameters (`portal.notices.criteria.Sql`) for one
set-based SELECT of rows `(area_id, month, dimension, key, value)` for every month of the
window (`window.first` to `window.last`, first days of months; `window.today` is the last day
counted in the current month). `area_id` is the smallest area the row belongs to (usually a
grid); the rebuild adds every row into each area above it, so a metric must be a count that
sums (a stock counted on the month's last day, or a flow during the month). Rows with an
empty dimension are the area's total; others break it down by one dimension, whose keys are
labelled through `register_dimension`.

Other platform apps read the facts through `monthly_values()` only (see below), never the
table, so the storage can change without them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.utils.translation import gettext_lazy as _

from portal.notices.criteria import Sql

PERSONS = _("persons")


class Kind:
    STOCK = "stock"  # counted on the month's last day (or today, in the current month)
    FLOW = "flow"  # counted over the month


@dataclass(frozen=True)
class Window:
    """The months a rebuild covers: first days of the first and last month, and today."""

    first: dt.date
    last: dt.date
    today: dt.date
    tz: str = "Asia/Shanghai"  # the portal's time zone, for timestamps


def months_sql(window: Window) -> tuple[str, list[Any]]:
    """SQL of the window's months, `(month, as_of)`: each month's first day and the day it is
    counted on (its last day, or today in the current month), as a VALUES list so the planner
    knows how few rows it has; with its parameters."""
    rows, params = [], []
    month = window.first
    while month <= window.last:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        rows.append("(%s::date, %s::date)")
        params.extend([month, min(following - dt.timedelta(days=1), window.today)])
        month = following
    values = ", ".join(rows)
    return f"SELECT * FROM (VALUES {values}) AS months (month, as_of)", params  # noqa: S608


@dataclass(frozen=True)
class Metric:
    code: str
    label: Any  # lazy translatable string
    unit: Any
    kind: str
    build: Callable[[Window], Sql]
    dimensions: tuple[str, ...] = ()
    description: Any = ""
    public: bool = False
    order: int = 100


@dataclass(frozen=True)
class Dimension:
    code: str
    label: Any
    labels: Callable[[], dict[str, str]]  # key -> label, in display order
    order: int = 100

    def key_label(self, key: str) -> str:
        return str(self.labels().get(key, key or _("Unknown")))


_metrics: dict[str, Metric] = {}
_dimensions: dict[str, Dimension] = {}


def register_metric(
    code: str,
    label: Any,
    build: Callable[[Window], Sql],
    *,
    unit: Any = PERSONS,
    kind: str = Kind.STOCK,
    dimensions: Iterable[str] = (),
    description: Any = "",
    public: bool = False,
    order: int = 100,
) -> Metric:
    """Make a metric available to the facts rebuild, the dashboard and the map (a code
    registered again replaces the earlier one). `public` metrics may appear in open statistics."""
    if kind not in (Kind.STOCK, Kind.FLOW):
        raise ValueError(f"metric kind must be stock or flow, not {kind!r}")
    metric = Metric(
        code=code,
        label=label,
        unit=unit,
        kind=kind,
        build=build,
        dimensions=tuple(dimensions),
        description=description,
        public=public,
        order=order,
    )
    _metrics[code] = metric
    return metric


def unregister_metric(code: str) -> None:
    """Remove a metric (for tests that register their own)."""
    _metrics.pop(code, None)


def get_metric(code: str) -> Metric:
    try:
        return _metrics[code]
    except KeyError:
        raise LookupError(f"no dashboard metric {code!r} is registered") from None


def has_metric(code: str) -> bool:
    return code in _metrics


def all_metrics() -> list[Metric]:
    return sorted(_metrics.values(), key=lambda m: (m.order, m.code))


def register_dimension(
    code: str, label: Any, labels: Callable[[], dict[str, str]], *, order: int = 100
) -> Dimension:
    """Name a dimension and label its keys (`labels()` is called at display time, so lazy
    strings follow the reader's language)."""
    dimension = Dimension(code=code, label=label, labels=labels, order=order)
    _dimensions[code] = dimension
    return dimension


def get_dimension(code: str) -> Dimension:
    try:
        return _dimensions[code]
    except KeyError:
        raise LookupError(f"no dashboard dimension {code!r} is registered") from None


def has_dimension(code: str) -> bool:
    return code in _dimensions


# --- the public read ---------------------------------------------------------------------------


class MonthlyValue(NamedTuple):
    area_id: int
    month: dt.date
    key: str
    value: int


def monthly_values(
    code: str,
    *,
    areas: Iterable[int],
    dimension: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[MonthlyValue]:
    """A registered metric's monthly values per area, from the last rebuild of the facts.

    The one way another platform app (the projection, early-warning rules) reads the facts:
    `areas` are area ids of any level, `dimension` "" for totals (key "") or a dimension's
    code for its breakdown, `since`/`until` bound the months (first days; inclusive). Months
    without a row had nothing to count. Ordered by area, month and key. The caller decides
    who may see the figures; this function does not scope.
    """
    from portal.dashboard.models import current_facts

    get_metric(code)
    rows = current_facts().filter(metric=code, area_id__in=list(areas), dimension=dimension)
    if since is not None:
        rows = rows.filter(month__gte=since)
    if until is not None:
        rows = rows.filter(month__lte=until)
    return [
        MonthlyValue(*row)
        for row in rows.order_by("area_id", "month", "key").values_list(
            "area_id", "month", "key", "value"
        )
    ]
