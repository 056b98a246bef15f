"""A signed-in user moves their account to a new mobile number, confirmed by a code sent to it."""

from __future__ import annotations

import pytest

from tests import factories
from tests.accounts.helpers import code_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(client):
    user = factories.UserFactory(username="zhaolei", phone="+8613512345678", phone_verified=True)
    client.force_login(user)
    return user


def test_the_new_number_replaces_the_old_once_its_code_is_entered(client, holder, sms_outbox):
    response = client.post("/accounts/phone/change/", {"phone": "150 1234 5678"})

    assert response["Location"] == "/accounts/phone/verify/"
    assert [m.phone for m in sms_outbox] == ["+8615012345678"]
    holder.refresh_from_db()
    assert str(holder.phone) == "+8613512345678"

    response = client.post(
        "/accounts/phone/verify/", {"action": "verify", "code": code_in(sms_outbox[0])}
    )

    assert response["Location"] == "/accounts/phone/change/"
    holder.refresh_from_db()
    assert str(holder.phone) == "+8615012345678"
    assert holder.phone_verified is True


def test_a_wrong_code_keeps_the_old_number(client, holder, sms_outbox):
    client.post("/accounts/phone/change/", {"phone": "15012345678"})
    wrong = "000000" if code_in(sms_outbox[0]) != "000000" else "111111"

    response = client.post("/accounts/phone/verify/", {"action": "verify", "code": wrong})

    assert response.status_code == 200
    holder.refresh_from_db()
    assert str(holder.phone) == "+8613512345678"


def test_the_number_of_another_account_cannot_be_taken(client, holder, sms_outbox):
    factories.UserFactory(phone="+8615012345678", phone_verified=True)
    client.post("/accounts/phone/change/", {"phone": "15012345678"})

    response = client.post(
        "/accounts/phone/verify/", {"action": "verify", "code": code_in(sms_outbox[0])}
    )

    assert "该手机号码已注册账号" in response.content.decode()
    holder.refresh_from_db()
    assert str(holder.phone) == "+8613512345678"


def test_the_change_page_shows_the_current_number(client, holder):
    body = client.get("/accounts/phone/change/").content.decode()

    assert "135 1234 5678" in body
    assert "新手机号码" in body
