"""The housing cast on top of tests/conftest.py: landlords and their homes, tenants, permit
holders with housing scores, a project with units and an open round."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from housing import services
from housing.models import HousingProject, HousingUnit, UnitType
from points.models import FactType, RuleSet, Scheme, Score
from portal.accounts.models import Role
from residents import selectors as resident_selectors
from residents import services as resident_services
from residents.models import Permit, Relation
from tests import factories
from tests.residents.conftest import make_application, months_ago
from tests.uploads import use_upload_root


@pytest.fixture(autouse=True)
def upload_root(settings, tmp_path):
    use_upload_root(settings, tmp_path / "uploads")
    return settings.UPLOAD_ROOT


def tenant_id(seq: int, *, birth: dt.date = dt.date(1992, 3, 8)) -> str:
    return factories.make_id_number(birth=birth, seq=seq)


def make_home(landlord, grid, *, room: str = "101", max_occupants: int = 3, **extra):
    details = {
        "grid_id": grid.pk,
        "road": "学院路",
        "number": "8",
        "building": "2",
        "unit": "1",
        "room": room,
        "owner_name": "陈建国",
        "property_certificate": "浙(2020)温州市不动产权第0012345号",
        "rooms": 2,
        "floor_area": "56.5",
        "max_occupants": max_occupants,
        **extra,
    }
    return services.create_rental_home(actor=landlord, **details)


def approve_home(home, landlord, reviewer):
    services.submit_rental_home(actor=landlord, home_id=home.pk)
    return services.approve_rental_home(actor=reviewer, home_id=home.pk)


def declare(landlord, home, *, seq: int, name: str = "赵磊", start: dt.date | None = None):
    return services.declare_tenant(
        actor=landlord,
        home_id=home.pk,
        name=name,
        id_number=tenant_id(seq),
        phone="13800138111",
        start_date=start or timezone.localdate() - dt.timedelta(days=3),
    )


@pytest.fixture
def landlord(db):
    return factories.UserFactory(username="landlord_t", roles=[Role.LANDLORD, Role.RESIDENT])


@pytest.fixture
def other_landlord(db):
    return factories.UserFactory(username="landlord_o", roles=[Role.LANDLORD, Role.RESIDENT])


@pytest.fixture
def housing_b(district_b):
    return factories.reviewer(department="housing", districts=[district_b], username="housing_b")


@pytest.fixture
def officer_b(grid_b):
    return factories.officer(grids=[grid_b], username="officer_b")


@pytest.fixture
def draft_home(landlord, grid_a):
    return make_home(landlord, grid_a)


@pytest.fixture
def home(draft_home, landlord, housing_a):
    return approve_home(draft_home, landlord, housing_a)


# --- affordable housing ----------------------------------------------------------------------


def holder(user, *, seq: int, name: str, address, police) -> tuple:
    """A resident registered for eight months with a valid residence permit."""
    person = resident_services.create_own_person(
        actor=user,
        name=name,
        id_number=factories.make_id_number(birth=dt.date(1990, 5, 17), seq=seq),
        phone="",
    )
    factories.verified(
        resident_services.register_residence(
            actor=user,
            person_id=person.pk,
            address_id=address.pk,
            start_date=months_ago(8),
            reason="work",
        )
    )
    application = make_application(user, person)
    resident_services.submit_permit_application(actor=user, application_id=application.pk)
    resident_services.approve_permit_application(actor=police, application_id=application.pk)
    assert Permit.objects.filter(person=person, status="valid").exists()
    return person


@pytest.fixture
def rules_in_force(db) -> RuleSet:
    """The Zhongshan 2014 table of the points data migrations, in force; reloaded when a
    transactional test emptied the tables."""
    if not RuleSet.objects.filter(scheme__code="zhongshan", version=1).exists():
        if not FactType.objects.exists():
            import_module("points.migrations.0002_fact_types").create_fact_types(django_apps, None)
        import_module("points.migrations.0003_seed_rule_sets").create_rule_sets(django_apps, None)
    Scheme.objects.filter(code="zhongshan").update(is_active=True)
    return RuleSet.objects.get(scheme__code="zhongshan", version=1)


def give_points(
    person, rule_set, total: str, *, eligible: bool = True, subs: dict | None = None
) -> Score:
    """A current ledger entry with the given housing total and sub-scores (as the points engine
    writes it)."""
    value = float(Decimal(total))
    today = timezone.localdate()
    return Score.objects.create(
        person=person,
        rule_set=rule_set,
        reference_date=today,
        valid_until=today + dt.timedelta(days=365),
        facts_digest="test",
        breakdown=json.dumps(
            {
                "items": [],
                "families": [],
                "sub": subs or {},
                "services": {"housing": [value, value, 1.0, eligible, eligible, [], []]},
            }
        ),
        passed=["housing"] if eligible else [],
        computed_at=timezone.now(),
    )


@pytest.fixture
def project(district_a):
    project = HousingProject.objects.create(
        name="瓯江人才公寓", district=district_a, location="瓯江路88号"
    )
    for i in range(3):
        HousingUnit.objects.create(
            project=project,
            label=f"1幢{101 + i}",
            unit_type=UnitType.ONE_BEDROOM,
            floor_area="45.0",
            monthly_rent="1200",
        )
    HousingUnit.objects.create(
        project=project,
        label="2幢201",
        unit_type=UnitType.TWO_BEDROOM,
        floor_area="68.0",
        monthly_rent="1800",
    )
    return project


def open_round(project, reviewer, *, min_points=None, days_open: int = 30, offer_days: int = 7):
    today = timezone.localdate()
    return services.create_round(
        actor=reviewer,
        project_id=project.pk,
        name="2026年第一批",
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=days_open),
        unit_types=[(UnitType.ONE_BEDROOM, 1, 2), (UnitType.TWO_BEDROOM, 2, 4)],
        min_points=min_points,
        offer_days=offer_days,
    )


@pytest.fixture
def housing_round(project, housing_a):
    return open_round(project, housing_a)


@pytest.fixture
def applicant(resident, address_a, police_a):
    return holder(resident, seq=41, name="孙悦", address=address_a, police=police_a)


def register_household(user, size: int) -> None:
    """Add children to the user's registered household until it has `size` people."""
    present = resident_selectors.household_of(user).count()
    for i in range(present, size):
        resident_services.add_dependant(
            actor=user,
            relation=Relation.CHILD,
            name=f"孩子{i}",
            id_number=factories.make_id_number(
                birth=dt.date(2012, 1, 1) + dt.timedelta(days=(user.pk * 7 + i) % 3000), seq=992
            ),
        )


def apply(user, housing_round, *, unit_type=UnitType.ONE_BEDROOM, household_size=1):
    """Apply in the round with a registered household of `household_size` people."""
    register_household(user, household_size)
    return services.create_housing_application(
        actor=user,
        round_id=housing_round.pk,
        unit_type=unit_type,
        owns_home_in_city=False,
    )


def qualified(
    username: str,
    *,
    seq: int,
    name: str,
    housing_round,
    address,
    police,
    reviewer,
    unit_type=UnitType.ONE_BEDROOM,
    household_size=1,
    points: tuple | None = None,
):
    """A new resident with a permit whose application in the round was submitted and approved;
    `points`: (rule set, housing total) scored before the application."""
    user = factories.UserFactory(username=username)
    person = holder(user, seq=seq, name=name, address=address, police=police)
    if points is not None:
        give_points(person, *points)
    application = apply(user, housing_round, unit_type=unit_type, household_size=household_size)
    services.submit_housing_application(actor=user, application_id=application.pk)
    services.approve_housing_application(actor=reviewer, application_id=application.pk)
    return user, application
