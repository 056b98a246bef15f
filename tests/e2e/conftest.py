"""The real-browser harness: Debian's Chromium driven by Playwright against pytest-django's live server.

Each test gets a fresh browser context (no cookies carried over) on a phone-sized screen. When a
test fails, a screenshot of its page is saved to test-results/<test name>.png. Without Chromium
at /usr/bin/chromium the tests are skipped, except in CI (CI set), where that is a failure.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from portal.accounts import sms

# Playwright's sync API runs an event loop in the test thread; Django refuses database calls
# from a thread with a running loop unless told this is deliberate.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE_SCREEN = {"width": 375, "height": 812}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: the CI machine must have it for the browser tests.")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def console_errors():
    """Console errors, uncaught exceptions and failed responses (e.g. a 404 for a script)."""
    return []


@pytest.fixture
def page(
    request, browser, live_server, transactional_db, django_db_serialized_rollback, console_errors
):
    """A new browser context per test. The live server commits, so the database is transactional;
    serialized rollback gives each test the rows the data migrations made (departments)."""
    context = browser.new_context(base_url=live_server.url, viewport=PHONE_SCREEN, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console_errors.append(str(e)))
    page.on(
        "response",
        lambda r: console_errors.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    yield page
    call = getattr(request.node, "report_call", None)
    if call is not None and call.failed:
        results = Path(request.config.rootpath) / "test-results"
        results.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        page.screenshot(path=str(results / f"{name}.png"), full_page=True)
    context.close()


@pytest.fixture
def sms_outbox(settings):
    """Texts the live server sends land in portal.accounts.sms.outbox (same process)."""
    settings.SMS_SENDER = "portal.accounts.sms.memory_sender"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()
