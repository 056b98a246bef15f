"""The electronic permit's QR code changes on the holder's phone, and an old code stops verifying."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests import factories
from tests.residents.conftest import issue_permit_for, make_person, register
from tests.uploads import use_upload_root


def _verify_path(page) -> str:
    url = page.locator("#permit-qr img").get_attribute("data-verify-url")
    return url[url.index("/verify/") :]


@pytest.mark.e2e
def test_the_qr_code_rotates_and_the_verify_page_refuses_an_old_one(
    page, live_server, settings, tmp_path, district_a, grid_a, console_errors
):
    use_upload_root(settings, tmp_path / "uploads")
    settings.PERMIT_TOKEN_LIFETIME_SECONDS = 6  # the page fetches a new code every 2 s
    holder = factories.UserFactory(username="holder_e2e")
    police = factories.reviewer(
        department="public_security", districts=[district_a], username="police_e2e"
    )
    person = make_person(holder, seq=41, name="陈静")
    register(holder, person, factories.AddressFactory(grid=grid_a))
    permit = issue_permit_for(holder, person, police)
    client = Client()
    client.force_login(holder)
    name = django_settings.SESSION_COOKIE_NAME
    page.context.add_cookies(
        [{"name": name, "value": client.cookies[name].value, "url": live_server.url}]
    )

    with time_machine.travel(timezone.now(), tick=False) as traveller:
        page.goto(reverse("residents:permit", args=[permit.pk]))
        expect(page.get_by_role("heading", level=1)).to_have_text("电子居住证")
        first = _verify_path(page)

        traveller.shift(dt.timedelta(seconds=2))
        expect(page.locator("#permit-qr img")).not_to_have_attribute(
            "data-verify-url", f"{live_server.url}{first}"
        )
        second = _verify_path(page)
        assert second != first

        traveller.shift(dt.timedelta(seconds=6))
        verifier = page.context.new_page()
        verifier.goto(first)
        expect(verifier.locator(".verify")).to_have_class("verify verify--invalid")
        expect(verifier.get_by_role("status")).to_contain_text("已过期")

        expect(page.locator("#permit-qr img")).not_to_have_attribute(
            "data-verify-url", f"{live_server.url}{second}"
        )
        verifier.goto(_verify_path(page))
        expect(verifier.locator(".verify")).to_have_class("verify verify--valid")
    assert console_errors == []
