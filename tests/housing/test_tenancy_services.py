"""Landlords declare tenants moving in and out (人来申报、人走注销); the registry follows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from housing import selectors, services
from housing.models import Tenancy
from portal.errors import InvalidInput, NotEligible, NotFound, TransitionNotAllowed
from residents import idnumber
from residents import selectors as resident_selectors
from residents import services as resident_services
from residents.models import FieldTask, Person, Registration, Source, TaskKind, TaskStatus
from tests import factories
from tests.housing.conftest import approve_home, declare, make_home, tenant_id

TODAY = timezone.localdate


def test_declaring_a_tenant_registers_them_with_source_landlord_and_asks_the_officer_to_verify(
    home, landlord, officer_a, officer_b
):
    start = TODAY() - dt.timedelta(days=3)
    tenancy = declare(landlord, home, seq=51, start=start)

    person = Person.objects.get(id_hash=idnumber.keyed_hash(tenant_id(51)))
    assert person.name == "赵磊"
    registration = Registration.objects.get(person=person, end_date__isnull=True)
    assert registration.source == Source.LANDLORD
    assert registration.address == home.address
    assert registration.start_date == start
    assert registration.registered_by == landlord
    assert tenancy.registration == registration
    assert tenancy.declared_by == landlord

    task = resident_selectors.open_field_tasks_of(officer_a).get()
    assert task.kind == TaskKind.VERIFY_DECLARATION
    assert task.person == person
    assert list(selectors.verification_tasks(tenancy)) == [task]
    assert not resident_selectors.open_field_tasks_of(officer_b).exists()


def test_a_home_not_approved_for_letting_takes_no_tenant_and_nothing_is_written(
    draft_home, landlord
):
    with pytest.raises(NotEligible) as refused:
        declare(landlord, draft_home, seq=51)
    assert refused.value.code == "home_not_registered"
    assert not Person.objects.exists()
    assert not Registration.objects.exists()
    assert not FieldTask.objects.exists()


def test_tenants_beyond_the_maximum_are_refused_and_nothing_is_written(landlord, grid_a, housing_a):
    # 9 m² at 5 m² a person: one person, whatever the landlord declares
    home = approve_home(
        make_home(landlord, grid_a, max_occupants=6, rooms=1, floor_area="9"), landlord, housing_a
    )
    declare(landlord, home, seq=51)
    with pytest.raises(InvalidInput) as refused:
        declare(landlord, home, seq=53, name="钱多")
    assert refused.value.code == "over_capacity"
    assert "home" in refused.value.fields
    assert not Person.objects.filter(name="钱多").exists()
    assert Tenancy.objects.count() == 1
    assert Registration.objects.count() == 1


def test_a_person_with_a_current_tenancy_cannot_be_declared_in_a_second_home(
    home, landlord, other_landlord, grid_a, housing_a
):
    other = approve_home(make_home(other_landlord, grid_a, room="202"), other_landlord, housing_a)
    declare(landlord, home, seq=51)
    with pytest.raises(InvalidInput) as refused:
        declare(other_landlord, other, seq=51)
    assert refused.value.code == "tenancy_overlap"
    assert Tenancy.objects.count() == 1
    assert Registration.objects.get().address == home.address
    assert not FieldTask.objects.filter(address=other.address).exists()


def test_a_new_tenancy_cannot_start_before_the_last_one_ended(home, landlord, grid_a, housing_a):
    first = declare(landlord, home, seq=51, start=TODAY() - dt.timedelta(days=30))
    services.end_tenancy(
        actor=landlord, tenancy_id=first.pk, end_date=TODAY() - dt.timedelta(days=10)
    )
    other = approve_home(make_home(landlord, grid_a, room="303"), landlord, housing_a)
    with pytest.raises(InvalidInput) as refused:
        declare(landlord, other, seq=51, start=TODAY() - dt.timedelta(days=20))
    assert refused.value.code == "tenancy_overlap"
    moved = declare(landlord, other, seq=51, start=TODAY() - dt.timedelta(days=10))
    assert moved.registration.address == other.address


def test_a_name_that_does_not_match_the_registry_is_refused(home, landlord):
    declare(landlord, home, seq=51, name="赵磊")
    services.end_tenancy(actor=landlord, tenancy_id=Tenancy.objects.get().pk, end_date=TODAY())
    with pytest.raises(InvalidInput) as refused:
        declare(landlord, home, seq=51, name="赵雷", start=TODAY())
    assert "name" in refused.value.fields


def test_bad_id_number_and_future_date_are_refused(home, landlord):
    with pytest.raises(InvalidInput) as refused:
        services.declare_tenant(
            actor=landlord, home_id=home.pk, name="赵磊", id_number="123", start_date=TODAY()
        )
    assert "id_number" in refused.value.fields
    with pytest.raises(InvalidInput) as refused:
        declare(landlord, home, seq=51, start=TODAY() + dt.timedelta(days=1))
    assert "start_date" in refused.value.fields
    assert not Person.objects.exists()


def test_another_landlord_cannot_declare_in_the_home_or_end_its_tenancies(
    home, landlord, other_landlord
):
    with pytest.raises(NotFound):
        declare(other_landlord, home, seq=51)
    tenancy = declare(landlord, home, seq=51)
    with pytest.raises(NotFound):
        services.end_tenancy(actor=other_landlord, tenancy_id=tenancy.pk, end_date=TODAY())
    assert not selectors.tenancies_of_landlord(other_landlord).exists()


def test_a_tenant_registered_elsewhere_moves_and_the_old_registration_ends_that_day(
    home, landlord, other_resident, address_a
):
    person = resident_services.create_own_person(
        actor=other_resident, name="王芳", id_number=tenant_id(61), phone=""
    )
    old = resident_services.register_residence(
        actor=other_resident,
        person_id=person.pk,
        address_id=factories.AddressFactory(grid=address_a.grid).pk,
        start_date=TODAY() - dt.timedelta(days=200),
        reason="work",
    )
    start = TODAY() - dt.timedelta(days=2)
    tenancy = declare(landlord, home, seq=61, name="王芳", start=start)
    old.refresh_from_db()
    assert old.end_date == start
    assert tenancy.registration.start_date == start
    assert tenancy.person == person


def test_ending_a_tenancy_ends_the_registration_the_same_day_once(home, landlord):
    tenancy = declare(landlord, home, seq=51, start=TODAY() - dt.timedelta(days=20))
    with pytest.raises(InvalidInput):
        services.end_tenancy(
            actor=landlord, tenancy_id=tenancy.pk, end_date=TODAY() - dt.timedelta(days=21)
        )
    ended = services.end_tenancy(actor=landlord, tenancy_id=tenancy.pk, end_date=TODAY())
    assert ended.end_date == TODAY()
    assert ended.ended_by == landlord
    ended.registration.refresh_from_db()
    assert ended.registration.end_date == TODAY()
    with pytest.raises(TransitionNotAllowed):
        services.end_tenancy(actor=landlord, tenancy_id=tenancy.pk, end_date=TODAY())


def test_the_tenant_sees_and_confirms_their_tenancy_and_nobody_else_can(
    home, landlord, resident, other_resident
):
    resident_services.create_own_person(
        actor=resident, name="赵磊", id_number=tenant_id(51), phone=""
    )
    tenancy = declare(landlord, home, seq=51)
    assert list(selectors.tenancies_of_tenant(resident)) == [tenancy]
    with pytest.raises(NotFound):
        services.confirm_tenancy(actor=other_resident, tenancy_id=tenancy.pk)
    with pytest.raises(NotFound):
        services.confirm_tenancy(actor=landlord, tenancy_id=tenancy.pk)
    confirmed = services.confirm_tenancy(actor=resident, tenancy_id=tenancy.pk)
    assert confirmed.confirmed_at is not None
    again = services.confirm_tenancy(actor=resident, tenancy_id=tenancy.pk)
    assert again.confirmed_at == confirmed.confirmed_at
    assert not selectors.tenancies_of_tenant(other_resident).exists()


def test_more_people_registered_than_the_maximum_flags_the_home_to_the_grid_officer_once(
    landlord, grid_a, housing_a, other_resident, officer_a, officer_b
):
    # one room, two people a room: at most 2, though the landlord declared 10
    home = approve_home(make_home(landlord, grid_a, max_occupants=10, rooms=1), landlord, housing_a)
    declare(landlord, home, seq=51)
    second = declare(landlord, home, seq=53, name="钱多")
    assert services.flag_overcrowded_homes() == 0

    person = resident_services.create_own_person(
        actor=other_resident, name="王芳", id_number=tenant_id(61), phone=""
    )
    resident_services.register_residence(
        actor=other_resident,
        person_id=person.pk,
        address_id=home.address_id,
        start_date=TODAY() - dt.timedelta(days=1),
        reason="work",
    )
    assert services.flag_overcrowded_homes() == 1
    assert services.flag_overcrowded_homes() == 1
    home.refresh_from_db()
    assert home.overcrowded_since is not None
    tasks = resident_selectors.open_field_tasks_of(officer_a).filter(kind=TaskKind.FOLLOW_UP)
    assert tasks.count() == 1
    assert "群租" in tasks.get().note
    assert not resident_selectors.open_field_tasks_of(officer_b).exists()

    services.end_tenancy(actor=landlord, tenancy_id=second.pk, end_date=TODAY())
    home.refresh_from_db()
    assert home.overcrowded_since is None
    assert services.flag_overcrowded_homes() == 0
    assert FieldTask.objects.filter(kind=TaskKind.FOLLOW_UP, status=TaskStatus.OPEN).count() == 1


def test_the_occupancy_limit_comes_from_area_and_rooms_under_the_rules_in_force(
    landlord, grid_a, housing_a
):
    from decimal import Decimal

    from housing import selectors
    from housing.models import OccupancyPolicy

    home = approve_home(
        make_home(landlord, grid_a, max_occupants=30, rooms=3, floor_area="24.9"),
        landlord,
        housing_a,
    )
    assert selectors.occupancy_limit(home) == 4  # 24.9 m² / 5 m², under 3 rooms x 2
    later = TODAY() + dt.timedelta(days=30)
    OccupancyPolicy.objects.create(
        effective_from=later, min_area_per_person=Decimal("4"), max_per_room=1
    )
    assert selectors.occupancy_limit(home) == 4  # a new rule does not rewrite today
    assert selectors.occupancy_limit(home, on=later) == 3  # rooms now limit: 3 x 1
