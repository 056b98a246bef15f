"""The schooling part of `seed_demo`: schools in every district, an open round resident1 can apply to.

Runs, in their order, the seed steps this app's step stands on and its own.
"""

from __future__ import annotations

import random

import pytest

from portal import demo
from portal.accounts.models import User
from portal.areas.models import Area, Level
from residents import selectors as resident_selectors
from schooling import selectors, services
from schooling.models import EnrolmentRound, RoundStatus, School, Stage, Tenure

# The steps the schooling step stands on (the demo city, its accounts and residents).
STEPS = {"areas", "accounts", "residents", "schooling"}


def run_steps() -> None:
    ctx = demo.SeedContext(
        rng=random.Random(2026),
        options={"seed": 2026, "persons": 0, "addresses_per_grid": 2},
        write=lambda _line: None,
    )
    for step in demo.steps():
        if step.name in STEPS:
            step.step(ctx)


@pytest.fixture
def seeded(db):
    run_steps()


def test_every_district_has_schools_with_catchments_and_seats(seeded):
    enrolment_round = EnrolmentRound.objects.get(status=RoundStatus.OPEN)
    for district in Area.objects.filter(level=Level.DISTRICT):
        primaries = School.objects.filter(district=district, stage=Stage.PRIMARY)
        assert primaries.exists()
        assert all(school.catchment.exists() for school in primaries)
        assert enrolment_round.schools.filter(school__district=district, seats__gt=0).exists()
    assert enrolment_round.lottery_seed_sha256
    assert enrolment_round.revealed_seed == ""


def test_resident1_can_apply_for_their_child_and_education1_reviews(seeded):
    resident = User.objects.get(username="resident1")
    education = User.objects.get(username="education1")
    enrolment_round = EnrolmentRound.objects.get(status=RoundStatus.OPEN)
    child = resident_selectors.dependants_of(resident).get().dependant

    application = services.create_application(
        actor=resident, round_id=enrolment_round.pk, child_id=child.pk, tenure=Tenure.RENTED
    )

    assert selectors.rounds_managed_by(education).filter(pk=enrolment_round.pk).exists()
    assert application.case.department.code == "education"
    assert application.case.district in education.districts.all()


def test_seeding_twice_adds_nothing(seeded):
    schools, rounds = School.objects.count(), EnrolmentRound.objects.count()
    run_steps()
    assert (School.objects.count(), EnrolmentRound.objects.count()) == (schools, rounds)
