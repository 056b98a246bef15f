"""Getting an API token, and using it."""

from __future__ import annotations

import pytest
from knox.models import AuthToken

from tests import factories
from tests.api.conftest import assert_error_body

URL = "/api/v1/auth/token/"
PASSWORD = "pass-for-tests-2026"


def test_right_credentials_give_a_token_that_signs_the_caller_in(api_client, resident):
    response = api_client.post(URL, {"username": resident.username, "password": PASSWORD})

    assert response.status_code == 200
    body = response.json()
    token = body["token"]
    assert body["expiry"]
    stored = AuthToken.objects.get(user=resident)
    assert stored.token_key == body["key"]
    assert token not in (stored.digest, stored.token_key)  # only a hash is kept

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api_client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == resident.username


def test_each_sign_in_gives_a_new_token(api_client, resident):
    first = api_client.post(URL, {"username": resident.username, "password": PASSWORD})
    second = api_client.post(URL, {"username": resident.username, "password": PASSWORD})

    assert first.json()["token"] != second.json()["token"]
    assert AuthToken.objects.filter(user=resident).count() == 2


def test_json_bodies_are_accepted(api_client, resident):
    response = api_client.post(
        URL, {"username": resident.username, "password": PASSWORD}, format="json"
    )

    assert response.status_code == 200


def test_wrong_password_is_refused_in_the_error_format(api_client, resident):
    response = api_client.post(URL, {"username": resident.username, "password": "wrong-one"})

    assert response.status_code == 400
    assert_error_body(response.json(), code="invalid")
    assert response.json()["fields"] == {}
    assert not AuthToken.objects.filter(user=resident).exists()


def test_unknown_user_is_refused_like_a_wrong_password(api_client, resident):
    wrong_password = api_client.post(URL, {"username": resident.username, "password": "nope"})
    unknown_user = api_client.post(URL, {"username": "nobody", "password": "nope"})

    assert unknown_user.status_code == 400
    assert unknown_user.json() == wrong_password.json()


def test_missing_fields_are_named(api_client, db):
    response = api_client.post(URL, {})

    assert response.status_code == 400
    assert_error_body(response.json(), code="invalid")
    assert set(response.json()["fields"]) == {"username", "password"}


def test_a_deactivated_user_gets_no_token(api_client, db):
    user = factories.UserFactory(username="gone", is_active=False)

    response = api_client.post(URL, {"username": user.username, "password": PASSWORD})

    assert response.status_code == 400
    assert not AuthToken.objects.filter(user=user).exists()


def test_a_revoked_token_no_longer_signs_in(api_client, resident):
    token = api_client.post(URL, {"username": resident.username, "password": PASSWORD}).json()
    AuthToken.objects.filter(user=resident).delete()

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token['token']}")
    response = api_client.get("/api/v1/me/")

    assert response.status_code == 403
    assert_error_body(response.json(), code="authentication_failed")


def test_guessing_passwords_is_throttled_after_ten_tries_a_minute(api_client, resident):
    for n in range(10):
        response = api_client.post(URL, {"username": f"someone{n}", "password": "guess"})
        assert response.status_code == 400

    response = api_client.post(URL, {"username": resident.username, "password": PASSWORD})

    assert response.status_code == 429
    assert_error_body(response.json(), code="throttled")
    assert "Retry-After" in response.headers


def test_the_token_endpoint_needs_no_csrf_token_from_a_browser_session(resident):
    from rest_framework.test import APIClient

    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(resident)

    response = browser.post(URL, {"username": resident.username, "password": PASSWORD})

    assert response.status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/me/", "/api/v1/areas/", "/api/v1/my-cases/"])
def test_anonymous_callers_are_refused_in_the_error_format(api_client, db, url):
    response = api_client.get(url)

    assert response.status_code == 403
    assert_error_body(response.json(), code="not_authenticated")
