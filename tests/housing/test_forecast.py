"""Affordable-housing demand per district from the projection, and a changed threshold."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.utils import timezone

from housing import forecast
from points.models import ScoreDistribution, Service
from portal.projection.compute import Projection
from tests.housing.conftest import rules_in_force  # noqa: F401 - fixture


def projection_with_adults(district_ids: list[int], adults: list[float]) -> Projection:
    population = np.zeros((3, len(district_ids), 2, 101))
    for d, count in enumerate(adults):
        population[:, d, 0, 30] = count
    return Projection(
        base_date=dt.date(2026, 8, 31),
        years=[2026, 2027, 2028],
        district_ids=district_ids,
        population=population,
        births=np.zeros((2, len(district_ids), 2)),
    )


def test_eligible_share_counts_scores_at_or_above_the_threshold():
    distribution = [[20.0, 5], [30.0, 3], [45.0, 2]]

    assert forecast.eligible_share(distribution, 30.0) == pytest.approx(0.5)
    assert forecast.eligible_share(distribution, 10.0) == 1.0
    assert forecast.eligible_share([], 30.0) == 1.0


def test_demand_is_adults_times_eligible_share_times_application_rate_against_units():
    inputs = {"units": {"1": 10}, "threshold": 30.0, "distribution": [[20.0, 1], [40.0, 1]]}
    projection = projection_with_adults([1, 2], [1000.0, 10.0])

    result = forecast.forecast(projection, inputs, {"housing_application_rate": 0.1})

    one, two = result.rows
    assert one.demand == pytest.approx([50.0, 50.0, 50.0])  # 1000 x 0.5 x 0.1
    assert one.capacity == [10.0, 10.0, 10.0]
    assert two.capacity == [0.0, 0.0, 0.0]
    assert one.shortfall() == pytest.approx([40.0, 40.0, 40.0])


def test_a_lower_threshold_raises_demand():
    inputs = {"units": {}, "threshold": 30.0, "distribution": [[20.0, 1], [40.0, 1]]}
    projection = projection_with_adults([1], [1000.0])
    decision = {"kind": "points_threshold", "threshold": 15.0}

    before = forecast.forecast(projection, inputs, {"housing_application_rate": 0.1})
    after = forecast.forecast(
        projection, inputs, {"housing_application_rate": 0.1, "decisions": [decision]}
    )

    assert after.rows[0].demand[0] == pytest.approx(2 * before.rows[0].demand[0])


def test_collect_reads_units_threshold_and_distribution(project, rules_in_force, district_a):  # noqa: F811
    ScoreDistribution.objects.create(
        rule_set=rules_in_force, service=Service.HOUSING, total=35, count=4
    )

    inputs = forecast.collect(timezone.localdate())

    assert inputs["units"] == {str(district_a.pk): 4}
    assert inputs["threshold"] == 30.0
    assert inputs["distribution"] == [[35.0, 4]]
