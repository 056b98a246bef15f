"""The employment part of seed_demo: two employers (one with a dormitory), workers, postings,
a course with enrolments; a rerun changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from employment import selectors
from employment.models import Course, Employment, Enrolment, JobApplication
from portal.accounts.models import User
from residents.models import Registration, Source


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", "--addresses-per-grid", "3", stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db, settings):
    settings.DEMO_MODE = True
    return seed()


def test_two_verified_employers_one_with_a_dormitory_and_workers(seeded):
    employer1 = User.objects.get(username="employer1")
    employer2 = User.objects.get(username="employer2")
    assert selectors.verified_employers_of(employer1).count() == 1
    assert selectors.verified_employers_of(employer2).count() == 1
    dormitory = selectors.dormitories_of(employer1).get()
    housed = Registration.objects.filter(
        address=dormitory.address, end_date__isnull=True, source=Source.EMPLOYER
    )
    assert housed.count() == 3
    assert selectors.employments_of(employer1).filter(end_date__isnull=False).count() == 1
    assert selectors.employments_of(employer2).count() == 2
    assert not selectors.dormitories_of(employer2).exists()


def test_postings_an_application_and_a_course_with_enrolments(seeded):
    assert selectors.open_postings().count() == 2
    assert JobApplication.objects.count() == 1
    course = Course.objects.get(title="智能手机与网上办事")
    assert Enrolment.objects.filter(course=course).count() == 2
    assert course.seats_taken == 2
    assert "employer1" in seeded


def test_a_rerun_changes_nothing(seeded):
    counts = (Employment.objects.count(), Enrolment.objects.count(), Course.objects.count())
    seed()
    assert (Employment.objects.count(), Enrolment.objects.count(), Course.objects.count()) == counts
