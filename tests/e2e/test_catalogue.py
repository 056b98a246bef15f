"""The service catalogue on a phone, without signing in: browse, read a guide, search in Chinese;
and a resident rating a decided application."""

from __future__ import annotations

import random

import pytest
from playwright.sync_api import expect

from portal.catalogue import demo
from portal.demo import SeedContext
from portal.workflow import services as workflow_services
from tests import factories
from tests.portal import kinds  # noqa: F401 - registers the test application kind


def _seed_catalogue() -> None:
    demo.seed(SeedContext(rng=random.Random(1), options={}, write=lambda line: None))


def _fits_the_phone(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.e2e
def test_a_visitor_browses_by_life_event_reads_a_guide_and_searches_in_chinese(
    page, console_errors
):
    _seed_catalogue()
    page.goto("/")
    page.get_by_role("link", name="查看全部新居民公共服务").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("新居民基本公共服务清单")
    assert _fits_the_phone(page)
    page.get_by_role("navigation", name="按人生事项浏览").get_by_role(
        "link", name="子女入学入托"
    ).click()
    page.get_by_role("link", name="随迁子女入学").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("随迁子女入学")
    expect(page.get_by_role("heading", name="申请条件")).to_be_visible()
    expect(page.get_by_role("heading", name="申请材料")).to_be_visible()
    expect(page.get_by_text("义务教育法第十二条")).to_be_visible()
    assert _fits_the_phone(page)

    page.get_by_role("link", name="全部服务").click()
    page.get_by_label("搜索服务").fill("租房")
    page.get_by_role("button", name="搜索").click()

    results = page.locator("#catalogue-results")
    expect(results.get_by_role("link", name="出租屋租赁登记")).to_be_visible()
    expect(results.get_by_role("link", name="保障性租赁住房申请")).to_be_visible()
    results.get_by_role("link", name="出租屋租赁登记").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("出租屋租赁登记")
    assert console_errors == []


@pytest.mark.e2e
def test_a_resident_rates_a_decided_application_once(page, console_errors, district_a, police_a):
    resident = factories.UserFactory(username="rater_e2e")
    case = workflow_services.create_case(
        kind="test_kind", applicant=resident, district=district_a, actor=resident
    )
    workflow_services.submit_case(case_id=case.pk, actor=resident)
    workflow_services.approve_case(case_id=case.pk, actor=police_a)

    page.goto("/accounts/login/")
    page.get_by_label("用户名或手机号码").fill("rater_e2e")
    page.get_by_label("密码", exact=True).fill("pass-for-tests-2026")
    page.get_by_role("main").get_by_role("button", name="登录").click()
    page.goto(f"/work/mine/{case.pk}/")
    page.get_by_role("link", name="评价本次服务").click()

    page.get_by_label("不满意", exact=True).check()
    page.get_by_label("评价内容（选填）").fill("等了很久才受理")
    page.get_by_role("button", name="提交评价").click()

    expect(page.get_by_role("heading", name="您的评价")).to_be_visible()
    expect(page.get_by_text("等了很久才受理")).to_be_visible()
    expect(page.get_by_text("办理部门将核实整改")).to_be_visible()
    expect(page.get_by_role("button", name="提交评价")).to_have_count(0)
    assert console_errors == []
