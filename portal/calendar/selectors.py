"""Working days: the one place every deadline in working days is counted.

A day is a working day when the calendar table says so (a make-up working day, 调休), or is
not a statutory holiday and falls from Monday to Friday. Objection windows, publication
(公示) windows, review due dates and declaration windows all count through `add_working_days`
(docs/domain.md "Working days").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from portal.calendar.models import DayKind, SpecialDay

_ONE_DAY = dt.timedelta(days=1)


def is_working_day_in(day: dt.date, special: Mapping[dt.date, str]) -> bool:
    """Pure: whether `day` is a working day, given the special days (day -> DayKind)."""
    kind = special.get(day)
    if kind is not None:
        return kind == DayKind.WORKDAY
    return day.weekday() < 5


def add_working_days_in(day: dt.date, n: int, special: Mapping[dt.date, str]) -> dt.date:
    """Pure: the day `n` working days after `day` (before it when `n` is negative); `day`
    itself for 0. The first day counted is the one after `day`."""
    step = _ONE_DAY if n >= 0 else -_ONE_DAY
    left = abs(n)
    while left > 0:
        day += step
        if is_working_day_in(day, special):
            left -= 1
    return day


def special_days(start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """The holidays and make-up working days from `start` to `end` (inclusive)."""
    low, high = min(start, end), max(start, end)
    return dict(SpecialDay.objects.filter(day__range=(low, high)).values_list("day", "kind"))


def is_working_day(day: dt.date) -> bool:
    return is_working_day_in(day, special_days(day, day))


def add_working_days(day: dt.date, n: int) -> dt.date:
    """The day `n` working days after `day` (before it when negative), holidays skipped and
    make-up working days counted. One query, unless a run of holidays reaches past the
    span read first."""
    reach = dt.timedelta(days=abs(n) * 2 + 30)
    end = day + reach if n >= 0 else day - reach
    while True:
        result = add_working_days_in(day, n, special_days(day, end))
        if (n >= 0 and result <= end) or (n < 0 and result >= end):
            return result
        end = result + reach if n >= 0 else result - reach


def working_days_between(start: dt.date, end: dt.date) -> int:
    """The working days after `start` up to and including `end` (0 when end is not later)."""
    if end <= start:
        return 0
    special = special_days(start, end)
    count, day = 0, start
    while day < end:
        day += _ONE_DAY
        if is_working_day_in(day, special):
            count += 1
    return count
