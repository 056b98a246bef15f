"""Affordable-housing demand per district, years ahead, from the platform's population projection.

Demand in a district and year = projected adults aged 18-59 there x the share of scored
residents whose housing score reaches the threshold x the share of those who apply (a
scenario assumption). The share comes from the points ledger's score distribution under the
rule set in force on the base date (a small table, no scan of the ledger); with no scores yet
every adult counts as eligible. A decision can change the threshold. Capacity is the
affordable units of the district's projects.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from housing.models import HousingUnit
from points import selectors as points_selectors
from points.models import ScoreDistribution, Service, ServiceRule
from portal.projection import registry

KEY = "affordable_housing"
ADULT_AGES = (18, 59)


def collect(on: dt.date) -> dict[str, Any]:
    """Units per district, the housing threshold in force and the score distribution."""
    units = {
        str(row["project__district_id"]): row["n"]
        for row in HousingUnit.objects.values("project__district_id").annotate(n=Count("id"))
    }
    rule_set = points_selectors.rule_set_in_force(on=on)
    threshold = None
    distribution: list[list[float]] = []
    if rule_set is not None:
        rule = ServiceRule.objects.filter(rule_set=rule_set, service=Service.HOUSING).first()
        threshold = float(rule.threshold) if rule is not None else None
        distribution = [
            [float(total), count]
            for total, count in ScoreDistribution.objects.filter(
                rule_set=rule_set, service=Service.HOUSING, count__gt=0
            ).values_list("total", "count")
        ]
    return {"units": units, "threshold": threshold, "distribution": distribution}


def eligible_share(distribution: list[list[float]], threshold: float | None) -> float:
    """The share of scored residents at or above the threshold (1 with no scores or threshold)."""
    total = sum(count for _total, count in distribution)
    if threshold is None or total == 0:
        return 1.0
    return sum(count for score, count in distribution if score >= threshold) / total


def forecast(
    projection: Any, inputs: dict[str, Any], assumptions: dict[str, Any]
) -> registry.Forecast:
    threshold = inputs.get("threshold")
    for decision in assumptions.get("decisions", []):
        if decision.get("kind") == "points_threshold":
            threshold = float(decision["threshold"])
    share = eligible_share(inputs.get("distribution", []), threshold)
    rate = float(assumptions["housing_application_rate"])
    adults = projection.ages(*ADULT_AGES)
    result = registry.Forecast(
        key=KEY,
        title=gettext_lazy("Affordable rental housing"),
        unit=_("homes"),
        years=list(projection.years),
    )
    units = inputs.get("units", {})
    for d, district in enumerate(projection.district_ids):
        count = float(units.get(str(district), 0))
        result.rows.append(
            registry.ForecastRow(
                key=str(district),
                label="",  # the district's name, shown in the reader's language
                district_id=district,
                demand=[float(v) * share * rate for v in adults[:, d]],
                capacity=[count] * len(projection.years),
            )
        )
    return result


def register() -> None:
    registry.register_demand(
        registry.Demand(
            key=KEY,
            label=gettext_lazy("Affordable rental housing"),
            unit=gettext_lazy("homes"),
            collect=collect,
            forecast=forecast,
            order=20,
        )
    )
