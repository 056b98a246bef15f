"""The signed-in user's own profile: roles, department, areas and person record."""

from __future__ import annotations

import datetime as dt

from residents.idnumber import keyed_hash, mask
from residents.models import Person
from tests import factories

URL = "/api/v1/me/"


def test_a_resident_sees_their_roles_and_no_staff_scope(api_client, resident):
    api_client.force_login(resident)

    body = api_client.get(URL).json()

    assert body == {
        "id": resident.pk,
        "username": "resident_t",
        "roles": ["resident"],
        "department": None,
        "districts": [],
        "grids": [],
        "person_id": None,
    }


def test_a_reviewer_sees_their_department_and_districts(api_client, police_a, district_a):
    api_client.force_authenticate(police_a)

    body = api_client.get(URL).json()

    assert body["roles"] == ["reviewer"]
    assert body["department"]["code"] == "public_security"
    assert body["department"]["name"] == police_a.department.name
    assert body["districts"] == [district_a.code]
    assert body["grids"] == []


def test_department_names_follow_the_language_asked_for(api_client, police_a):
    api_client.force_authenticate(police_a)

    body = api_client.get(URL, HTTP_ACCEPT_LANGUAGE="en").json()

    assert body["department"]["name"] == police_a.department.name_en


def test_a_grid_officer_sees_their_grids(api_client, officer_a, grid_a, city):
    second_grid = city["grids"][0][1]
    officer_a.grids.add(second_grid)
    api_client.force_authenticate(officer_a)

    body = api_client.get(URL).json()

    assert sorted(body["grids"]) == sorted([grid_a.code, second_grid.code])


def test_a_registered_person_sees_their_person_id(api_client, resident):
    number = factories.make_id_number(birth=dt.date(1990, 5, 17), seq=123)
    person = Person.objects.create(
        user=resident,
        name="张三",
        id_number=number,
        id_hash=keyed_hash(number),
        id_masked=mask(number),
        birth_date=dt.date(1990, 5, 17),
        sex="M",
    )
    api_client.force_authenticate(resident)

    assert api_client.get(URL).json()["person_id"] == person.pk


def test_another_users_person_record_is_not_reported(api_client, resident, other_resident):
    number = factories.make_id_number(birth=dt.date(1991, 1, 2), seq=124)
    Person.objects.create(
        user=other_resident,
        name="李四",
        id_number=number,
        id_hash=keyed_hash(number),
        id_masked=mask(number),
        birth_date=dt.date(1991, 1, 2),
        sex="F",
    )
    api_client.force_authenticate(resident)

    assert api_client.get(URL).json()["person_id"] is None
