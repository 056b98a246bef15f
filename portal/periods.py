"""Continuity over periods of time: how long something has gone on without a break.

Pure, typed functions over periods, shared by every rule that counts continuous time:
continuous residence registration (residence permits, points), continuous social insurance
(points), years a permit has been held.

A period is `(start, end)`: it covers the days from `start` up to, but not including, `end`;
`end` is None while the period is still going on. Moving house ends the old registration on
the day the new one starts, so the two touch and every day is covered.

Continuity is counted back from a reference day `on` (the day of acceptance, or today):
the run is the chain of periods that reaches `on`, where each period starts no later than the
allowed gap after the previous one ends. The gap is given in days, in calendar months, or both
(whichever allows more); with no gap allowed, a single uncovered day breaks the run. The
reference day itself must be covered, or lie within the allowed gap after the last period
(a gap of up to 3 months is still continuous, counted back from the acceptance date).
Periods starting after `on` are ignored.

A restart day (a late permit endorsement restarts the continuous-residence clock) cuts the
run: time before it does not count.

The run's length is counted in whole calendar months from its first day to `on`, gaps
included (a gap inside the allowance does not stop the clock): a run that started on
15 January reaches six months on 15 July; a start on the 31st reaches a shorter month on
that month's last day.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable

Period = tuple[dt.date, dt.date | None]
_ONE_DAY = dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later (or earlier), clipped to the month's end."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` years later (or earlier); 29 February becomes 28 February."""
    return add_months(day, 12 * years)


def whole_months_between(start: dt.date, end: dt.date) -> int:
    """The number of whole calendar months from `start` to `end` (0 if end is before start).

    The month is reached on the same day of the month, or on the month's last day when it is
    shorter (a start on 31 August reaches six months on 28 February): what add_months gives.
    """
    if end < start:
        return 0
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day and (end + _ONE_DAY).day != 1:
        months -= 1
    return max(months, 0)


def whole_years_between(start: dt.date, end: dt.date) -> int:
    """Whole years from `start` to `end`: a person's age on `end` if `start` is their birth day."""
    return whole_months_between(start, end) // 12


def _joins(previous_end: dt.date, start: dt.date, *, gap_days: int, gap_months: int) -> bool:
    """Whether a period starting on `start` continues a run that ended on `previous_end`."""
    if start <= previous_end + dt.timedelta(days=gap_days):
        return True
    return gap_months > 0 and start <= add_months(previous_end, gap_months)


def _start(period: Period) -> dt.date:
    return period[0]


def merge(periods: Iterable[Period], *, gap_days: int = 0, gap_months: int = 0) -> list[Period]:
    """The runs the periods form: overlapping, touching or close-enough periods joined, oldest first."""
    runs: list[Period] = []
    for start, end in sorted(periods, key=_start):
        if runs:
            run_start, run_end = runs[-1]
            if run_end is None:
                continue
            if _joins(run_end, start, gap_days=gap_days, gap_months=gap_months):
                runs[-1] = (run_start, None if end is None else max(run_end, end))
                continue
        runs.append((start, end))
    return runs


def continuous_since(
    periods: Iterable[Period],
    *,
    on: dt.date,
    gap_days: int = 0,
    gap_months: int = 0,
    restart: dt.date | None = None,
) -> dt.date | None:
    """The first day of the unbroken run that reaches `on`, or None if no run reaches it.

    `restart`: a day from which the clock started again; the run counts from it if it falls
    inside the run (a restart after `on` had not happened yet on that day).
    """
    periods = list(periods)
    if len(periods) == 1 and periods[0][1] is None:
        # One period still going on (most residents): the run is that period.
        run_start = periods[0][0]
        if run_start > on:
            return None
        return restart if restart is not None and run_start < restart <= on else run_start
    runs = merge(
        [(start, end) for start, end in periods if start <= on],
        gap_days=gap_days,
        gap_months=gap_months,
    )
    if not runs:
        return None
    run_start, run_end = runs[-1]
    if run_end is not None and run_end <= on:
        gap_allowed = gap_days > 0 or gap_months > 0
        if not (gap_allowed and _joins(run_end, on, gap_days=gap_days, gap_months=gap_months)):
            return None
    if restart is not None and run_start < restart <= on:
        return restart
    return run_start


def continuous_months(
    periods: Iterable[Period],
    *,
    on: dt.date,
    gap_days: int = 0,
    gap_months: int = 0,
    restart: dt.date | None = None,
) -> int:
    """Whole months of the unbroken run that reaches `on` (0 if none does)."""
    since = continuous_since(
        periods, on=on, gap_days=gap_days, gap_months=gap_months, restart=restart
    )
    return 0 if since is None else whole_months_between(since, on)
