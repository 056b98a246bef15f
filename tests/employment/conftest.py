"""The employment cast on top of tests/conftest.py: human-resources reviewers, two employer
accounts with verified enterprises, a dormitory, residents with persons and registrations."""

from __future__ import annotations

import datetime as dt
from importlib import import_module

import pytest
from django.apps import apps
from django.utils import timezone
from stdnum.cn import uscc

from employment import services
from portal.accounts.models import Role
from residents import services as resident_services
from tests import factories


def credit_code(seq: int) -> str:
    body = f"91330302MA2A{seq:04d}X"
    return body + uscc.calc_check_digit(body)


def worker_id(seq: int, *, birth: dt.date = dt.date(1994, 6, 1)) -> str:
    return factories.make_id_number(birth=birth, seq=seq)


def register_employer(user, district, *, seq: int, name: str = "温州鹿城鞋业有限公司"):
    return services.register_employer(
        actor=user,
        name=name,
        credit_code=credit_code(seq),
        district_id=district.pk,
        trade="manufacturing",
        contact_name="陈经理",
        contact_phone="0577-88886666",
    )


def make_person(user, *, seq: int, name: str = "李明"):
    return resident_services.create_own_person(
        actor=user,
        name=name,
        id_number=worker_id(seq, birth=dt.date(1990, 5, 17)),
        phone="13800138000",
    )


@pytest.fixture
def hr_a(district_a):
    return factories.reviewer(department="human_resources", districts=[district_a], username="hr_a")


@pytest.fixture
def hr_b(district_b):
    return factories.reviewer(department="human_resources", districts=[district_b], username="hr_b")


@pytest.fixture
def employer_user(db):
    return factories.UserFactory(username="boss_t", roles=[Role.EMPLOYER])


@pytest.fixture
def other_employer_user(db):
    return factories.UserFactory(username="boss_other", roles=[Role.EMPLOYER])


@pytest.fixture
def employer(employer_user, district_a, hr_a, employer_window):
    registered = register_employer(employer_user, district_a, seq=1)
    return services.approve_employer(actor=hr_a, employer_id=registered.pk)


@pytest.fixture
def other_employer(other_employer_user, district_a, hr_a):
    registered = register_employer(other_employer_user, district_a, seq=2, name="温州瓯海服装厂")
    return services.approve_employer(actor=hr_a, employer_id=registered.pk)


@pytest.fixture
def dorm_address(grid_a):
    return factories.AddressFactory(grid=grid_a, road="工业路", number="18")


@pytest.fixture
def dormitory(employer, employer_user, dorm_address):
    return services.add_dormitory(
        actor=employer_user, employer_id=employer.pk, address_id=dorm_address.pk, capacity=2
    )


@pytest.fixture
def me(resident):
    return make_person(resident, seq=13)


@pytest.fixture
def registered_me(me, resident, address_a):
    return resident_services.register_residence(
        actor=resident,
        person_id=me.pk,
        address_id=address_a.pk,
        start_date=dt.date(2024, 1, 10),
        reason="work",
    )


@pytest.fixture(autouse=True)
def _fresh_points_caches():
    from django.core.cache import cache

    from points import spec

    spec.forget_compiled()
    cache.clear()
    yield
    spec.forget_compiled()


def bad_id(seq: int) -> str:
    """A worker's ID number with a wrong check character."""
    good = worker_id(seq)
    return good[:-1] + ("1" if good[-1] != "1" else "2")


def seed_points() -> None:
    """The points data migrations' fact types and rule sets (a transactional test's flush
    removes them from a reused test database; loading is idempotent)."""
    import_module("points.migrations.0002_fact_types").create_fact_types(apps, None)
    import_module("points.migrations.0003_seed_rule_sets").create_rule_sets(apps, None)


@pytest.fixture
def employer_window(db):
    """Employers declare within 7 calendar days here (residents' registration policy), so that
    on-time and late do not depend on the weekday a test runs on."""
    from residents.models import RegistrationPolicy

    return RegistrationPolicy.objects.create(
        effective_from=timezone.localdate() - dt.timedelta(days=60),
        employer_days=7,
        calendar_days=True,
    )


@pytest.fixture(autouse=True)
def _in_english():
    """Service messages are compared in English here; pages answer in Chinese, the default."""
    from django.utils import translation

    with translation.override("en"):
        yield
