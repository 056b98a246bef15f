"""No role without the full-record right receives what rebuilds an ID number or a phone number.

The attack: an ID number is region code (6) + birth date (8) + 4 characters; the masked number
shows the last 4. Whatever a police reviewer or a grid officer receives from every person list,
serializer and staff page is gathered, and every 6-digit code and every date found in it is
combined with every masked number's last 4: no combination may be a person's ID number, and no
full mobile number may appear.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from residents import disclosure, services
from residents.models import PersonRecordAccess
from tests import factories
from tests.residents.conftest import make_application, months_ago

REGIONS = ["330304", "110105", "440524", "360426", "340524", "510107", "420102"]
NAMES = ["李明", "王芳", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄强"]

person_specs = st.lists(
    st.tuples(
        st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2005, 12, 31)),
        st.sampled_from(REGIONS),
        st.integers(min_value=1, max_value=999),
        st.builds(
            lambda prefix, rest: f"{prefix}{rest:08d}",
            st.sampled_from(["138", "139", "150", "186", "188", "137"]),
            st.integers(min_value=0, max_value=99_999_999),
        ),
        st.sampled_from(NAMES),
    ),
    min_size=1,
    max_size=3,
    unique_by=(lambda spec: (spec[0], spec[1], spec[2]), lambda spec: spec[3]),
)

STAFF_API_LISTS = [
    "/api/v1/persons/",
    "/api/v1/registrations/",
    "/api/v1/permit-applications/",
    "/api/v1/permits/",
    "/api/v1/field/addresses/",
    "/api/v1/field/visits/",
    "/api/v1/field/tasks/",
    "/api/v1/cases/",
    "/api/v1/employment/employers/",
    "/api/v1/employment/jobs/",
    "/api/v1/dashboard/metrics/",
    "/api/v1/dashboard/facts/",
    "/api/v1/open-statistics/",
]
STAFF_PAGES = [
    "/work/",
    "/field/",
    "/field/tasks/",
    "/employment/employers/",
    "/employment/jobs/",
    "/employment/training/",
    "/dashboard/",
    "/dashboard/map/",
    "/dashboard/indicators/",
]

DATE_PATTERNS = [
    re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})"),
    re.compile(r"(?<!\d)(\d{4})/(\d{2})/(\d{2})"),
    re.compile(r"(?<!\d)(\d{4})年(\d{1,2})月(\d{1,2})日"),
    re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)"),
]
MASKED = re.compile(r"(?<![0-9])[0-9]{4}\*{6,}([0-9]{3}[0-9Xx])")


def rebuilt_id_numbers(text: str) -> set[str]:
    """Every ID number the text gives away: full numbers, or region + birth date + masked tail."""
    compact = re.sub(r"[\s-]", "", text)
    found = set(re.findall(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])", compact))
    regions = set(re.findall(r"(?<![0-9])([0-9]{6})(?![0-9])", text))
    dates = set()
    for pattern in DATE_PATTERNS:
        for year, month, day in pattern.findall(text):
            dates.add(f"{year}{int(month):02d}{int(day):02d}")
    tails = {tail.upper() for tail in MASKED.findall(text)}
    for region in regions:
        for date in dates:
            for tail in tails:
                found.add(region + date + tail)
    return found


def phones_given_away(text: str) -> set[str]:
    compact = re.sub(r"[\s-]", "", text)
    return set(re.findall(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])", compact.replace("+86", "")))


def _everything_seen_by(user, persons, case_ids, grid) -> str:
    api = APIClient()
    api.force_authenticate(user)
    pages = Client()
    pages.force_login(user)
    bodies = []
    for url in STAFF_API_LISTS:
        response = api.get(url)
        assert response.status_code in (200, 403, 404), (url, response.status_code)
        bodies.append(response.content.decode())
    for person in persons:  # the logged ID-number search, as page and API
        found = api.get("/api/v1/persons/", {"id_number": person.id_number, "reason": "核查"})
        assert found.status_code == 200, found.content
        bodies.append(found.content.decode())
    urls = [f"/staff/persons/?name={name}" for name in {person.name for person in persons}] + [
        f"/staff/persons/{person.pk}/" for person in persons
    ]
    urls += [f"/review/permits/{case_id}/" for case_id in case_ids]
    urls += [*STAFF_PAGES, f"/field/grids/{grid.pk}/"]
    for url in urls:
        response = pages.get(url)
        assert response.status_code in (200, 302, 403, 404), (url, response.status_code)
        bodies.append(response.content.decode())
    for person in persons:
        response = pages.post("/staff/persons/", {"id_number": person.id_number, "reason": "核查"})
        assert response.status_code == 200, response.status_code
        bodies.append(response.content.decode())
    return "\n".join(bodies)


@pytest.mark.django_db
@settings(
    max_examples=10,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=person_specs)
def test_staff_cannot_rebuild_id_or_phone_numbers(specs, police_a, officer_a, grid_a, tmp_path):
    with transaction.atomic():
        cache.clear()
        address = factories.AddressFactory(grid=grid_a)
        persons, case_ids = [], []
        for index, (birth, region, seq, phone, name) in enumerate(specs):
            user = factories.UserFactory()
            person = services.create_own_person(
                actor=user,
                name=name,
                id_number=factories.make_id_number(birth=birth, seq=seq, region=region),
                phone=phone,
                origin_code=region,
            )
            factories.verified(  # the earlier move-in seen by an officer, as a permit needs
                services.register_residence(
                    actor=user,
                    person_id=person.pk,
                    address_id=address.pk,
                    start_date=max(months_ago(8), birth + dt.timedelta(days=1)),
                    reason="work",
                )
            )
            if index == 0:
                application = make_application(user, person)
                services.submit_permit_application(actor=user, application_id=application.pk)
                case_ids.append(application.case_id)
            persons.append(person)

        for staff in (police_a, officer_a):
            seen = _everything_seen_by(staff, persons, case_ids, grid_a)
            assert any(person.name in seen for person in persons)  # they do see the persons
            rebuilt = rebuilt_id_numbers(seen)
            leaked_phones = phones_given_away(seen)
            for person in persons:
                assert person.id_number not in rebuilt, (staff.username, person.id_masked)
                assert str(person.phone.national_number) not in leaked_phones, staff.username
        transaction.set_rollback(True)


def test_the_attack_finds_an_id_number_from_the_old_list_shape():
    number = factories.make_id_number(birth=dt.date(1990, 5, 17), seq=123, region="330304")
    old_row = f'"id_number":"3303**********{number[-4:]}","birth_date":"1990-05-17","origin_code":"330304"'
    assert number in rebuilt_id_numbers(old_row)
    assert "13800138000" in phones_given_away('"phone":"+8613800138000"')


def test_a_resident_still_sees_their_own_details(resident):
    person = services.create_own_person(
        actor=resident,
        name="李明",
        id_number=factories.make_id_number(birth=dt.date(1990, 5, 17), seq=11),
        phone="13800138000",
        origin_code="330304",
    )
    api = APIClient()
    api.force_authenticate(resident)
    row = api.get("/api/v1/persons/").json()["results"][0]
    assert row["id"] == person.pk
    assert row["household"] is True
    assert row["birth_date"] == "1990-05-17"
    assert row["origin_code"] == "330304"
    assert row["phone"] == "+8613800138000"


def test_staff_see_birth_year_province_and_masked_phone(police_a, grid_a):
    user = factories.UserFactory()
    person = services.create_own_person(
        actor=user,
        name="王芳",
        id_number=factories.make_id_number(birth=dt.date(1988, 2, 3), seq=12),
        phone="13912345678",
        origin_code="330304",
    )
    services.register_residence(
        actor=user,
        person_id=person.pk,
        address_id=factories.AddressFactory(grid=grid_a).pk,
        start_date=months_ago(8),
        reason="work",
    )
    api = APIClient()
    api.force_authenticate(police_a)
    row = api.get("/api/v1/persons/").json()["results"][0]
    assert row["household"] is False
    assert row["birth_year"] == 1988
    assert row["origin_province"] == "330000"
    assert row["phone"] == "139****5678"
    assert row["birth_date"] is None
    assert row["origin_code"] is None
    assert row["education"] is None
    assert row["employer"] is None


def test_masking_helpers():
    assert disclosure.origin_province("330304") == "330000"
    assert disclosure.origin_province("") == ""
    assert disclosure.mask_phone("+8613912345678") == "139****5678"
    assert disclosure.mask_phone("") == ""


@pytest.fixture
def two_a_minute(monkeypatch):
    from portal import throttling

    cache.clear()
    monkeypatch.setattr(throttling.PersonListBurstThrottle, "rate", "2/min", raising=False)
    yield
    cache.clear()


def test_staff_person_lists_are_rate_limited_in_the_api(two_a_minute, police_a):
    api = APIClient()
    api.force_authenticate(police_a)
    assert [api.get("/api/v1/persons/").status_code for _ in range(3)] == [200, 200, 429]
    assert api.get("/api/v1/persons/").json()["code"] == "throttled"


def test_staff_person_pages_are_rate_limited(two_a_minute, police_a):
    pages = Client()
    pages.force_login(police_a)
    statuses = [pages.get("/staff/persons/?name=李").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_the_persons_list_page_size_is_bounded(police_a, grid_a):
    address = factories.AddressFactory(grid=grid_a)
    for seq in range(1, 56):
        user = factories.UserFactory()
        person = services.create_own_person(
            actor=user,
            name="李明",
            id_number=factories.make_id_number(birth=dt.date(1990, 5, 17), seq=seq),
        )
        services.register_residence(
            actor=user,
            person_id=person.pk,
            address_id=address.pk,
            start_date=months_ago(8),
            reason="work",
        )
    cache.clear()
    api = APIClient()
    api.force_authenticate(police_a)
    body = api.get("/api/v1/persons/", {"page_size": 1000}).json()
    assert len(body["results"]) == 50
    assert body["next"]
    assert len(api.get("/api/v1/persons/", {"page_size": 10}).json()["results"]) == 10


# --- looking a person up by the full ID number -----------------------------------------------


@pytest.fixture
def registered_person(grid_a):
    user = factories.UserFactory()
    person = services.create_own_person(
        actor=user,
        name="王芳",
        id_number=factories.make_id_number(birth=dt.date(1988, 2, 3), seq=12),
        phone="13912345678",
    )
    services.register_residence(
        actor=user,
        person_id=person.pk,
        address_id=factories.AddressFactory(grid=grid_a).pk,
        start_date=months_ago(8),
        reason="work",
    )
    cache.clear()
    return person


def test_an_id_number_search_needs_a_reason_and_logs_each_person_found(registered_person, police_a):
    api = APIClient()
    api.force_authenticate(police_a)
    number = registered_person.id_number

    refused = api.get("/api/v1/persons/", {"id_number": number})
    assert refused.status_code == 400
    assert "reason" in refused.json()["fields"]
    assert not PersonRecordAccess.objects.exists()

    found = api.get("/api/v1/persons/", {"id_number": number, "reason": "上门核查"}).json()
    assert [row["id"] for row in found["results"]] == [registered_person.pk]
    access = PersonRecordAccess.objects.get()
    assert (access.person, access.staff) == (registered_person, police_a)
    assert access.reason.endswith("上门核查")

    pages = Client()
    pages.force_login(police_a)
    no_reason = pages.post("/staff/persons/", {"id_number": number})
    assert no_reason.status_code == 400
    assert registered_person.name not in no_reason.content.decode()
    with_reason = pages.post("/staff/persons/", {"id_number": number, "reason": "上门核查"})
    assert registered_person.name in with_reason.content.decode()
    assert number not in with_reason.content.decode()  # never shown back
    in_url = pages.get("/staff/persons/", {"id_number": number, "reason": "上门核查"})
    assert in_url.status_code == 302  # a whole ID number is not taken from a URL
    assert PersonRecordAccess.objects.count() == 2


def test_staff_without_the_full_record_right_cannot_search_by_id_number(
    registered_person, housing_a
):
    api = APIClient()
    api.force_authenticate(housing_a)
    number = registered_person.id_number

    response = api.get("/api/v1/persons/", {"id_number": number, "reason": "想看看"})

    assert response.status_code == 403
    pages = Client()
    pages.force_login(housing_a)
    page = pages.post("/staff/persons/", {"id_number": number, "reason": "想看看"})
    assert page.status_code == 403
    assert 'name="id_number"' not in page.content.decode()  # not offered either
    assert not PersonRecordAccess.objects.exists()


# --- a landlord's tenants --------------------------------------------------------------------


def test_a_landlord_cannot_rebuild_a_tenants_id_or_phone_number(grid_a, housing_a):
    from housing import services as housing_services
    from portal.accounts.models import Role
    from tests.housing.conftest import approve_home, make_home

    landlord = factories.UserFactory(username="landlord_d", roles=[Role.LANDLORD, Role.RESIDENT])
    home = approve_home(make_home(landlord, grid_a), landlord, housing_a)
    tenants = []
    for seq, (name, phone) in enumerate([("赵磊", "13800138111"), ("钱红", "15012345678")], 1):
        tenancy = housing_services.declare_tenant(
            actor=landlord,
            home_id=home.pk,
            name=name,
            id_number=factories.make_id_number(birth=dt.date(1991, 7, 9), seq=seq, region="330304"),
            phone=phone,
            start_date=months_ago(1),
        )
        tenants.append((tenancy.person, phone))
    api = APIClient()
    api.force_authenticate(landlord)
    pages = Client()
    pages.force_login(landlord)
    seen = "\n".join(
        [
            api.get("/api/v1/housing/homes/").content.decode(),
            api.get(f"/api/v1/housing/homes/{home.pk}/").content.decode(),
            api.get(f"/api/v1/housing/homes/{home.pk}/tenancies/").content.decode(),
            pages.get("/housing/homes/").content.decode(),
            pages.get(f"/housing/homes/{home.pk}/").content.decode(),
        ]
    )

    assert all(person.name in seen for person, _phone in tenants)  # the landlord sees them
    assert "138****8111" in seen  # enough to recognise the number entered
    for person, phone in tenants:
        assert person.id_number not in rebuilt_id_numbers(seen)
        assert phone not in phones_given_away(seen)
