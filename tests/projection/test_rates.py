"""Rates from assumptions: the fertility schedule, the Brass-logit life table, interpolation."""

from __future__ import annotations

import numpy as np
import pytest

from portal.projection import rates


def test_fertility_schedule_sums_to_the_total_fertility_rate_over_ages_15_to_49():
    asfr = rates.fertility_rates(1.8)

    assert asfr.sum() == pytest.approx(1.8)
    assert asfr[:15].sum() == 0.0
    assert asfr[50:].sum() == 0.0
    assert 24 <= int(np.argmax(asfr)) <= 30


@pytest.mark.parametrize(("e0", "sex"), [(72.0, "M"), (78.75, "M"), (81.0, "F"), (85.0, "F")])
def test_brass_life_table_has_the_life_expectancy_asked_for(e0, sex):
    lx = rates.brass_life_table(e0, sex)

    assert rates.life_expectancy(lx) == pytest.approx(e0, abs=1e-6)
    assert lx[0] == 1.0
    assert (np.diff(lx) <= 0).all()


def test_higher_life_expectancy_means_better_survival_at_every_age():
    low, _ = rates.survival_ratios(rates.brass_life_table(75.0, "F"))
    high, _ = rates.survival_ratios(rates.brass_life_table(82.0, "F"))

    assert (high >= low).all()
    assert ((low > 0) & (low <= 1)).all()


def test_plan_values_are_interpolated_between_years_and_held_flat_outside():
    plan_tfr = [[2015, 0.71], [2020, 1.2], [2030, 1.8]]

    values = rates.interpolate(plan_tfr, [2010, 2020, 2025, 2030, 2040])

    assert values.tolist() == pytest.approx([0.71, 1.2, 1.5, 1.8, 1.8])
