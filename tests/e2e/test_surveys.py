"""A needs survey on a phone: the resident finds it in their messages and answers it; the
department's staff see the answer in the results chart."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e import axe
from tests.notices.conftest import district_target, resident_at
from tests.surveys.conftest import make_survey

PASSWORD = "pass-for-tests-2026"


def _sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名或手机号码").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="登录").click()


def _fits_the_phone(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.e2e
def test_a_resident_answers_on_a_phone_and_staff_see_the_chart(
    page, browser, live_server, console_errors, district_a, address_a
):
    resident = factories.UserFactory(username="survey_e2e")
    resident_at(address_a, user=resident)
    staff = factories.reviewer(
        department="human_resources", districts=[district_a], username="survey_staff"
    )
    survey = make_survey(staff, target=district_target(district_a))

    _sign_in(page, "survey_e2e")
    page.goto("/notices/")
    page.get_by_role("link", name="问卷调查：新居民需求调查").first.click()
    page.get_by_role("link", name="了解详情").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("新居民需求调查")
    assert _fits_the_phone(page)
    found = axe.violations(page)
    assert not found, axe.report(found)

    page.get_by_role("button", name="提交问卷").click()
    expect(page.get_by_role("heading", name="有些回答需要您再看一下。")).to_be_visible()
    expect(page.get_by_role("alert").get_by_role("link")).to_have_count(2)
    found = axe.violations(page)
    assert not found, axe.report(found)

    page.get_by_label("1至3年").check()
    page.get_by_label("就业培训").check()
    page.get_by_label("医疗服务").check()
    page.get_by_label("4", exact=True).check()
    page.get_by_label("您还有什么建议？").fill("希望培训安排在晚上")
    page.get_by_role("button", name="提交问卷").click()
    expect(page.get_by_role("heading", name="您已填写过这份问卷")).to_be_visible()
    assert _fits_the_phone(page)

    staff_context = browser.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 812}, locale="zh-CN"
    )
    staff_page = staff_context.new_page()
    _sign_in(staff_page, "survey_staff")
    staff_page.goto(f"/surveys/manage/{survey.pk}/results/")
    expect(staff_page.get_by_role("heading", level=1)).to_have_text("调查结果")
    chart = staff_page.locator(f'[data-survey-chart="{survey.questions.get(position=2).pk}"]')
    expect(chart).to_have_attribute("data-drawn", "true")
    expect(chart.locator("canvas")).to_have_count(1)
    expect(staff_page.locator("tr", has_text="医疗服务")).to_contain_text("100.00")
    expect(staff_page.get_by_text("希望培训安排在晚上")).to_be_visible()
    found = axe.violations(staff_page)
    assert not found, axe.report(found)
    staff_context.close()
    assert console_errors == []
