"""Working days from the calendar table: holidays skipped, make-up working days (调休) counted."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from portal.calendar.models import DayKind, SpecialDay
from portal.calendar.selectors import (
    add_working_days,
    add_working_days_in,
    is_working_day,
    working_days_between,
)
from portal.workflow import services as workflow
from tests.portal import kinds  # noqa: F401 - registers the test kind

D = dt.date

pytestmark = pytest.mark.django_db


def test_the_announced_years_are_copied_into_the_table():
    assert SpecialDay.objects.get(day=D(2024, 2, 12)).kind == DayKind.HOLIDAY
    assert SpecialDay.objects.get(day=D(2024, 2, 12)).name == "春节"
    assert SpecialDay.objects.get(day=D(2024, 2, 4)).kind == DayKind.WORKDAY
    assert SpecialDay.objects.filter(day__year=2025).count() > 20


def test_a_holiday_on_a_weekday_is_no_working_day_and_a_make_up_sunday_is_one():
    assert not is_working_day(D(2025, 10, 1))  # National Day, a Wednesday
    assert is_working_day(D(2025, 9, 28))  # a Sunday worked in exchange
    assert is_working_day(D(2025, 9, 30))
    assert not is_working_day(D(2025, 9, 27))  # an ordinary Saturday


def test_working_days_skip_the_spring_festival_and_count_make_up_days():
    assert add_working_days(D(2024, 2, 9), 1) == D(2024, 2, 18)  # a make-up Sunday
    assert add_working_days(D(2024, 2, 2), 1) == D(2024, 2, 4)
    assert add_working_days(D(2025, 9, 30), 3) == D(2025, 10, 11)
    assert add_working_days(D(2025, 10, 9), -1) == D(2025, 9, 30)
    assert add_working_days(D(2025, 10, 9), 0) == D(2025, 10, 9)
    assert working_days_between(D(2025, 9, 30), D(2025, 10, 11)) == 3


def test_an_administrator_adds_next_years_holidays_and_deadlines_follow():
    before = add_working_days(D(2031, 9, 30), 1)
    assert before == D(2031, 10, 1)
    SpecialDay.objects.bulk_create(
        SpecialDay(day=D(2031, 10, d), kind=DayKind.HOLIDAY, name="国庆节") for d in range(1, 8)
    )
    assert add_working_days(D(2031, 9, 30), 1) == D(2031, 10, 8)


def test_a_long_run_of_holidays_beyond_the_first_look_ahead_is_still_skipped():
    special = {D(2030, 1, 1) + dt.timedelta(days=i): DayKind.HOLIDAY for i in range(120)}
    assert add_working_days_in(D(2029, 12, 31), 1, special) == D(2030, 5, 1)
    SpecialDay.objects.bulk_create(SpecialDay(day=d, kind=k) for d, k in special.items())
    assert add_working_days(D(2029, 12, 31), 1) == D(2030, 5, 1)


def test_a_case_submitted_before_national_day_is_due_after_it(resident, district_a):
    case = workflow.create_case(
        kind="test_kind", applicant=resident, district=district_a, actor=resident
    )
    with time_machine.travel(dt.datetime(2025, 9, 30, 2, tzinfo=dt.UTC), tick=False):
        case = workflow.submit_case(case_id=case.pk, actor=resident)
    # ten working days: 9, 10, 11 (make-up Saturday), 13..17, 20, 21 October
    assert case.due_date == D(2025, 10, 21)


def test_the_admin_screen_lists_and_adds_days(admin_client):
    page = admin_client.get(reverse("admin:calendar_specialday_changelist"))
    assert page.status_code == 200
    added = admin_client.post(
        reverse("admin:calendar_specialday_add"),
        {"day": "2032-01-01", "kind": DayKind.HOLIDAY, "name": "元旦", "source": "国办发"},
    )
    assert added.status_code == 302
    assert not is_working_day(D(2032, 1, 1))


def test_copying_the_package_years_again_adds_nothing_and_keeps_staff_corrections():
    from portal.calendar import services

    SpecialDay.objects.filter(day=D(2025, 10, 8)).update(name="中秋节（修正）")
    SpecialDay.objects.filter(day=D(2024, 2, 12)).delete()
    assert services.copy_announced_years() == 1
    assert services.copy_announced_years() == 0
    assert SpecialDay.objects.get(day=D(2025, 10, 8)).name == "中秋节（修正）"
