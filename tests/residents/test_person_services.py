"""The person registry: ID numbers, households, masking and logged access to full records."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.errors import InvalidInput, NotAllowed, NotFound
from residents import idnumber, selectors, services
from residents.models import Dependant, Person, PersonRecordAccess
from tests import factories
from tests.residents.conftest import id_number, make_person, register


@pytest.mark.parametrize(
    "number",
    ["11010519491231002X", "440524188001010014", "360426199101010071", "34052419800101001X"],
)
def test_valid_id_numbers_pass_the_checksum(number):
    assert idnumber.parse(number).number == number


def test_a_lowercase_x_is_accepted_as_the_check_character():
    assert idnumber.parse("11010519491231002x").number == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("110105194912310021", "check character"),
        ("11010519491231002", "too short"),
        ("1101051949123100XX", "letters"),
        ("110105194913310028", "no such date"),
    ],
)
def test_invalid_id_numbers_are_refused_on_the_id_number_field(number, why):
    with pytest.raises(InvalidInput) as refused:
        idnumber.parse(number)
    assert "id_number" in refused.value.fields, why


def test_birth_date_and_sex_are_read_from_the_id_number(resident):
    person = services.create_own_person(actor=resident, name="张伟", id_number="11010519491231002X")
    assert person.birth_date == dt.date(1949, 12, 31)
    assert person.sex == "F"  # the 17th digit 2 is even
    assert person.user == resident


def test_the_id_number_is_stored_encrypted_and_found_by_its_keyed_hash(resident):
    from django.db import connection

    person = services.create_own_person(actor=resident, name="张伟", id_number="11010519491231002X")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM residents_person WHERE id = %s", [person.pk])
        stored = cursor.fetchone()[0]
    assert "11010519491231002X" not in stored
    assert person.id_masked == "1101**********002X"
    found = selectors.person_by_id_number(Person.objects.all(), "11010519491231002x")
    assert list(found) == [person]


def test_a_birth_date_or_sex_that_disagrees_with_the_number_is_refused(resident):
    with pytest.raises(InvalidInput) as refused:
        services.create_own_person(
            actor=resident,
            name="张伟",
            id_number="11010519491231002X",
            birth_date=dt.date(1950, 1, 1),
            sex="M",
        )
    assert set(refused.value.fields) == {"birth_date", "sex"}
    assert not Person.objects.exists()


def test_one_person_per_id_number(resident, other_resident):
    services.create_own_person(actor=resident, name="张伟", id_number="11010519491231002X")
    with pytest.raises(InvalidInput) as refused:
        services.create_own_person(
            actor=other_resident, name="张伟", id_number="11010519491231002X"
        )
    assert refused.value.code == "duplicate_id_number"
    assert "id_number" in refused.value.fields
    assert Person.objects.count() == 1


def test_a_user_enters_their_own_details_once(resident):
    make_person(resident, seq=13)
    with pytest.raises(InvalidInput):
        make_person(resident, seq=15)


def test_every_problem_is_reported_at_once(resident):
    with pytest.raises(InvalidInput) as refused:
        services.create_own_person(
            actor=resident, name=" ", id_number="123", phone="12", origin_code="33a"
        )
    assert set(refused.value.fields) == {"name", "id_number", "phone", "origin_code"}


def test_a_guardian_adds_a_child_to_the_household(resident, me):
    child = services.add_dependant(
        actor=resident,
        relation="child",
        name="李小明",
        id_number=id_number(31, birth=dt.date(2018, 3, 2)),
    )
    assert child.user is None
    assert Dependant.objects.filter(guardian=me, dependant=child, relation="child").exists()
    assert set(selectors.household_of(resident)) == {me, child}


def test_a_child_older_than_the_guardian_is_refused(resident, me):
    with pytest.raises(InvalidInput) as refused:
        services.add_dependant(
            actor=resident,
            relation="child",
            name="李老",
            id_number=id_number(31, birth=dt.date(1960, 3, 2)),
        )
    assert "id_number" in refused.value.fields
    assert Person.objects.count() == 1


def test_adding_a_dependant_needs_the_guardians_own_entry(resident):
    with pytest.raises(NotAllowed):
        services.add_dependant(
            actor=resident, relation="child", name="李小明", id_number=id_number(31)
        )


def test_another_residents_household_is_not_visible(resident, other_resident, me):
    assert list(selectors.household_of(other_resident)) == []
    assert list(selectors.persons_visible_to(other_resident)) == []
    with pytest.raises(NotFound):
        services.update_person(actor=other_resident, person_id=me.pk, employer="x")


def test_a_resident_updates_contact_details_but_not_the_id_number(resident, me):
    services.update_person(actor=resident, person_id=me.pk, phone="13900139000", employer="某厂")
    me.refresh_from_db()
    assert me.employer == "某厂"
    assert str(me.phone) == "+8613900139000"


def test_opening_a_full_record_logs_who_when_and_why(police_a, resident, me, address_a):
    register(resident, me, address_a)
    person = services.open_person_record(actor=police_a, person_id=me.pk, reason="审核居住证申请")
    assert person.id_number == me.id_number
    access = PersonRecordAccess.objects.get()
    assert (access.staff, access.person, access.reason) == (police_a, me, "审核居住证申请")
    assert access.at is not None


def test_opening_a_record_needs_a_reason(police_a, resident, me, address_a):
    register(resident, me, address_a)
    with pytest.raises(InvalidInput):
        services.open_person_record(actor=police_a, person_id=me.pk, reason="  ")
    assert not PersonRecordAccess.objects.exists()


def test_staff_outside_the_persons_area_cannot_open_the_record(
    police_b, housing_a, resident, me, address_a, grid_b
):
    register(resident, me, address_a)
    officer_b = factories.officer(grids=[grid_b], username="officer_b")
    for outsider in (police_b, housing_a, officer_b):
        with pytest.raises(NotFound):
            services.open_person_record(actor=outsider, person_id=me.pk, reason="查看")
    assert not PersonRecordAccess.objects.exists()


def test_a_grid_officer_sees_persons_registered_in_their_grids(officer_a, resident, me, address_a):
    assert me not in selectors.persons_in_staff_scope(officer_a)
    register(resident, me, address_a)
    assert me in selectors.persons_in_staff_scope(officer_a)


def test_a_grid_officer_enters_a_person_met_at_the_door(officer_a, resident):
    person = services.create_person_in_field(
        actor=officer_a, name="赵六", id_number="440524188001010014"
    )
    assert person.user is None
    with pytest.raises(NotAllowed):
        services.create_person_in_field(actor=resident, name="钱七", id_number=id_number(41))
