"""A resident objects to their line on a published ranking list; the points office answers.

On a phone-sized screen: the resident signs in, opens the published list, writes the objection
under their own line and sends it; the office (human resources) signs in, answers it on the same
page; the resident reads the answer. Fields are found by their ids and names.
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from points.models import Objection, Scheme
from points.services import rankings
from tests import factories
from tests.points.conftest import complete_application, register_person

PASSWORD = "pass-for-tests-2026"


def sign_in(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("navigation").first).to_be_visible()


@pytest.mark.e2e
def test_a_resident_objects_to_their_ranking_line_and_the_office_answers(
    page, district_a, address_a, console_errors
):
    # Given: the Zhongshan rules in force, a resident with a scored school application, and
    # the published list of the round.
    import_module("points.migrations.0002_fact_types").create_fact_types(apps, None)
    import_module("points.migrations.0003_seed_rule_sets").create_rule_sets(apps, None)
    import_module("points.migrations.0005_verifying_departments").apply_map(apps, None)
    Scheme.objects.filter(code="zhongshan").update(is_active=True)
    reviewers = {
        code: factories.reviewer(department=code, districts=[district_a], username=f"{code}_e2e")
        for code in ("education", "human_resources", "public_security")
    }
    resident = factories.UserFactory(username="objector_e2e")
    register_person(resident, address_a, seq=91, name="韩异议")
    complete_application(
        resident,
        service="school",
        claims_made={"work_years_city": 3, "education": ["bachelor"]},
        reviewers=reviewers,
    )
    ranking = rankings.publish_ranking(
        actor=reviewers["human_resources"],
        service="school",
        round_name="2026年秋季第一批",
        applications_from=timezone.localdate() - dt.timedelta(days=7),
        applications_until=timezone.localdate(),
    )

    # When: the resident objects to their line.
    sign_in(page, "objector_e2e")
    page.goto(f"/points/rankings/{ranking.pk}/")
    expect(page.locator("table")).to_contain_text("韩**")
    page.locator("#id_text").fill("我的学历分数少算了")
    page.locator("form[action*='/object/'] button[type=submit]").click()
    expect(page.locator("[role=status], .message").first).to_be_visible()
    objection = Objection.objects.get()
    assert objection.text == "我的学历分数少算了"

    # ...and the office answers it on the list's page.
    sign_in(page, "human_resources_e2e")
    page.goto(f"/points/rankings/{ranking.pk}/")
    expect(page.locator("main")).to_contain_text("我的学历分数少算了")
    page.locator(f"#answer-{objection.pk}").fill("已复核：学历按本科计分，无误。")
    page.locator(f"form[action$='/objections/{objection.pk}/answer/'] button").click()
    expect(page.locator("main")).to_contain_text("已复核：学历按本科计分，无误。")

    # Then: the resident reads the answer.
    sign_in(page, "objector_e2e")
    page.goto(f"/points/rankings/{ranking.pk}/")
    expect(page.locator("main")).to_contain_text("已复核：学历按本科计分，无误。")
    objection.refresh_from_db()
    assert objection.answered_by.username == "human_resources_e2e"
    assert console_errors == []
