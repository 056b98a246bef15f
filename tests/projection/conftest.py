"""A small registered city for the projection: persons of known ages, moves, an analyst."""

from __future__ import annotations

import datetime as dt
import itertools
from importlib import import_module

import pytest
from django.apps import apps

from portal.projection.models import Scenario
from residents import idnumber
from residents.models import Person, Reason, Registration, Source
from tests import factories

BASE_DATE = dt.date(2026, 8, 31)
_seq = itertools.count(1)


def make_person(*, birth: dt.date, female: bool = False) -> Person:
    """A valid registry entry; the ID number's sequence sets the sex (odd men, even women)."""
    seq = 2 * (next(_seq) % 400) + (2 if female else 1)
    parsed = idnumber.parse(factories.make_id_number(birth=birth, seq=seq, region="330304"))
    return Person.objects.create(
        name="测试",
        id_number=parsed.number,
        id_hash=idnumber.keyed_hash(parsed.number),
        id_masked=parsed.masked,
        birth_date=parsed.birth_date,
        sex=parsed.sex,
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


def ensure_baseline() -> Scenario:
    import_module("portal.projection.migrations.0002_baseline_scenario").create_baseline(apps, None)
    return Scenario.objects.get(is_baseline=True)


@pytest.fixture
def baseline(db):
    return ensure_baseline()


@pytest.fixture
def analyst(db):
    return factories.UserFactory(username="analyst_t", roles=["analyst"])


@pytest.fixture
def as_analyst(client, analyst):
    client.force_login(analyst)
    return client


@pytest.fixture
def addresses(city):
    """One address in each grid: [district][grid]."""
    return [[factories.AddressFactory(grid=g) for g in grids] for grids in city["grids"]]
