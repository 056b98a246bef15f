"""Writes to the working-day calendar."""

from __future__ import annotations

import chinese_calendar
from django.db import transaction

from portal.calendar.models import DayKind, SpecialDay

PACKAGE_SOURCE = "国务院办公厅节假日安排 (chinesecalendar)"


def copy_announced_years() -> int:
    """Copy the holidays and make-up working days the installed chinesecalendar package knows
    into the table, leaving every day already there as it is (staff corrections win).
    Returns the number of days added. Safe to run twice."""
    by_english = {holiday.value: holiday.chinese for holiday in chinese_calendar.Holiday}
    rows = [
        SpecialDay(day=day, kind=kind, name=by_english.get(name, name), source=PACKAGE_SOURCE)
        for kind, days in (
            (DayKind.HOLIDAY, chinese_calendar.holidays),
            (DayKind.WORKDAY, chinese_calendar.workdays),
        )
        for day, name in days.items()
    ]
    with transaction.atomic():
        before = SpecialDay.objects.count()
        SpecialDay.objects.bulk_create(rows, ignore_conflicts=True)
        return SpecialDay.objects.count() - before
