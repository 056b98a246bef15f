"""Continuous residence, a pure function over registration periods."""

from __future__ import annotations

import datetime as dt

import pytest

from residents.continuity import (
    add_months,
    continuous_months,
    continuous_since,
    whole_months_between,
)

D = dt.date


def test_six_whole_months_are_reached_on_the_same_day_six_months_later():
    periods = [(D(2026, 1, 15), None)]
    assert continuous_months(periods, on=D(2026, 7, 14)) == 5
    assert continuous_months(periods, on=D(2026, 7, 15)) == 6


def test_a_start_on_the_31st_reaches_a_short_month_on_its_last_day():
    assert add_months(D(2026, 8, 31), 6) == D(2027, 2, 28)
    assert whole_months_between(D(2026, 8, 31), D(2027, 2, 27)) == 5
    assert whole_months_between(D(2026, 8, 31), D(2027, 2, 28)) == 6


def test_periods_that_touch_join_into_one_run():
    # moving house: the old registration ends on the day the new one starts
    periods = [(D(2025, 1, 1), D(2025, 6, 1)), (D(2025, 6, 1), None)]
    assert continuous_since(periods, on=D(2026, 1, 1)) == D(2025, 1, 1)
    assert continuous_months(periods, on=D(2026, 1, 1)) == 12


def test_overlapping_periods_join():
    periods = [(D(2025, 1, 1), D(2025, 8, 1)), (D(2025, 6, 1), None)]
    assert continuous_since(periods, on=D(2026, 1, 1)) == D(2025, 1, 1)


def test_a_gap_of_one_day_breaks_continuity():
    periods = [(D(2025, 1, 1), D(2025, 6, 1)), (D(2025, 6, 2), None)]
    assert continuous_since(periods, on=D(2026, 1, 1)) == D(2025, 6, 2)
    assert continuous_months(periods, on=D(2026, 1, 1)) == 6


def test_a_city_may_allow_a_short_gap():
    periods = [(D(2025, 1, 1), D(2025, 6, 1)), (D(2025, 8, 1), None)]
    assert continuous_since(periods, on=D(2026, 1, 1), gap_days=90) == D(2025, 1, 1)
    assert continuous_since(periods, on=D(2026, 1, 1), gap_days=30) == D(2025, 8, 1)


def test_nobody_registered_on_the_day_has_no_continuous_residence():
    periods = [(D(2025, 1, 1), D(2025, 6, 1))]
    assert continuous_since(periods, on=D(2025, 6, 1)) is None
    assert continuous_months(periods, on=D(2025, 7, 1)) == 0
    assert continuous_months([], on=D(2025, 7, 1)) == 0


def test_the_run_covering_the_reference_date_counts_not_a_later_one():
    periods = [(D(2024, 1, 1), D(2025, 1, 1)), (D(2025, 3, 1), None)]
    assert continuous_since(periods, on=D(2024, 7, 1)) == D(2024, 1, 1)


def test_order_of_periods_does_not_matter():
    periods = [(D(2025, 6, 1), None), (D(2025, 1, 1), D(2025, 6, 1))]
    assert continuous_since(periods, on=D(2026, 1, 1)) == D(2025, 1, 1)


def test_a_restarted_clock_counts_from_the_restart():
    periods = [(D(2024, 1, 1), None)]
    assert continuous_months(periods, on=D(2026, 1, 1), not_before=D(2025, 10, 1)) == 3
    # a restart before the run began changes nothing
    assert continuous_months(periods, on=D(2026, 1, 1), not_before=D(2023, 1, 1)) == 24


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2026, 1, 15), 6, D(2026, 7, 15)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected
