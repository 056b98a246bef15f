"""Sign in by username or by mobile number; sign out."""

from __future__ import annotations

import pytest

from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "pass-for-tests-2026"


@pytest.fixture
def resident_with_phone(db):
    return factories.UserFactory(username="lihua", phone="+8613912345678", phone_verified=True)


def signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


def test_sign_in_by_username(client, resident_with_phone):
    response = client.post("/accounts/login/", {"login": "lihua", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) == str(resident_with_phone.pk)


@pytest.mark.parametrize("typed", ["13912345678", "139 1234 5678", "+86 139-1234-5678"])
def test_sign_in_by_mobile_number_as_typed(client, resident_with_phone, typed):
    response = client.post("/accounts/login/", {"login": typed, "password": PASSWORD})

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(resident_with_phone.pk)


def test_a_wrong_password_is_refused_with_a_summary(client, resident_with_phone):
    response = client.post("/accounts/login/", {"login": "13912345678", "password": "wrong-1"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "手机号码或密码不正确" in body
    assert 'role="alert"' in body
    assert signed_in_user_id(client) is None


def test_a_missing_field_is_linked_from_the_summary(client):
    response = client.post("/accounts/login/", {"login": "", "password": ""})

    body = response.content.decode()
    assert 'href="#id_login"' in body
    assert 'href="#id_password"' in body
    assert 'aria-describedby="id_login_error"' in body


def test_after_sign_in_the_page_is_the_users(client, resident_with_phone):
    client.post("/accounts/login/", {"login": "lihua", "password": PASSWORD})

    body = client.get("/").content.decode()

    assert "lihua" in body
    assert 'action="/accounts/logout/"' in body


def test_sign_out_is_a_post_and_ends_the_session(client, resident_with_phone):
    client.force_login(resident_with_phone)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert signed_in_user_id(client) is None


def test_a_staff_account_without_a_mobile_number_signs_in(client, police_a):
    response = client.post("/accounts/login/", {"login": "police_a", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) == str(police_a.pk)


def test_every_demo_account_signs_in_through_the_login_page(client, settings):
    from django.core.management import call_command

    from portal.demo import DEMO_PASSWORD

    settings.DEMO_MODE = True
    call_command("seed_demo", "--addresses-per-grid", "2", stdout=None)
    for username in ["resident1", "police1", "housing1", "officer1", "analyst1", "admin"]:
        client.logout()
        response = client.post("/accounts/login/", {"login": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        assert signed_in_user_id(client) is not None, username
