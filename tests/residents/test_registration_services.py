"""Residence registration: declaring, moving house, departure, and who may do it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.errors import InvalidInput, NotFound, TransitionNotAllowed
from residents import selectors, services
from residents.models import Registration, Source
from tests import factories
from tests.residents.conftest import months_ago, register


def test_a_resident_registers_their_address(resident, me, address_a):
    registration = register(resident, me, address_a, start=months_ago(2))
    assert registration.is_current
    assert registration.source == Source.SELF
    assert registration.registered_by == resident
    assert selectors.current_registration(me) == registration


def test_a_start_date_in_the_future_is_refused(resident, me, address_a):
    with pytest.raises(InvalidInput) as refused:
        register(resident, me, address_a, start=timezone.localdate() + dt.timedelta(days=1))
    assert "start_date" in refused.value.fields
    assert not Registration.objects.exists()


def test_a_start_date_before_birth_is_refused(resident, me, address_a):
    with pytest.raises(InvalidInput) as refused:
        register(resident, me, address_a, start=me.birth_date - dt.timedelta(days=1))
    assert "start_date" in refused.value.fields


def test_a_second_current_registration_is_refused(resident, me, address_a, grid_a):
    register(resident, me, address_a)
    other = factories.AddressFactory(grid=grid_a)
    with pytest.raises(InvalidInput) as refused:
        register(resident, me, other, start=months_ago(1))
    assert refused.value.code == "already_registered"
    assert Registration.objects.filter(person=me).count() == 1


def test_the_database_holds_one_current_registration_per_person(resident, me, address_a, grid_a):
    register(resident, me, address_a)
    other = factories.AddressFactory(grid=grid_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(
            person=me, address=other, start_date=months_ago(1), reason="work", source="self"
        )


def test_moving_house_ends_the_old_registration_on_the_new_start_date(
    resident, me, address_a, grid_b
):
    old = register(resident, me, address_a, start=months_ago(8))
    new_address = factories.AddressFactory(grid=grid_b)
    moved_on = months_ago(2)
    new = services.register_residence(
        actor=resident,
        person_id=me.pk,
        address_id=new_address.pk,
        start_date=moved_on,
        reason="work",
        moving=True,
    )
    old.refresh_from_db()
    assert old.end_date == moved_on
    assert new.is_current
    # the move keeps residence continuous
    assert selectors.continuous_residence_months(me) == 8


def test_a_move_that_fails_leaves_the_old_registration_current(resident, me, address_a):
    old = register(resident, me, address_a, start=months_ago(8))
    with pytest.raises(InvalidInput):
        services.register_residence(
            actor=resident,
            person_id=me.pk,
            address_id=999999,
            start_date=months_ago(1),
            reason="work",
            moving=True,
        )
    old.refresh_from_db()
    assert old.end_date is None


def test_a_move_must_start_after_the_current_registration(resident, me, address_a, grid_a):
    register(resident, me, address_a, start=months_ago(3))
    other = factories.AddressFactory(grid=grid_a)
    with pytest.raises(InvalidInput) as refused:
        services.register_residence(
            actor=resident,
            person_id=me.pk,
            address_id=other.pk,
            start_date=months_ago(4),
            reason="work",
            moving=True,
        )
    assert "start_date" in refused.value.fields


def test_a_new_registration_cannot_start_inside_an_earlier_one(resident, me, address_a, grid_a):
    first = register(resident, me, address_a, start=months_ago(8))
    services.end_registration(actor=resident, registration_id=first.pk, end_date=months_ago(2))
    with pytest.raises(InvalidInput) as refused:
        register(resident, me, factories.AddressFactory(grid=grid_a), start=months_ago(3))
    assert "start_date" in refused.value.fields


def test_departure_ends_the_registration_and_keeps_the_history(resident, me, address_a):
    registration = register(resident, me, address_a, start=months_ago(8))
    left_on = months_ago(1)
    services.end_registration(actor=resident, registration_id=registration.pk, end_date=left_on)
    registration.refresh_from_db()
    assert registration.end_date == left_on
    assert selectors.current_registration(me) is None
    assert selectors.registration_history(me) == [registration]
    assert selectors.continuous_residence_months(me) == 0


def test_departure_twice_is_a_conflict(resident, me, address_a):
    registration = register(resident, me, address_a)
    services.end_registration(
        actor=resident, registration_id=registration.pk, end_date=timezone.localdate()
    )
    with pytest.raises(TransitionNotAllowed):
        services.end_registration(
            actor=resident, registration_id=registration.pk, end_date=timezone.localdate()
        )


def test_departure_dates_before_the_start_or_in_the_future_are_refused(resident, me, address_a):
    registration = register(resident, me, address_a, start=months_ago(3))
    for bad in (months_ago(4), timezone.localdate() + dt.timedelta(days=1)):
        with pytest.raises(InvalidInput) as refused:
            services.end_registration(actor=resident, registration_id=registration.pk, end_date=bad)
        assert "end_date" in refused.value.fields
    registration.refresh_from_db()
    assert registration.end_date is None


def test_a_guardian_registers_a_dependant(resident, me, address_a):
    child = services.add_dependant(
        actor=resident,
        relation="child",
        name="李小明",
        id_number=factories.make_id_number(birth=dt.date(2018, 3, 2), seq=31),
    )
    registration = register(resident, child, address_a, start=months_ago(1))
    assert registration.person == child


def test_another_resident_cannot_register_or_depart_someone_else(
    resident, other_resident, me, address_a
):
    with pytest.raises(NotFound):
        register(other_resident, me, address_a)
    registration = register(resident, me, address_a)
    with pytest.raises(NotFound):
        services.end_registration(
            actor=other_resident, registration_id=registration.pk, end_date=timezone.localdate()
        )


def test_a_grid_officer_registers_a_person_in_their_grid(officer_a, address_a):
    person = services.create_person_in_field(
        actor=officer_a, name="赵六", id_number="440524188001010014"
    )
    registration = services.register_residence(
        actor=officer_a,
        person_id=person.pk,
        address_id=address_a.pk,
        start_date=months_ago(1),
        reason="work",
    )
    assert registration.source == Source.GRID_OFFICER
    services.end_registration(
        actor=officer_a, registration_id=registration.pk, end_date=timezone.localdate()
    )


def test_a_grid_officer_cannot_register_an_address_outside_their_grids(officer_a, grid_b):
    person = services.create_person_in_field(
        actor=officer_a, name="赵六", id_number="440524188001010014"
    )
    with pytest.raises(InvalidInput) as refused:
        services.register_residence(
            actor=officer_a,
            person_id=person.pk,
            address_id=factories.AddressFactory(grid=grid_b).pk,
            start_date=months_ago(1),
            reason="work",
        )
    assert "address" in refused.value.fields


def test_a_grid_officer_of_another_grid_cannot_depart_a_resident(resident, me, address_a, grid_b):
    registration = register(resident, me, address_a)
    officer_b = factories.officer(grids=[grid_b], username="officer_b")
    with pytest.raises(NotFound):
        services.end_registration(
            actor=officer_b, registration_id=registration.pk, end_date=timezone.localdate()
        )


def test_a_declared_residence_moves_the_person_and_keeps_history(resident, me, address_a, grid_a):
    landlord = factories.UserFactory(username="landlord_t", roles=["landlord"])
    register(resident, me, address_a, start=months_ago(8))
    new_home = factories.AddressFactory(grid=grid_a)

    moved = services.record_declared_residence(
        actor=landlord,
        person_id=me.pk,
        address=new_home,
        start_date=months_ago(1),
        reason="work",
        source=Source.LANDLORD,
    )

    assert moved.source == Source.LANDLORD
    old = Registration.objects.get(person=me, address=address_a)
    assert old.end_date == moved.start_date
    again = services.record_declared_residence(
        actor=landlord,
        person_id=me.pk,
        address=new_home,
        start_date=months_ago(1),
        reason="work",
        source=Source.LANDLORD,
    )
    assert again.pk == moved.pk


def test_a_declared_residence_cannot_start_inside_an_earlier_one(resident, me, address_a, grid_a):
    landlord = factories.UserFactory(username="landlord_t", roles=["landlord"])
    register(resident, me, address_a, start=months_ago(8))
    with pytest.raises(InvalidInput):
        services.record_declared_residence(
            actor=landlord,
            person_id=me.pk,
            address=factories.AddressFactory(grid=grid_a),
            start_date=months_ago(9),
            reason="work",
            source=Source.LANDLORD,
        )
    assert Registration.objects.filter(person=me).count() == 1
