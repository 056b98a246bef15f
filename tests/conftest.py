"""The small cast every test can use: a city, a resident, reviewers of two districts, an officer."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.conf import settings
from django.db.models.signals import post_migrate
from django.utils import translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from pytest_django.fixtures import validate_django_db

from tests import factories

# Property tests judge results, never time: on a shared 2-core machine input generation and an
# example's database work can be slow, so neither the too-slow health check nor a deadline fails
# a test.
hypothesis_settings.register_profile(
    "portal", suppress_health_check=[HealthCheck.too_slow], deadline=None
)
hypothesis_settings.load_profile("portal")

# --- transactional tests: one convention (docs/testing.md) ------------------------------------

TRANSACTIONAL_RULE = (
    "A transactional test (transaction=True, or the transactional_db / live_server fixtures) "
    "must also restore the database it found: mark it "
    "@pytest.mark.django_db(transaction=True, serialized_rollback=True) "
    "(or request the django_db_serialized_rollback fixture). See docs/testing.md."
)


def _django_db_marker(item):
    marker = item.get_closest_marker("django_db")
    if marker is None:
        return None
    return validate_django_db(marker)


def is_transactional(item) -> bool:
    """Does this test commit for real (pytest-django flushes the database after it)?"""
    fixtures = getattr(item, "fixturenames", ())
    if "transactional_db" in fixtures or "live_server" in fixtures:
        return True
    settings = _django_db_marker(item)
    return bool(settings and (settings[0] or settings[1]))


def restores_serialized_data(item) -> bool:
    if "django_db_serialized_rollback" in getattr(item, "fixturenames", ()):
        return True
    settings = _django_db_marker(item)
    return bool(settings and settings[3])


def transactional_offenders(items) -> list[str]:
    """Transactional tests that do not use serialized rollback, by node id."""
    return [
        item.nodeid
        for item in items
        if is_transactional(item) and not restores_serialized_data(item)
    ]


def pytest_collection_modifyitems(config, items):
    """Refuse to run a transactional test that breaks the convention (any order must work)."""
    offenders = transactional_offenders(items)
    if offenders:
        raise pytest.UsageError(
            TRANSACTIONAL_RULE + "\nNot following it:\n  " + "\n  ".join(offenders)
        )


def _reference_data_after_migrate(sender, using="default", **kwargs):
    """`migrate` of a reused test database (and any flush that emits post_migrate) brings back
    the rows data migrations made, before pytest-django serializes the database for
    serialized rollback."""
    if sender.label == "contenttypes" and using == "default":
        _ensure_reference_data()


post_migrate.connect(_reference_data_after_migrate, dispatch_uid="tests.reference_data")


def _ensure_departments():
    from portal.accounts.models import Department

    rows = import_module("portal.accounts.migrations.0002_departments").DEPARTMENTS
    for code, name, name_en in rows:
        Department.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en})
    return Department.objects.all()


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a request in English leaves English active in
    the thread after its response, which would change the messages the next test reads."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The reference departments, also in a reused test database a transactional test flushed."""
    with django_db_blocker.unblock():
        _ensure_reference_data()


def _ensure_reference_data():
    """Rows the data migrations load (departments, points fact types and rule sets, the
    working-day calendar)."""
    from django.apps import apps

    _ensure_departments()
    import_module("points.migrations.0002_fact_types").create_fact_types(apps, None)
    import_module("points.migrations.0003_seed_rule_sets").create_rule_sets(apps, None)
    import_module("points.migrations.0005_verifying_departments").apply_map(apps, None)
    import_module("portal.calendar.migrations.0002_seed_from_chinese_calendar").copy_years(
        apps, None
    )


@pytest.fixture
def departments(db):
    """The departments again, for tests that run after a transactional test's flush."""
    return _ensure_departments()


@pytest.fixture
def city(departments):
    return factories.build_area_tree()


@pytest.fixture
def district_a(city):
    return city["districts"][0]


@pytest.fixture
def district_b(city):
    return city["districts"][1]


@pytest.fixture
def grid_a(city):
    return city["grids"][0][0]


@pytest.fixture
def grid_b(city):
    return city["grids"][1][0]


@pytest.fixture
def address_a(grid_a):
    return factories.AddressFactory(grid=grid_a)


@pytest.fixture
def resident(db):
    return factories.UserFactory(username="resident_t")


@pytest.fixture
def other_resident(db):
    return factories.UserFactory(username="resident_other")


@pytest.fixture
def police_a(district_a):
    return factories.reviewer(
        department="public_security", districts=[district_a], username="police_a"
    )


@pytest.fixture
def police_b(district_b):
    return factories.reviewer(
        department="public_security", districts=[district_b], username="police_b"
    )


@pytest.fixture
def housing_a(district_a):
    return factories.reviewer(department="housing", districts=[district_a], username="housing_a")


@pytest.fixture
def officer_a(grid_a):
    return factories.officer(grids=[grid_a], username="officer_a")
