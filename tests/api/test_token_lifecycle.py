"""API tokens end: they expire, their owner lists and revokes them, sign-out and a new password end them."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.api.conftest import assert_error_body

URL = "/api/v1/auth/token/"
PASSWORD = "pass-for-tests-2026"


def _sign_in(user) -> dict:
    response = APIClient().post(URL, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200, response.content
    return response.json()


def _with(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_a_token_expires_after_its_lifetime(resident):
    issued = _sign_in(resident)
    expiry = dt.datetime.fromisoformat(issued["expiry"])
    assert dt.timedelta(hours=23) < expiry - timezone.now() <= dt.timedelta(hours=24)
    assert _with(issued["token"]).get("/api/v1/me/").status_code == 200

    with time_machine.travel(expiry + dt.timedelta(seconds=1)):
        late = _with(issued["token"]).get("/api/v1/me/")

    assert late.status_code == 403
    assert_error_body(late.json(), code="authentication_failed")


def test_the_owner_lists_their_tokens_without_seeing_them(resident, other_resident):
    first = _sign_in(resident)
    second = _sign_in(resident)
    _sign_in(other_resident)

    listed = _with(second["token"]).get("/api/v1/auth/tokens/").json()["results"]

    assert [row["key"] for row in listed] == [second["key"], first["key"]]
    assert [row["current"] for row in listed] == [True, False]
    assert all(
        "token" not in row and set(row) == {"key", "created", "expiry", "current"} for row in listed
    )


def test_the_owner_revokes_one_token_and_cannot_touch_anothers(resident, other_resident):
    mine = _sign_in(resident)
    spare = _sign_in(resident)
    theirs = _sign_in(other_resident)
    client = _with(mine["token"])

    assert client.delete(f"/api/v1/auth/tokens/{spare['key']}/").status_code == 204
    refused = client.delete(f"/api/v1/auth/tokens/{theirs['key']}/")

    assert refused.status_code == 404
    assert_error_body(refused.json(), code="not_found")
    assert _with(spare["token"]).get("/api/v1/me/").status_code == 403
    assert _with(theirs["token"]).get("/api/v1/me/").status_code == 200


def test_api_sign_out_revokes_the_token_used(resident):
    used = _sign_in(resident)
    other = _sign_in(resident)

    assert _with(used["token"]).post("/api/v1/auth/logout/").status_code == 204

    assert _with(used["token"]).get("/api/v1/me/").status_code == 403
    assert _with(other["token"]).get("/api/v1/me/").status_code == 200


def test_sign_out_everywhere_revokes_every_token(resident):
    tokens = [_sign_in(resident) for _ in range(3)]

    assert _with(tokens[0]["token"]).post("/api/v1/auth/logout-all/").status_code == 204

    assert not AuthToken.objects.filter(user=resident).exists()


def test_signing_out_of_the_web_revokes_the_api_tokens(resident):
    issued = _sign_in(resident)
    browser = Client()
    browser.force_login(resident)

    browser.post("/accounts/logout/")

    assert _with(issued["token"]).get("/api/v1/me/").status_code == 403


def test_a_password_change_revokes_the_api_tokens(resident):
    issued = _sign_in(resident)
    browser = Client()
    browser.force_login(resident)

    response = browser.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "New-pass-2026!x", "password2": "New-pass-2026!x"},
    )

    assert response.status_code == 302, response.content
    assert _with(issued["token"]).get("/api/v1/me/").status_code == 403


def test_a_user_holds_a_bounded_number_of_tokens(resident):
    for _ in range(12):
        cache.clear()  # the per-address sign-in throttle is not what is tested here
        _sign_in(resident)
    assert AuthToken.objects.filter(user=resident).count() == 10


@pytest.mark.parametrize("header", ["Token", "Token not-a-real-token-at-all", "Token a b"])
def test_malformed_tokens_are_refused_in_the_error_format(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/me/")
    assert response.status_code == 403
    assert_error_body(response.json(), code="authentication_failed")


def test_tokens_are_not_findable_from_what_is_stored(resident):
    issued = _sign_in(resident)
    stored = AuthToken.objects.get(user=resident)
    assert issued["token"] != stored.digest
    assert issued["token"][len(stored.token_key) :] not in stored.digest
