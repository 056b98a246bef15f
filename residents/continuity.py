"""Continuous residence: how long a person has lived here without a break, from their registrations.

Pure functions over registration periods, so the rule can be read and tested on its own.

A period is (start, end) with `end` None while the registration is current. A registration
covers the days from its start up to, but not including, its end date: moving house ends the
old registration on the day the new one starts, so the two touch and the person is covered
every day. Periods that touch or overlap join into one run. Any day not covered by a
registration breaks continuity (a gap of one day or more), unless the city's rule allows a
gap of up to `gap_days` days (PermitPolicy.continuity_gap_days, 0 by default).

Months are counted in whole calendar months: a run that started on 15 January reaches six
months on 15 July. A start on the 31st reaches a shorter month on its last day.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable

Period = tuple[dt.date, dt.date | None]


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later (or earlier), clipped to the month's end."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def whole_months_between(start: dt.date, end: dt.date) -> int:
    """The number of whole calendar months from `start` to `end` (0 if end is before start)."""
    if end < start:
        return 0
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return max(months, 0)


def continuous_since(
    periods: Iterable[Period], *, on: dt.date, gap_days: int = 0
) -> dt.date | None:
    """The first day of the unbroken run of registration that covers `on`, or None if none does."""
    run_start: dt.date | None = None
    run_end: dt.date | None = None  # None: open-ended
    found: dt.date | None = None
    for start, end in sorted(periods, key=lambda p: p[0]):
        joins = run_start is not None and (
            run_end is None or start <= run_end + dt.timedelta(days=gap_days)
        )
        if joins:
            if run_end is not None:
                run_end = None if end is None else max(run_end, end)
        else:
            run_start, run_end = start, end
        if run_start <= on and (run_end is None or on < run_end):
            found = run_start
    return found


def continuous_months(
    periods: Iterable[Period],
    *,
    on: dt.date,
    gap_days: int = 0,
    not_before: dt.date | None = None,
) -> int:
    """Whole months of continuous registration up to `on`.

    `not_before` is a day from which the clock restarted (a late permit endorsement): time
    before it does not count.
    """
    since = continuous_since(periods, on=on, gap_days=gap_days)
    if since is None:
        return 0
    if not_before is not None and not_before > since:
        since = not_before
    return whole_months_between(since, on)
