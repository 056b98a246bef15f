"""The demo's needs survey reproduces the source documents' shares, and a rerun adds nothing."""

from __future__ import annotations

import random
from decimal import Decimal

from portal.demo import SeedContext
from portal.surveys import demo, selectors
from portal.surveys.models import Response, Survey


def test_the_demo_survey_shows_the_source_shares(administrator, city, me):
    ctx = SeedContext(
        rng=random.Random(7),
        options={},
        made={"users": {"admin": administrator}, "districts": city["districts"]},
        write=lambda line: None,
    )
    demo.seed(ctx)
    demo.seed(ctx)

    survey = Survey.objects.get(title=demo.TITLE)
    assert survey.department.code == "human_resources"
    assert Response.objects.filter(survey=survey).count() == 850
    found = selectors.results(survey)
    needs = {row.label: row.share for row in found.questions[0].rows}
    assert needs["更多就业机会和职业培训"] == Decimal("62.00")
    assert needs["加强公共资源供给"] == Decimal("49.76")
    assert needs["优化医疗服务"] == Decimal("44.71")
    assert needs["改善居住条件"] == Decimal("38.94")
    assert found.questions[0].answered == 850
    assert len(found.questions[4].texts) == 50
    assert list(selectors.open_surveys_for(me.user)) == [survey]


def test_the_demo_survey_reaches_resident1_on_the_demo_city(db, settings):
    from portal import demo as portal_demo
    from portal.accounts.models import User
    from portal.notices import selectors as notice_selectors

    settings.DEMO_MODE = True
    ctx = SeedContext(
        rng=random.Random(2026), options={"addresses_per_grid": 3}, write=lambda line: None
    )
    for step in portal_demo.steps():
        if step.name in {"areas", "accounts", "residents", "surveys"}:
            step.step(ctx)

    resident1 = User.objects.get(username="resident1")
    survey = Survey.objects.get(title=demo.TITLE)
    assert list(selectors.open_surveys_for(resident1)) == [survey]
    titles = {n.policy.title for n in notice_selectors.policy_notices_of(resident1)}
    assert f"问卷调查：{demo.TITLE}" in titles
    points1 = User.objects.get(username="points1")
    assert list(selectors.surveys_managed_by(points1)) == [survey]
