"""What the domain apps tell the projection, registered in their AppConfig.ready().

The platform never imports a domain app; it asks these registries instead:
- the population source: persons by district, sex and single year of age on a date;
- the flow source: arrivals and departures by 12-month span before a date, district, sex
  and age;
- demands: what the projection means for a service (school seats per catchment, affordable
  homes per district): `collect(on)` reads the registry's inputs once into plain data kept
  with the base, `forecast(projection, inputs, assumptions)` turns a projection into demand
  against capacity, year by year.
Early warnings read the dashboard's metric registry (`portal.dashboard.metrics`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

# (district id, sex "M" | "F", age in whole years, persons)
PopulationRow = tuple[int, str, int, int]
# (12-month span before the base date, 0 = latest; district id, sex, age, arrivals, departures)
FlowRow = tuple[int, int, str, int, int, int]


@dataclass(frozen=True)
class Sources:
    population: Callable[[dt.date], Iterable[PopulationRow]]
    flows: Callable[[dt.date, int], Iterable[FlowRow]]


@dataclass
class ForecastRow:
    """Demand and capacity of one place (a catchment, a district) for each forecast year."""

    key: str
    label: str
    district_id: int
    demand: list[float]
    capacity: list[float | None]

    def shortfall(self) -> list[float]:
        return [
            max(d - c, 0.0) if c is not None else 0.0
            for d, c in zip(self.demand, self.capacity, strict=True)
        ]


@dataclass
class Forecast:
    """One demand forecast: rows per place, one column per year."""

    key: str
    title: Any
    unit: Any
    years: list[int]
    rows: list[ForecastRow] = field(default_factory=list)

    def by_district(self) -> dict[int, tuple[list[float], list[float]]]:
        """Demand and capacity summed per district (capacity unknown counts as 0)."""
        out: dict[int, tuple[list[float], list[float]]] = {}
        for row in self.rows:
            demand, capacity = out.setdefault(
                row.district_id, ([0.0] * len(self.years), [0.0] * len(self.years))
            )
            for i, (d, c) in enumerate(zip(row.demand, row.capacity, strict=True)):
                demand[i] += d
                capacity[i] += c or 0.0
        return out


@dataclass(frozen=True)
class Demand:
    key: str
    label: Any
    unit: Any
    collect: Callable[[dt.date], dict[str, Any]]
    forecast: Callable[[Any, dict[str, Any], dict[str, Any]], Forecast]
    order: int = 100


_sources: list[Sources] = []
_demands: dict[str, Demand] = {}


def register_sources(
    *,
    population: Callable[[dt.date], Iterable[PopulationRow]],
    flows: Callable[[dt.date, int], Iterable[FlowRow]],
) -> None:
    _sources[:] = [Sources(population=population, flows=flows)]


def sources() -> Sources | None:
    return _sources[0] if _sources else None


def register_demand(demand: Demand) -> None:
    _demands[demand.key] = demand


def demands() -> list[Demand]:
    return sorted(_demands.values(), key=lambda d: (d.order, d.key))
