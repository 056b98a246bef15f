"""Limits keyed on the real client, and a growing pause per account instead of a lock-out."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.test import RequestFactory
from rest_framework.test import APIClient

from portal import client_ip
from portal.accounts import login_delay
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "pass-for-tests-2026"
TOKEN_URL = "/api/v1/auth/token/"
PRODUCTION_RATE_LIMITS = {"login_failed": "10/m/ip", "reset_password": "20/m/ip,3/10m/key"}


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


def _ip(settings, remote: str, forwarded: str | None = None) -> str:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip.client_ip(RequestFactory().get("/", **meta))


# --- whose address ---------------------------------------------------------------------------


def test_forwarded_header_is_ignored_without_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = []
    assert _ip(settings, "198.51.100.7", "203.0.113.9") == "198.51.100.7"


def test_a_trusted_proxy_relays_the_client_address(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert _ip(settings, "10.0.0.5", "203.0.113.9") == "203.0.113.9"
    assert _ip(settings, "10.0.0.5", "203.0.113.9, 10.1.2.3") == "203.0.113.9"


def test_a_client_cannot_prepend_a_forged_address_through_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert _ip(settings, "10.0.0.5", "1.2.3.4, 203.0.113.9") == "203.0.113.9"
    assert _ip(settings, "10.0.0.5", "not-an-address") == "10.0.0.5"


def test_a_new_forwarded_address_per_request_does_not_escape_the_token_throttle(settings, db):
    settings.TRUSTED_PROXIES = []
    api = APIClient()
    statuses = [
        api.post(
            TOKEN_URL,
            {"username": f"nobody{n}", "password": "guess"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n in range(12)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[10:] == [429, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_count(settings, db):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    api = APIClient()
    for n in range(10):
        api.post(
            TOKEN_URL,
            {"username": f"nobody{n}", "password": "guess"},
            REMOTE_ADDR="10.0.0.5",
            HTTP_X_FORWARDED_FOR="203.0.113.1",
        )
    other = api.post(
        TOKEN_URL,
        {"username": "nobody", "password": "guess"},
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="203.0.113.2",
    )
    assert other.status_code == 400


# --- per account: a pause, not a lock-out --------------------------------------------------------


def test_the_pause_grows_and_stops_at_its_cap(settings):
    settings.LOGIN_DELAY = {
        "free_failures": 3,
        "base_seconds": 1,
        "max_seconds": 30,
        "forget_after_seconds": 900,
    }
    assert [login_delay.pause_after(n) for n in range(1, 11)] == [0, 0, 0, 1, 2, 4, 8, 16, 30, 30]


def test_wrong_api_passwords_for_one_account_make_the_next_try_wait(db):
    user = factories.UserFactory(username="target")
    api = APIClient()
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        for n in range(4):
            response = api.post(
                TOKEN_URL,
                {"username": user.username, "password": "guess"},
                REMOTE_ADDR=f"198.51.100.{n}",
            )
            assert response.status_code == 400
        refused = api.post(
            TOKEN_URL, {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="192.0.2.1"
        )
    assert refused.status_code == 429
    assert refused.json()["code"] == "too_soon"
    assert refused["Retry-After"] == "1"
    with time_machine.travel(start + dt.timedelta(seconds=2), tick=False):
        allowed = api.post(
            TOKEN_URL, {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="192.0.2.1"
        )
    assert allowed.status_code == 200


def _html_login(client, username, password, remote):
    return client.post(
        "/accounts/login/", {"login": username, "password": password}, REMOTE_ADDR=remote
    )


def test_an_attacker_cannot_keep_the_owner_out_of_the_sign_in_page_for_long(client, settings):
    settings.ACCOUNT_RATE_LIMITS = PRODUCTION_RATE_LIMITS
    factories.UserFactory(username="lihua")
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    # twenty wrong passwords from twenty addresses, each sent as soon as the pause allows
    moment = start
    for n in range(20):
        moment += dt.timedelta(seconds=login_delay.pause_after(n) + 1)
        with time_machine.travel(moment, tick=False):
            _html_login(client, "lihua", "guess", f"198.51.100.{n}")
    # the owner, a little over the longest pause later, gets in with the right password
    with time_machine.travel(moment + dt.timedelta(seconds=31), tick=False):
        response = _html_login(client, "lihua", PASSWORD, "192.0.2.1")
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")


def test_during_the_pause_the_sign_in_page_says_how_long_to_wait(client, settings):
    settings.ACCOUNT_RATE_LIMITS = PRODUCTION_RATE_LIMITS
    factories.UserFactory(username="lihua")
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        for n in range(5):
            _html_login(client, "lihua", "guess", f"198.51.100.{n}")
        response = _html_login(client, "lihua", PASSWORD, "192.0.2.1")
    assert response.status_code == 200
    assert "秒后重试" in response.content.decode()
    assert not client.session.get("_auth_user_id")


def test_the_right_password_clears_the_count(db):
    user = factories.UserFactory(username="target")
    api = APIClient()
    for _ in range(3):
        api.post(TOKEN_URL, {"username": user.username, "password": "guess"})
    assert api.post(TOKEN_URL, {"username": user.username, "password": PASSWORD}).status_code == 200
    assert api.post(TOKEN_URL, {"username": user.username, "password": "guess"}).status_code == 400
    assert login_delay.seconds_to_wait(user.username) == 0
