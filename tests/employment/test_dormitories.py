"""Dormitories: occupancy from registrations, overcrowding flags and follow-up tasks."""

from __future__ import annotations

import datetime as dt

import pytest

from employment import selectors, services
from employment.models import Dormitory
from employment.tasks import flag_overcrowded_dormitories
from portal.errors import InvalidInput
from residents import services as resident_services
from residents.models import FieldTask, TaskKind
from tests import factories
from tests.employment.conftest import make_person


def live_there(address, *, seq: int):
    user = factories.UserFactory()
    person = make_person(user, seq=seq, name=f"住户{seq}")
    resident_services.register_residence(
        actor=user,
        person_id=person.pk,
        address_id=address.pk,
        start_date=dt.date(2025, 3, 1),
        reason="work",
    )
    return person


def test_occupancy_counts_current_registrations(dormitory, dorm_address):
    live_there(dorm_address, seq=31)
    assert selectors.occupancy(dorm_address.pk) == 1
    assert selectors.occupancy_of([dormitory]) == {dormitory.pk: 1}


def test_an_overcrowded_dormitory_is_flagged_once_and_cleared(dormitory, dorm_address):
    # Given: three people register themselves at a dormitory with two beds.
    people = [live_there(dorm_address, seq=s) for s in (32, 33, 34)]

    # When: the nightly check runs, twice.
    assert flag_overcrowded_dormitories() == 1
    assert flag_overcrowded_dormitories() == 1

    # Then: flagged, with one follow-up task for the grid's officers.
    dormitory.refresh_from_db()
    assert dormitory.overcrowded_since is not None
    tasks = FieldTask.objects.filter(kind=TaskKind.FOLLOW_UP, address=dorm_address)
    assert tasks.count() == 1
    assert tasks.get().source == "employment"

    # And: once one moves out, the flag clears.
    registration = people[0].registrations.get()
    resident_services.end_registration(
        actor=people[0].user, registration_id=registration.pk, end_date=dt.date(2026, 1, 1)
    )
    assert services.flag_overcrowded_dormitories() == 0
    dormitory.refresh_from_db()
    assert dormitory.overcrowded_since is None


def test_an_address_is_one_active_dormitory(dormitory, employer, employer_user, dorm_address):
    with pytest.raises(InvalidInput) as refused:
        services.add_dormitory(
            actor=employer_user, employer_id=employer.pk, address_id=dorm_address.pk, capacity=5
        )
    assert "address" in refused.value.fields
    with pytest.raises(InvalidInput) as refused:
        services.add_dormitory(
            actor=employer_user, employer_id=employer.pk, address_id=0, capacity=0
        )
    assert set(refused.value.fields) == {"address", "capacity"}
    assert Dormitory.objects.count() == 1


def test_only_dormitories_over_capacity_or_flagged_are_checked(dormitory, dorm_address):
    live_there(dorm_address, seq=35)
    live_there(dorm_address, seq=36)
    assert not selectors.dormitories_to_check_for_overcrowding().exists()  # full, not over
    live_there(dorm_address, seq=37)
    assert list(selectors.dormitories_to_check_for_overcrowding()) == [dormitory]
