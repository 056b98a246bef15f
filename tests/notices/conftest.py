"""The cast of the notices tests: registered residents (with and without accounts), staff who
publish policies, a policy built through the services, and a real Celery worker."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connections
from django.urls import NoReverseMatch
from django.utils import timezone

from portal import navigation
from portal.celery import app as celery_app
from portal.notices import services
from portal.periods import add_months
from residents import idnumber
from residents.models import Dependant, Person, Reason, Registration, Relation, Source
from tests import factories
from tests.uploads import use_upload_root

_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def routable_navigation():
    """Only the menu entries whose pages this tree routes (apps being built elsewhere register
    entries before their URLs are wired in), so every page renders."""
    saved = dict(navigation._items)
    for key, item in saved.items():
        try:
            item.url  # noqa: B018 - reversing is the check
        except NoReverseMatch:
            del navigation._items[key]
    yield
    navigation._items.clear()
    navigation._items.update(saved)


@pytest.fixture(autouse=True)
def criteria_registry():
    """The registered criteria as the apps left them, restored after tests that add their own."""
    from portal.notices import criteria

    saved = dict(criteria._criteria)
    yield
    criteria._criteria.clear()
    criteria._criteria.update(saved)


def months_ago(months: int, *, today: dt.date | None = None) -> dt.date:
    return add_months(today or timezone.localdate(), -months)


def make_person(
    *,
    birth: dt.date = dt.date(1990, 5, 17),
    user=None,
    phone: str = "",
    name: str = "张三",
) -> Person:
    """A valid registry entry (a real ID number, birth date and sex read from it)."""
    seq = 2 * next(_seq) + 1
    parsed = idnumber.parse(factories.make_id_number(birth=birth, seq=seq % 1000, region="330304"))
    return Person.objects.create(
        user=user,
        name=name,
        id_number=parsed.number,
        id_hash=idnumber.keyed_hash(parsed.number),
        id_masked=parsed.masked,
        birth_date=parsed.birth_date,
        sex=parsed.sex,
        phone=phone,
    )


def register(person: Person, address, *, start: dt.date, end: dt.date | None = None):
    return Registration.objects.create(
        person=person,
        address=address,
        start_date=start,
        end_date=end,
        reason=Reason.WORK,
        source=Source.SELF,
    )


def resident_at(address, *, months: int = 24, **kwargs) -> Person:
    """A person registered at `address` for the last `months` months."""
    person = make_person(**kwargs)
    register(person, address, start=months_ago(months))
    return person


def child_of(guardian: Person, *, birth: dt.date) -> Person:
    child = make_person(birth=birth, name="小明")
    Dependant.objects.create(guardian=guardian, dependant=child, relation=Relation.CHILD)
    return child


@pytest.fixture
def address_b(grid_b):
    return factories.AddressFactory(grid=grid_b)


@pytest.fixture
def address_a2(city):
    return factories.AddressFactory(grid=city["grids"][0][1])


@pytest.fixture
def me(resident, address_a):
    """The signed-in resident's own person, registered in district A two years ago."""
    return resident_at(address_a, user=resident, phone="+8613800138000")


@pytest.fixture
def them(other_resident, address_b):
    return resident_at(address_b, user=other_resident, phone="+8613800138001")


@pytest.fixture
def hr_staff(district_a):
    return factories.reviewer(
        department="human_resources", districts=[district_a], username="hr_staff"
    )


@pytest.fixture
def housing_staff(district_a):
    return factories.reviewer(department="housing", districts=[district_a], username="housing_x")


@pytest.fixture
def administrator(db):
    return factories.UserFactory(username="admin_t", roles=["administrator"], is_superuser=True)


def district_target(*districts) -> list[dict]:
    return [{"criterion": "residents.district", "params": {"districts": [d.pk for d in districts]}}]


def policy_input(**overrides) -> services.PolicyInput:
    values = {
        "title": "免费技能培训报名",
        "title_en": "Free skills training",
        "body": "本季度开设免费培训班。",
        "body_en": "Free courses this quarter.",
        "starts_on": timezone.localdate(),
        "ends_on": timezone.localdate() + dt.timedelta(days=30),
        "target": [],
    }
    values.update(overrides)
    return services.PolicyInput(**values)


def make_policy(actor, *, target, publish: bool = False, **overrides):
    policy = services.create_policy(actor=actor, data=policy_input(target=target, **overrides))
    if publish:
        policy = services.publish_policy(actor=actor, policy_id=policy.pk, queue_push=False)
    return policy


RENT = {"grant_name": "租房补贴", "grant_name_en": "Rent subsidy", "grant_amount": Decimal("1200")}


@pytest.fixture
def worker(django_db_setup, django_db_blocker):
    """A real worker of the portal's Celery app (two threads), started before the test's
    database fixture: starting it closes every open connection (Celery's Django fixup), so the
    connections are closed first. Messages left in the queue by earlier runs are purged."""
    with django_db_blocker.unblock():
        connections.close_all()
    celery_app.control.purge()
    with start_worker(
        celery_app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=30
    ) as running:
        yield running
    with django_db_blocker.unblock():
        connections.close_all()


@pytest.fixture
def issue_permit(settings, tmp_path, public_security):
    """Issue a residence permit through the residents services (apply, submit, approve)."""
    from tests.residents.conftest import issue_permit_for

    use_upload_root(settings, tmp_path / "uploads")
    return issue_permit_for


@pytest.fixture
def public_security(db):
    from portal.accounts.models import Department

    department, _ = Department.objects.get_or_create(
        code="public_security", defaults={"name": "公安局", "name_en": "Public Security Bureau"}
    )
    return department
