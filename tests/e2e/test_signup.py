"""A new resident signs up on a phone-sized screen and uses the language switch."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.accounts.helpers import code_in

PASSWORD = "Qingshan-2026!"


@pytest.mark.e2e
def test_a_new_resident_signs_up_confirms_the_number_and_switches_language(
    page, live_server, sms_outbox, console_errors
):
    heading = page.get_by_role("heading", level=1)

    page.goto("/")
    expect(page).to_have_title("新居民服务平台")
    page.get_by_role("main").get_by_role("link", name="注册").click()

    expect(heading).to_have_text("注册")
    page.get_by_label("手机号码").fill("139 0571 2345")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("确认密码").fill(PASSWORD)
    page.get_by_role("button", name="注册").click()

    expect(page).to_have_url(re.compile(r"/accounts/phone/verify/$"))
    expect(heading).to_have_text("验证手机号码")
    expect(page.get_by_role("main")).to_contain_text("139 0571 2345")
    assert [m.phone for m in sms_outbox] == ["+8613905712345"]
    page.get_by_label("验证码").fill(code_in(sms_outbox[0]))
    page.get_by_role("button", name="确认").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(heading).to_have_text("您好，u2345")
    expect(page.get_by_role("status").first).to_contain_text("139 0571 2345")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(heading).to_have_text("Hello, u2345")
    expect(page.get_by_role("banner")).to_contain_text("New-resident services portal")

    page.get_by_role("button", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(heading).to_have_text("您好，u2345")
    expect(page.get_by_role("button", name="简体中文")).to_have_attribute("aria-pressed", "true")

    assert console_errors == []
