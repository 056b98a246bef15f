"""Projections turned into what pages, charts and reports show: plain rows of numbers.

Pure apart from reading area names; everything is rounded to whole persons, seats or homes
only here, at the end, never inside the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from portal.areas.models import Area
from portal.projection.compute import Projection
from portal.projection.registry import Forecast

AGE_GROUPS: list[tuple[Any, int, int]] = [
    (_("0-5"), 0, 5),
    (_("6-14"), 6, 14),
    (_("15-59"), 15, 59),
    (_("60 and over"), 60, 100),
]


@dataclass
class Row:
    label: str
    values: list[int]
    flags: list[bool] | None = None


def district_names(district_ids: list[int]) -> dict[int, str]:
    areas = Area.objects.in_bulk(district_ids)
    return {pk: areas[pk].display_name if pk in areas else str(pk) for pk in district_ids}


def population_rows(projection: Projection, names: dict[int, str]) -> list[Row]:
    """Total persons per district and year, then the city."""
    totals = projection.totals()
    rows = [
        Row(names[d], [round(v) for v in totals[:, i]])
        for i, d in enumerate(projection.district_ids)
    ]
    rows.append(Row(str(_("City")), [round(v) for v in totals.sum(axis=1)]))
    return rows


def age_group_rows(projection: Projection) -> list[Row]:
    """City persons per age group and year."""
    return [
        Row(str(label), [round(v) for v in projection.ages(low, high).sum(axis=1)])
        for label, low, high in AGE_GROUPS
    ]


def births_row(projection: Projection) -> Row:
    """City births in each projection year (none shown for the base year)."""
    return Row(str(_("Births")), [0] + [round(v) for v in projection.births.sum(axis=(1, 2))])


def _label(row: Any, names: dict[int, str]) -> str:
    """A row's own label, or its district's name when it has none (a row per district)."""
    return str(row.label) if row.label else names.get(row.district_id, str(row.district_id))


def forecast_rows(forecast: Forecast, names: dict[int, str]) -> list[dict[str, Any]]:
    """Each place's demand and capacity per year, with a flag where demand exceeds capacity."""
    out = []
    for row in forecast.rows:
        cells = []
        for demand, capacity in zip(row.demand, row.capacity, strict=True):
            cells.append(
                {
                    "demand": round(demand),
                    "capacity": None if capacity is None else round(capacity),
                    "short": capacity is not None and round(demand) > round(capacity),
                }
            )
        out.append({"label": _label(row, names), "cells": cells})
    return out


def first_shortfalls(forecast: Forecast, names: dict[int, str]) -> list[dict[str, Any]]:
    """The places where demand will exceed capacity, with the first such year and the gap."""
    out = []
    for row in forecast.rows:
        for year, demand, capacity in zip(forecast.years, row.demand, row.capacity, strict=True):
            if capacity is not None and round(demand) > round(capacity):
                out.append(
                    {
                        "label": _label(row, names),
                        "year": year,
                        "gap": round(demand) - round(capacity),
                    }
                )
                break
    return out


def district_differences(base: Projection, other: Projection, names: dict[int, str]) -> list[Row]:
    """Persons per district and year in `other` less those in `base`."""
    years = min(len(base.years), len(other.years))
    diff = other.totals()[:years] - base.totals()[:years]
    rows = [Row(names[d], [round(v) for v in diff[:, i]]) for i, d in enumerate(base.district_ids)]
    rows.append(Row(str(_("City")), [round(v) for v in diff.sum(axis=1)]))
    return rows


def forecast_differences(
    base: Forecast, other: Forecast, names: dict[int, str]
) -> list[dict[str, Any]]:
    """Per district and year: the change in demand, in capacity, and in the shortfall."""
    before = base.by_district()
    after = other.by_district()
    years = min(len(base.years), len(other.years))
    rows = []
    for district in sorted(set(before) | set(after), key=lambda d: names.get(d, str(d))):
        zeros = ([0.0] * years, [0.0] * years)
        d0, c0 = before.get(district, zeros)
        d1, c1 = after.get(district, zeros)
        cells = []
        for i in range(years):
            gap0 = max(d0[i] - c0[i], 0.0)
            gap1 = max(d1[i] - c1[i], 0.0)
            cells.append(
                {
                    "demand": round(d1[i] - d0[i]),
                    "capacity": round(c1[i] - c0[i]),
                    "shortfall": round(gap1) - round(gap0),
                }
            )
        rows.append({"label": names.get(district, str(district)), "cells": cells})
    return rows


def common_years(one: Projection, two: Projection) -> list[int]:
    """The years both projections reach."""
    return one.years[: min(len(one.years), len(two.years))]


def chart(projections: list[tuple[str, Projection]]) -> dict[str, Any]:
    """Series of city totals per scenario, for ECharts (the longest horizon on the axis)."""
    years = max((p.years for _, p in projections), key=len) if projections else []
    return {
        "years": years,
        "series": [
            {"name": name, "data": [round(v) for v in p.totals().sum(axis=1)]}
            for name, p in projections
        ],
    }


def pyramid(projection: Projection, year_index: int) -> dict[str, Any]:
    """Men (negative) and women by five-year age group in one year, for a population pyramid."""
    population = projection.population[year_index].sum(axis=0)
    groups = [(a, min(a + 4, 100)) for a in range(0, 100, 5)] + [(100, 100)]
    labels = [f"{low}-{high}" if low < 100 else "100+" for low, high in groups]
    men = [-round(population[0, low : high + 1].sum()) for low, high in groups]
    women = [round(population[1, low : high + 1].sum()) for low, high in groups]
    return {"labels": labels, "men": men, "women": women}
