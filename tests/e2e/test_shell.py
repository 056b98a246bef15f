"""The page shell in a real browser: its assets, the large-text mode and the skip link."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect


@pytest.mark.e2e
def test_the_vendored_htmx_and_the_stylesheet_load_without_errors(page, console_errors):
    page.goto("/")

    assert page.evaluate("() => typeof window.htmx") == "object"
    assert page.evaluate("() => window.htmx.config.includeIndicatorStyles") is False
    header = page.get_by_role("banner")
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(11, 74, 139)"
    assert console_errors == []


@pytest.mark.e2e
def test_large_text_mode_stays_on_from_page_to_page(page, console_errors):
    html = page.locator("html")
    page.goto("/")
    toggle = page.get_by_role("button", name="大字模式")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    normal = page.get_by_role("heading", level=1).bounding_box()["height"]

    toggle.click()

    expect(html).to_have_class("text-large")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert page.get_by_role("heading", level=1).bounding_box()["height"] > normal
    page.get_by_role("main").get_by_role("link", name="登录").click()
    expect(html).to_have_class("text-large")
    expect(page.get_by_role("button", name="大字模式")).to_have_attribute("aria-pressed", "true")

    page.get_by_role("button", name="大字模式").click()
    page.reload()
    expect(html).not_to_have_class("text-large")
    assert console_errors == []


@pytest.mark.e2e
def test_the_skip_link_is_the_first_stop_and_leads_to_the_content(page):
    page.goto("/accounts/login/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到主要内容")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")

    expect(page).to_have_url(page.url.split("#")[0] + "#main")
    page.keyboard.press("Tab")
    expect(page.get_by_label("用户名或手机号码")).to_be_focused()
