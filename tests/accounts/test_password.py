"""Changing a password, and resetting a forgotten one by a code sent to the mobile number."""

from __future__ import annotations

import pytest
import time_machine

from portal.accounts.models import User
from tests import factories
from tests.accounts.helpers import code_in

pytestmark = pytest.mark.django_db

OLD = "pass-for-tests-2026"
NEW = "Xin-mima-2026!"


@pytest.fixture
def holder(db):
    return factories.UserFactory(username="wangfang", phone="+8613712345678", phone_verified=True)


def ask_for_reset(client, phone="13712345678"):
    return client.post("/accounts/password/reset/", {"phone": phone})


def test_a_signed_in_user_changes_their_password(client, holder):
    client.force_login(holder)

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": OLD, "password1": NEW, "password2": NEW},
    )

    assert response.status_code == 302
    holder.refresh_from_db()
    assert holder.check_password(NEW)


def test_a_wrong_current_password_changes_nothing(client, holder):
    client.force_login(holder)

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": "not-it", "password1": NEW, "password2": NEW},
    )

    assert response.status_code == 200
    assert 'href="#id_oldpassword"' in response.content.decode()
    holder.refresh_from_db()
    assert holder.check_password(OLD)


def test_password_reset_by_code_sets_a_new_password(client, holder, sms_outbox):
    response = ask_for_reset(client)
    assert response["Location"] == "/accounts/password/reset/confirm/"
    assert len(sms_outbox) == 1
    assert sms_outbox[0].phone == "+8613712345678"

    response = client.post("/accounts/password/reset/confirm/", {"code": code_in(sms_outbox[0])})
    assert response["Location"] == "/accounts/password/reset/complete/"

    response = client.post(
        "/accounts/password/reset/complete/", {"password1": NEW, "password2": NEW}
    )
    assert response["Location"] == "/accounts/login/"
    holder.refresh_from_db()
    assert holder.check_password(NEW)

    response = client.post("/accounts/login/", {"login": "13712345678", "password": NEW})
    assert client.session["_auth_user_id"] == str(holder.pk)


def test_a_wrong_reset_code_is_refused(client, holder, sms_outbox):
    ask_for_reset(client)
    wrong = "000000" if code_in(sms_outbox[0]) != "000000" else "111111"

    response = client.post("/accounts/password/reset/confirm/", {"code": wrong})

    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert client.get("/accounts/password/reset/complete/")["Location"] == (
        "/accounts/password/reset/confirm/"
    )


def test_three_wrong_codes_end_the_reset(client, holder, sms_outbox):
    ask_for_reset(client)
    right = code_in(sms_outbox[0])
    wrong = "000000" if right != "000000" else "111111"

    for _ in range(3):
        response = client.post("/accounts/password/reset/confirm/", {"code": wrong})

    assert response["Location"] == "/accounts/password/reset/"
    response = client.post("/accounts/password/reset/confirm/", {"code": right})
    assert response["Location"] == "/accounts/password/reset/"
    holder.refresh_from_db()
    assert holder.check_password(OLD)


def test_an_expired_reset_code_is_refused(client, holder, sms_outbox):
    with time_machine.travel("2026-03-01 09:00 +0800", tick=False) as traveller:
        ask_for_reset(client)
        traveller.shift(60 * 60)

        response = client.post(
            "/accounts/password/reset/confirm/", {"code": code_in(sms_outbox[0])}
        )

    assert response["Location"] == "/accounts/password/reset/"
    holder.refresh_from_db()
    assert holder.check_password(OLD)


def test_a_number_without_an_account_gets_the_same_page_and_no_code(client, sms_outbox):
    response = ask_for_reset(client, phone="13612345678")

    assert response["Location"] == "/accounts/password/reset/confirm/"
    assert len(sms_outbox) == 1
    assert "尚未注册账号" in sms_outbox[0].message
    response = client.post("/accounts/password/reset/confirm/", {"code": "123456"})
    assert response.status_code == 200
    assert not User.objects.exists()


def test_a_reset_code_confirms_the_number(client, sms_outbox):
    holder = factories.UserFactory(phone="+8613712345678", phone_verified=False)
    ask_for_reset(client)

    client.post("/accounts/password/reset/confirm/", {"code": code_in(sms_outbox[0])})

    holder.refresh_from_db()
    assert holder.phone_verified is True


def test_the_new_password_step_needs_a_confirmed_code(client, holder, sms_outbox):
    response = client.get("/accounts/password/reset/complete/")

    assert response["Location"] == "/accounts/password/reset/"
