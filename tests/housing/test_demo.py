"""The housing part of seed_demo: landlord1's let homes with tenants, a project with an open round."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from housing import selectors
from housing.models import ApplicationRound, HousingUnit, RentalHome, RoundStatus, Tenancy
from portal.accounts.models import User
from portal.workflow import selectors as workflow_selectors
from portal.workflow.models import Status


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", "--addresses-per-grid", "3", stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db, settings):
    settings.DEMO_MODE = True
    return seed()


def test_landlord1_lets_two_approved_homes_to_the_demo_residents(seeded):
    landlord = User.objects.get(username="landlord1")
    homes = [h for h in selectors.homes_of_landlord(landlord) if h.case.status == Status.APPROVED]
    assert len(homes) == 2
    for home in homes:
        tenancies = Tenancy.objects.filter(home=home, end_date__isnull=True)
        assert tenancies.exists()
        assert all(t.registration.address_id == home.address_id for t in tenancies)
    for username in ("resident1", "resident2"):
        assert selectors.tenancies_of_tenant(User.objects.get(username=username)).exists()


def test_housing1_has_a_safety_check_to_review_and_an_open_round(seeded):
    housing1 = User.objects.get(username="housing1")
    waiting = workflow_selectors.cases_reviewable_by(housing1).filter(
        kind="rental_home", status=Status.SUBMITTED
    )
    assert waiting.count() == 1
    assert selectors.open_rounds().count() == 1
    assert HousingUnit.objects.count() == 40
    assert ApplicationRound.objects.get().status == RoundStatus.OPEN
    assert selectors.rounds_managed_by(housing1).count() == 1


def test_seeding_twice_adds_nothing(seeded):
    counts = (RentalHome.objects.count(), Tenancy.objects.count(), HousingUnit.objects.count())
    seed()
    assert (
        RentalHome.objects.count(),
        Tenancy.objects.count(),
        HousingUnit.objects.count(),
    ) == counts
