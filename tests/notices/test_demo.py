"""The demo city's policies: resident1 finds training courses and a rent subsidy in their inbox."""

from __future__ import annotations

import random

from portal import demo
from portal.accounts.models import User
from portal.notices import selectors
from portal.notices.models import Grant, Policy, PolicyNotice, PolicyStatus

STEPS = ("areas", "accounts", "residents", "notices")


def seed() -> None:
    """The demo steps the notices' part stands on, then the notices' part."""
    ctx = demo.SeedContext(
        rng=random.Random(2026), options={"addresses_per_grid": 3}, write=lambda line: None
    )
    for step in demo.steps():
        if step.name in STEPS:
            step.step(ctx)


def test_the_demo_gives_resident1_an_inbox_and_a_benefit(db, settings):
    settings.DEMO_MODE = True
    seed()
    resident1 = User.objects.get(username="resident1")
    titles = {n.policy.title for n in selectors.policy_notices_of(resident1)}
    assert "新居民职业技能提升免费培训报名" in titles
    assert "新居民租房补贴（免申即享）" in titles
    assert selectors.grants_of(resident1).get().amount == 1200
    assert selectors.unread_count(resident1) >= 2

    counts = (Policy.objects.count(), PolicyNotice.objects.count(), Grant.objects.count())
    seed()
    assert (Policy.objects.count(), PolicyNotice.objects.count(), Grant.objects.count()) == counts
    reminder = Policy.objects.get(title="居住证签注提醒")
    assert reminder.status in (PolicyStatus.DRAFT, PolicyStatus.PUBLISHED)


def test_the_notices_step_comes_after_the_residents(db):
    order = {step.name: step.order for step in demo.steps()}
    assert order["notices"] > order["residents"] > order["accounts"]
