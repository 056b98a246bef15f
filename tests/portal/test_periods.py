"""Continuity over periods (portal.periods): examples of each rule, then properties over random periods."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.periods import (
    add_months,
    add_years,
    continuous_months,
    continuous_since,
    merge,
    whole_months_between,
    whole_years_between,
)

D = dt.date


# --- calendar arithmetic -------------------------------------------------------------------------


def test_a_month_later_is_the_same_day_or_the_last_day_of_a_shorter_month():
    assert add_months(D(2026, 1, 15), 1) == D(2026, 2, 15)
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2026, 3, 31), -1) == D(2026, 2, 28)
    assert add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)


def test_29_february_a_year_later_is_28_february():
    assert add_years(D(2024, 2, 29), 1) == D(2025, 2, 28)
    assert add_years(D(2024, 2, 29), -4) == D(2020, 2, 29)


def test_whole_months_are_reached_on_the_same_day():
    assert whole_months_between(D(2026, 1, 15), D(2026, 7, 14)) == 5
    assert whole_months_between(D(2026, 1, 15), D(2026, 7, 15)) == 6
    assert whole_months_between(D(2026, 8, 31), D(2027, 2, 28)) == 6
    assert whole_months_between(D(2026, 5, 1), D(2026, 4, 1)) == 0


def test_age_in_whole_years_turns_on_the_birthday():
    assert whole_years_between(D(1990, 5, 12), D(2026, 5, 11)) == 35
    assert whole_years_between(D(1990, 5, 12), D(2026, 5, 12)) == 36


# --- runs ------------------------------------------------------------------------------------------


def test_touching_and_overlapping_periods_merge_into_one_run():
    periods = [
        (D(2025, 6, 1), None),
        (D(2025, 1, 1), D(2025, 6, 1)),
        (D(2024, 1, 1), D(2024, 3, 1)),
        (D(2024, 2, 1), D(2024, 5, 1)),
    ]
    assert merge(periods) == [(D(2024, 1, 1), D(2024, 5, 1)), (D(2025, 1, 1), None)]


def test_one_uncovered_day_breaks_the_run_without_a_gap_allowance():
    periods = [(D(2025, 1, 1), D(2025, 6, 1)), (D(2025, 6, 2), None)]
    assert continuous_since(periods, on=D(2026, 1, 1)) == D(2025, 6, 2)
    assert continuous_months(periods, on=D(2026, 1, 1)) == 6


def test_a_gap_of_up_to_three_months_is_still_continuous():
    # insurance paid Jan 2023 - Mar 2025, nothing from 1 March to 31 May, then paid again
    periods = [(D(2023, 1, 1), D(2025, 3, 1)), (D(2025, 6, 1), None)]
    assert continuous_since(periods, on=D(2026, 1, 1), gap_months=3) == D(2023, 1, 1)
    # the gap months do not stop the clock: 36 months from January 2023
    assert continuous_months(periods, on=D(2026, 1, 1), gap_months=3) == 36


def test_a_gap_longer_than_three_months_restarts_the_run():
    periods = [(D(2023, 1, 1), D(2025, 3, 1)), (D(2025, 6, 2), None)]
    assert continuous_since(periods, on=D(2026, 1, 1), gap_months=3) == D(2025, 6, 2)
    assert continuous_months(periods, on=D(2026, 1, 1), gap_months=3) == 6


def test_a_gap_in_days_is_counted_in_days():
    periods = [(D(2025, 1, 1), D(2025, 2, 1)), (D(2025, 2, 11), None)]
    assert continuous_since(periods, on=D(2025, 6, 1), gap_days=10) == D(2025, 1, 1)
    assert continuous_since(periods, on=D(2025, 6, 1), gap_days=9) == D(2025, 2, 11)


def test_the_reference_day_must_be_covered_without_a_gap_allowance():
    periods = [(D(2024, 1, 1), D(2025, 1, 1))]
    assert continuous_since(periods, on=D(2024, 12, 31)) == D(2024, 1, 1)
    assert continuous_since(periods, on=D(2025, 1, 1)) is None
    assert continuous_months(periods, on=D(2025, 1, 1)) == 0


def test_a_period_that_ended_within_the_allowance_still_reaches_the_reference_day():
    periods = [(D(2024, 1, 1), D(2025, 11, 1))]
    assert continuous_months(periods, on=D(2026, 1, 15), gap_months=3) == 24
    assert continuous_months(periods, on=D(2026, 2, 2), gap_months=3) == 0


def test_periods_after_the_reference_day_are_ignored():
    periods = [(D(2024, 1, 1), None), (D(2020, 1, 1), D(2023, 12, 1))]
    assert continuous_since(periods, on=D(2023, 6, 1)) == D(2020, 1, 1)


def test_a_late_endorsement_restarts_the_residence_clock():
    periods = [(D(2020, 3, 1), None)]
    assert continuous_months(periods, on=D(2026, 3, 1)) == 72
    assert continuous_months(periods, on=D(2026, 3, 1), restart=D(2025, 9, 1)) == 6
    assert continuous_since(periods, on=D(2026, 3, 1), restart=D(2025, 9, 1)) == D(2025, 9, 1)


def test_a_restart_after_the_reference_day_had_not_happened_yet():
    periods = [(D(2020, 3, 1), None)]
    assert continuous_months(periods, on=D(2025, 3, 1), restart=D(2025, 9, 1)) == 60


def test_a_restart_before_the_run_changes_nothing():
    periods = [(D(2022, 1, 1), None)]
    assert continuous_since(periods, on=D(2026, 1, 1), restart=D(2021, 1, 1)) == D(2022, 1, 1)


def test_no_periods_means_no_continuity():
    assert continuous_since([], on=D(2026, 1, 1)) is None
    assert continuous_months([], on=D(2026, 1, 1), gap_months=3) == 0


# --- properties ------------------------------------------------------------------------------------

EPOCH = D(2010, 1, 1)
REFERENCE = D(2026, 1, 1)


@st.composite
def period_lists(draw):
    count = draw(st.integers(min_value=0, max_value=6))
    periods = []
    for _ in range(count):
        start = EPOCH + dt.timedelta(days=draw(st.integers(0, 6000)))
        if draw(st.booleans()):
            periods.append((start, None))
        else:
            periods.append((start, start + dt.timedelta(days=draw(st.integers(0, 1500)))))
    return periods


references = st.integers(0, 6200).map(lambda d: EPOCH + dt.timedelta(days=d))
gaps = st.integers(0, 6)


@settings(database=None)
@given(period_lists(), references, gaps)
def test_allowing_a_longer_gap_never_shortens_continuity(periods, on, gap):
    assert continuous_months(periods, on=on, gap_months=gap + 1) >= continuous_months(
        periods, on=on, gap_months=gap
    )


@settings(database=None)
@given(period_lists(), references, gaps, references)
def test_a_restart_never_lengthens_continuity(periods, on, gap, restart):
    assert continuous_months(periods, on=on, gap_months=gap, restart=restart) <= continuous_months(
        periods, on=on, gap_months=gap
    )


@settings(database=None)
@given(period_lists(), references, gaps)
def test_the_run_starts_at_one_of_the_periods_and_never_after_the_reference_day(periods, on, gap):
    since = continuous_since(periods, on=on, gap_months=gap)
    if since is not None:
        assert since <= on
        assert since in {start for start, _end in periods}


@settings(database=None)
@given(period_lists(), references, st.integers(1, 400))
def test_splitting_a_period_where_it_touches_itself_changes_nothing(periods, on, cut):
    split = []
    for start, end in periods:
        middle = start + dt.timedelta(days=cut)
        if end is None or middle < end:
            split += [(start, middle), (middle, end)]
        else:
            split.append((start, end))
    assert continuous_since(split, on=on) == continuous_since(periods, on=on)


@settings(database=None)
@given(period_lists(), references, gaps)
def test_the_order_of_the_periods_does_not_matter(periods, on, gap):
    assert continuous_since(periods, on=on, gap_months=gap) == continuous_since(
        list(reversed(periods)), on=on, gap_months=gap
    )


@settings(database=None)
@given(period_lists(), references)
def test_without_a_gap_allowance_the_reference_day_is_covered_by_some_period(periods, on):
    if continuous_since(periods, on=on) is not None:
        assert any(start <= on and (end is None or on < end) for start, end in periods)


@settings(database=None)
@given(references, references)
def test_whole_months_are_reached_exactly_when_add_months_says_so(start, end):
    months = whole_months_between(start, end)
    if end < start:
        assert months == 0
    else:
        assert add_months(start, months) <= end < add_months(start, months + 1)
