"""The points demo step on top of the areas, accounts and residents steps; twice is once."""

from __future__ import annotations

import random

import pytest

from points import demo as points_demo
from points import selectors
from points.models import ApplicationStatus, RankingList, Score, Zone
from portal.accounts import demo as accounts_demo
from portal.areas import demo as areas_demo
from portal.demo import SeedContext
from residents import demo as residents_demo
from residents.models import Person


def run_steps() -> SeedContext:
    ctx = SeedContext(
        rng=random.Random(2026), options={"addresses_per_grid": 2}, write=lambda line: None
    )
    for step in (areas_demo.seed, accounts_demo.seed, residents_demo.seed, points_demo.seed):
        step(ctx)
    return ctx


@pytest.fixture
def seeded(db, departments):
    return run_steps()


def test_the_demo_city_runs_its_own_rules_and_both_reference_tables_stay_published(seeded):
    in_force = selectors.rule_set_in_force()
    assert in_force.scheme.code == "dongou"
    assert "东瓯市" in in_force.name
    assert {r.scheme.code for r in selectors.published_rule_sets()} == {
        "dongou",
        "zhongshan",
        "shanghai",
    }
    assert Zone.objects.get(code="outer").areas.count() == len(seeded.made["districts"]) - 1


def test_resident1_has_a_verified_score_above_the_school_threshold(seeded):
    person = Person.objects.get(user__username="resident1")
    application = person.points_applications.get()
    assert application.status == ApplicationStatus.COMPLETED
    assert set(application.claims.values_list("case__status", flat=True)) == {"approved"}
    reviewers = set(application.claims.values_list("case__transitions__actor__username", flat=True))
    assert {"education1", "points1", "police1"} <= reviewers
    score = Score.objects.get(person=person, is_current=True)
    assert score.total("school") > 30
    assert selectors.passes(person, "school")
    assert RankingList.objects.get().entries.filter(person=person).exists()


def test_running_the_demo_twice_changes_nothing(seeded):
    counts = (Score.objects.count(), RankingList.objects.count(), Person.objects.count())
    run_steps()
    assert (Score.objects.count(), RankingList.objects.count(), Person.objects.count()) == counts
