"""Worker declarations (人来申报、人走注销): one by one, dormitory registrations through residents'
services, deadlines as policy data, refusals with every problem at once, scoping."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from employment import selectors, services
from employment.models import Employment
from portal.errors import InvalidInput, NotEligible, NotFound
from residents import selectors as resident_selectors
from residents.models import FieldTask, Person, Registration, RegistrationPolicy, Source, TaskKind
from tests.employment.conftest import bad_id, register_employer, worker_id


def declare(user, employer, *, seq: int, days_ago: int = 2, name: str = "赵磊", **extra):
    return services.declare_worker_start(
        actor=user,
        employer_id=employer.pk,
        name=name,
        id_number=worker_id(seq),
        start_date=timezone.localdate() - dt.timedelta(days=days_ago),
        **extra,
    )


def test_a_declared_worker_without_a_dormitory_gets_no_registration(employer, employer_user):
    employment = declare(employer_user, employer, seq=11, job_title="车工")
    assert employment.registration is None
    assert employment.start_late is False
    assert Person.objects.get(pk=employment.person_id).id_masked.endswith(worker_id(11)[-4:])
    assert not Registration.objects.filter(person=employment.person).exists()


def test_a_worker_in_the_dormitory_is_registered_there_with_source_employer(
    employer, employer_user, dormitory, grid_a
):
    employment = declare(employer_user, employer, seq=12, dormitory_id=dormitory.pk)

    registration = Registration.objects.get(person=employment.person, end_date__isnull=True)
    assert registration.source == Source.EMPLOYER
    assert registration.address_id == dormitory.address_id
    assert registration.start_date == employment.start_date
    assert employment.registration_id == registration.pk
    task = FieldTask.objects.get(person=employment.person, kind=TaskKind.VERIFY_DECLARATION)
    assert task.source == "employment"
    assert task.address_id == dormitory.address_id


def test_ending_the_employment_ends_the_dormitory_registration(employer, employer_user, dormitory):
    employment = declare(employer_user, employer, seq=13, days_ago=30, dormitory_id=dormitory.pk)
    left = timezone.localdate() - dt.timedelta(days=1)

    services.declare_worker_end(actor=employer_user, employment_id=employment.pk, end_date=left)

    employment.refresh_from_db()
    assert employment.end_date == left
    assert employment.end_late is False
    assert Registration.objects.get(pk=employment.registration_id).end_date == left
    with pytest.raises(Exception, match="already ended"):
        services.declare_worker_end(actor=employer_user, employment_id=employment.pk, end_date=left)


def test_a_late_declaration_is_flagged_by_the_policy_in_force(employer, employer_user):
    # The seeded policy: 7 days.
    on_time = declare(employer_user, employer, seq=14, days_ago=7)
    late = declare(employer_user, employer, seq=15, days_ago=8)
    assert on_time.start_late is False
    assert late.start_late is True
    late_end = services.declare_worker_end(
        actor=employer_user,
        employment_id=on_time.pk,
        end_date=timezone.localdate() - dt.timedelta(days=5),
    )
    assert late_end.end_late is False


def test_the_deadline_is_data_with_effective_dates(employer, employer_user):
    # Given: from 30 days ago the city allows only 3 days.
    today = timezone.localdate()
    RegistrationPolicy.objects.create(
        effective_from=today - dt.timedelta(days=30), employer_days=3, calendar_days=True
    )
    # Then: a start 5 days ago is late under the new rule, one 40 days ago under the old one.
    assert declare(employer_user, employer, seq=16, days_ago=5).start_late is True
    assert declare(employer_user, employer, seq=17, days_ago=4).start_late is True
    assert declare(employer_user, employer, seq=18, days_ago=3).start_late is False
    assert (
        resident_selectors.registration_policy_on(today - dt.timedelta(days=40)).employer_days == 7
    )


def test_bad_input_names_every_problem_and_writes_nothing(employer, employer_user):
    with pytest.raises(InvalidInput) as refused:
        services.declare_worker_start(
            actor=employer_user,
            employer_id=employer.pk,
            name="",
            id_number=bad_id(10),
            start_date=timezone.localdate() + dt.timedelta(days=1),
        )
    assert set(refused.value.fields) == {"name", "id_number", "start_date"}
    assert not Employment.objects.exists()
    assert not Person.objects.exists()


def test_a_worker_is_declared_once_per_employer(employer, employer_user):
    declare(employer_user, employer, seq=19)
    with pytest.raises(InvalidInput) as refused:
        declare(employer_user, employer, seq=19)
    assert refused.value.code == "already_employed"


def test_a_full_dormitory_refuses_one_more(employer, employer_user, dormitory):
    declare(employer_user, employer, seq=21, dormitory_id=dormitory.pk)
    declare(employer_user, employer, seq=22, dormitory_id=dormitory.pk)
    with pytest.raises(InvalidInput) as refused:
        declare(employer_user, employer, seq=23, dormitory_id=dormitory.pk)
    assert refused.value.code == "over_capacity"
    assert "dormitory" in refused.value.fields
    assert Employment.objects.count() == 2


def test_an_unverified_employer_cannot_declare(employer_user, district_a):
    pending = register_employer(employer_user, district_a, seq=9)
    with pytest.raises(NotEligible):
        declare(employer_user, pending, seq=24)


def test_another_employer_neither_declares_nor_ends_for_this_one(
    employer, employer_user, other_employer, other_employer_user, dormitory, resident
):
    employment = declare(employer_user, employer, seq=25)
    with pytest.raises(NotFound):
        declare(other_employer_user, employer, seq=26)
    with pytest.raises(NotFound):
        services.declare_worker_end(
            actor=other_employer_user, employment_id=employment.pk, end_date=timezone.localdate()
        )
    with pytest.raises(InvalidInput):  # not its dormitory
        declare(other_employer_user, other_employer, seq=27, dormitory_id=dormitory.pk)
    assert list(selectors.employments_of(other_employer_user)) == []
    assert list(selectors.employments_of(resident)) == []
