"""Open statistics (数据开放): public tables of registered new residents by area and month, with
small-cell suppression.

A table shows the areas one level below an area (rows) by one dimension (columns: sex and age
band, origin province, reason, tenure), with row, column and grand totals; or, without a
dimension, only the areas' totals. No shown figure is under k (OPEN_STATISTICS_MIN_CELL), and
none can be rebuilt by subtraction, also across tables: the totals a table shares with the
table one level up (its own row there) and with its totals-only table are fixed to what those
tables show, so protecting each table protects them all. Tables are worked out from the city
down to the area asked for, from the monthly facts only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from portal.areas.models import Area
from portal.dashboard import metrics, selectors
from portal.dashboard.models import current_facts
from portal.dashboard.suppression import GRAND, Entry, Grid, suppress

PUBLIC_METRIC = "residents.registered"
TOTAL = "total"


@dataclass
class Published:
    """One protected table: its grid and the entries hidden."""

    area: Area
    children: list[Area]
    dimension: str
    keys: list[str]
    grid: Grid
    hidden: set[Entry]

    def shown(self, entry: Entry) -> int | None:
        return None if entry in self.hidden else self.grid.value(entry)


def public_dimensions() -> list[metrics.Dimension]:
    metric = metrics.get_metric(PUBLIC_METRIC)
    return [metrics.get_dimension(d) for d in metric.dimensions if metrics.has_dimension(d)]


def _chain(area: Area) -> list[Area]:
    chain = [area]
    while chain[-1].parent_id:
        chain.append(Area.objects.get(pk=chain[-1].parent_id))
    return list(reversed(chain))


def _facts(areas: list[Area], month: dt.date, dimension: str) -> dict[tuple[int, str], int]:
    rows = (
        current_facts()
        .filter(metric=PUBLIC_METRIC, area__in=areas, month=month, dimension=dimension)
        .values_list("area_id", "key", "value")
    )
    return {(area_id, key): value for area_id, key, value in rows}


def _totals_table(area: Area, month: dt.date, fixed_total: bool | None, k: int) -> Published:
    children = selectors.children_of(area)
    found = _facts(children, month, "")
    cells = {(c.pk, TOTAL): found.get((c.pk, ""), 0) for c in children}
    grid = Grid(rows=[c.pk for c in children], cols=[TOTAL], cells=cells, with_row_totals=False)
    if fixed_total is not None:
        grid.fixed = {("col", TOTAL): fixed_total, GRAND: fixed_total}
    return Published(area, children, "", [TOTAL], grid, suppress(grid, k=k))


def _dimension_table(
    area: Area,
    month: dt.date,
    dimension: str,
    totals: Published,
    parent: Published | None,
    k: int,
) -> Published:
    children = totals.children
    found = _facts(children, month, dimension)
    own = _facts([area], month, dimension)
    keys = selectors.ordered_keys(dimension, {key: 1 for (_a, key) in {**found, **own}})
    cells = {(c.pk, key): found.get((c.pk, key), 0) for c in children for key in keys}
    grid = Grid(rows=[c.pk for c in children], cols=keys, cells=cells)
    fixed: dict[Entry, bool] = {
        ("row", c.pk): ("cell", c.pk, TOTAL) in totals.hidden for c in children
    }
    fixed[GRAND] = GRAND in totals.hidden
    if parent is not None:
        for key in keys:
            fixed[("col", key)] = ("cell", area.pk, key) in parent.hidden or key not in parent.keys
    grid.fixed = fixed
    return Published(area, children, dimension, keys, grid, suppress(grid, k=k))


def published_table(area: Area, month: dt.date, dimension: str = "") -> Published:
    """The protected table of `area`'s children for `month`, by `dimension` ("" for totals)."""
    k = settings.OPEN_STATISTICS_MIN_CELL
    parent_totals: Published | None = None
    parent_dimension: Published | None = None
    for level_area in _chain(area):
        fixed_total = (
            None
            if parent_totals is None
            else ("cell", level_area.pk, TOTAL) in parent_totals.hidden
        )
        totals = _totals_table(level_area, month, fixed_total, k)
        table = totals
        if dimension:
            table = _dimension_table(level_area, month, dimension, totals, parent_dimension, k)
            parent_dimension = table
        parent_totals = totals
    return table


def as_data(table: Published, month: dt.date) -> dict[str, Any]:
    """The table as the page and the API show it: hidden figures are None."""
    grid = table.grid
    dimension = table.dimension
    columns = [
        {"key": key, "label": selectors.key_label(dimension, key) if dimension else ""}
        for key in table.keys
    ]
    rows = []
    for child in table.children:
        cells = [table.shown(("cell", child.pk, key)) for key in table.keys]
        total = table.shown(("row", child.pk)) if grid.with_row_totals else cells[0]
        rows.append(
            {
                "area": {"code": child.code, "name": child.display_name},
                "total": total,
                "cells": cells if dimension else [],
            }
        )
    return {
        "area": {"code": table.area.code, "name": table.area.display_name},
        "month": selectors.month_label(month),
        "metric": str(metrics.get_metric(PUBLIC_METRIC).label),
        "k": settings.OPEN_STATISTICS_MIN_CELL,
        "dimension": dimension,
        "columns": columns if dimension else [],
        "rows": rows,
        "total": {
            "total": table.shown(GRAND),
            "cells": [table.shown(("col", key)) for key in table.keys] if dimension else [],
        },
    }
