"""The city's view cast: a small city with a synthetic population and its facts built,
analysts of the city and of one district, a leader of one district."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from portal.areas.models import Address
from portal.dashboard import services
from residents import bulk
from tests import factories

PERSONS = 400


@pytest.fixture
def populated_city(city):
    """The two-district test city, 5 addresses per grid and PERSONS synthetic persons."""
    for grids in city["grids"]:
        for grid in grids:
            for _ in range(5):
                factories.AddressFactory(grid=grid)
    address_ids = list(Address.objects.order_by("grid__code", "id").values_list("pk", flat=True))
    bulk.load_persons(
        count=PERSONS,
        seed=7,
        address_ids=address_ids,
        today=timezone.localdate(),
        write=lambda line: None,
    )
    return city


@pytest.fixture
def built(populated_city):
    return services.rebuild_facts()


@pytest.fixture
def analyst(db):
    return factories.UserFactory(username="analyst_city", roles=["analyst"])


@pytest.fixture
def analyst_a(district_a):
    user = factories.UserFactory(username="analyst_a", roles=["analyst"])
    user.districts.set([district_a])
    return user


@pytest.fixture
def leader_a(district_a):
    user = factories.UserFactory(username="leader_a", roles=["leader"])
    user.districts.set([district_a])
    return user


def first_of(day: dt.date) -> dt.date:
    return day.replace(day=1)
