"""A resident's phone home and what they can apply for, and the axe-core check of these pages
and the catalogue's (0 violations), on a phone-sized screen."""

from __future__ import annotations

import random

import pytest
from playwright.sync_api import expect

from portal.catalogue import demo
from portal.demo import SeedContext
from portal.navigation import MENU_LIMIT
from tests import factories
from tests.e2e import axe
from tests.residents.conftest import make_application, make_person, months_ago, register
from tests.uploads import use_upload_root


def _seed_catalogue() -> None:
    demo.seed(SeedContext(rng=random.Random(1), options={}, write=lambda line: None))


def _sign_in(page, username: str) -> None:
    # A shared two-core machine can take longer than the harness's 10 s to serve a first page.
    page.set_default_timeout(30_000)
    page.goto("/accounts/login/")
    page.get_by_label("用户名或手机号码").fill(username)
    page.get_by_label("密码", exact=True).fill("pass-for-tests-2026")
    page.get_by_role("main").get_by_role("button", name="登录").click()


def _fits_the_phone(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def resident_with_an_application(address_a, police_a, settings, tmp_path):
    use_upload_root(settings, tmp_path / "uploads")
    user = factories.UserFactory(username="home_e2e")
    person = make_person(user, seq=91, name="林小梅")
    register(user, person, address_a, start=months_ago(8))
    application = make_application(user, person)
    from residents import services as resident_services

    resident_services.submit_permit_application(actor=user, application_id=application.pk)
    return user, application


@pytest.mark.e2e
def test_the_resident_home_shows_status_first_under_a_short_menu(
    page, console_errors, resident_with_an_application
):
    _seed_catalogue()
    _user, application = resident_with_an_application
    _sign_in(page, "home_e2e")
    page.goto("/")

    expect(page.get_by_role("heading", level=1)).to_have_text("您好，林小梅")
    menu = page.get_by_role("navigation", name="主菜单").get_by_role("link")
    assert menu.count() <= MENU_LIMIT
    status = page.get_by_role("region", name="我的办理状态")
    expect(status.get_by_text(application.case.reference)).to_be_visible()
    expect(status.get_by_text("等待")).to_be_visible()
    expect(status.get_by_role("heading", name="我的居住证")).to_be_visible()
    expect(status.get_by_role("heading", name="待办事项")).to_be_visible()
    # Status comes before the services on the page.
    assert page.evaluate(
        """() => {
            const s = document.getElementById('status-title');
            const v = document.getElementById('services-title');
            return !!(s.compareDocumentPosition(v) & Node.DOCUMENT_POSITION_FOLLOWING);
        }"""
    )
    assert _fits_the_phone(page)
    found = axe.violations(page)
    assert found == [], axe.report(found)

    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="我能办什么").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我能办什么")
    expect(page.locator('[data-service="residence_permit"]')).to_contain_text(
        application.case.reference
    )
    assert _fits_the_phone(page)
    found = axe.violations(page)
    assert found == [], axe.report(found)
    assert console_errors == []


@pytest.mark.e2e
def test_the_catalogue_pages_have_no_axe_violations(page, console_errors):
    _seed_catalogue()
    for url in ("/", "/services/", "/services/school_place/", "/services/search/?q=租房"):
        page.goto(url)
        found = axe.violations(page)
        assert found == [], f"{url}\n{axe.report(found)}"
    assert console_errors == []


@pytest.mark.e2e
def test_the_hukou_place_is_chosen_level_by_level(page, console_errors, city, district_a):
    factories.UserFactory(username="picker_e2e")
    _sign_in(page, "picker_e2e")
    page.goto("/residence/me/")
    root = district_a.parent

    # htmx binds a swapped-in list at the end of its settle step (htmx:afterSettle); a person
    # takes longer than that to choose, the test waits for it.
    page.evaluate(
        "document.body.addEventListener('htmx:afterSettle', (event) => {"
        "  if (event.detail.target.id === 'id_origin_code_below0') {"
        "    document.body.dataset.pickerSettled = 'yes';"
        "  }"
        "});"
    )
    page.get_by_label("选择地区").select_option(root.code)
    next_level = page.locator("#id_origin_code_level1")
    expect(next_level).to_be_visible()
    expect(page.locator("body")).to_have_attribute("data-picker-settled", "yes")
    next_level.select_option(district_a.code)
    expect(page.locator("#id_origin_code_level2")).to_be_visible()
    assert _fits_the_phone(page)
    found = axe.violations(page)
    assert found == [], axe.report(found)
    assert console_errors == []
