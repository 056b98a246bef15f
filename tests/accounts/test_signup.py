"""Sign-up with a mobile number and a password, confirmed by a code sent by SMS."""

from __future__ import annotations

import pytest

from portal.accounts.models import Role, User
from tests import factories
from tests.accounts.helpers import code_in, sign_up

pytestmark = pytest.mark.django_db


def test_sign_up_creates_a_resident_with_the_number_and_texts_a_code(client, sms_outbox):
    response = sign_up(client, phone="138 0013 8000")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/phone/verify/"
    user = User.objects.get()
    assert str(user.phone) == "+8613800138000"
    assert user.phone_verified is False
    assert user.roles == [Role.RESIDENT]
    assert user.username == "u8000"
    assert user.check_password("Qingshan-2026!")
    assert len(sms_outbox) == 1
    assert sms_outbox[0].phone == "+8613800138000"
    assert code_in(sms_outbox[0]) in sms_outbox[0].message


def test_the_code_page_shows_the_number_and_asks_for_the_code(client, sms_outbox):
    sign_up(client, phone="13800138000")

    page = client.get("/accounts/phone/verify/")

    assert page.status_code == 200
    body = page.content.decode()
    assert "138 0013 8000" in body
    assert 'autocomplete="one-time-code"' in body


def test_the_right_code_confirms_the_number_and_signs_in(client, sms_outbox):
    sign_up(client)
    code = code_in(sms_outbox[0])

    response = client.post("/accounts/phone/verify/", {"action": "verify", "code": code})

    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get()
    assert user.phone_verified is True
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_wrong_code_is_refused_and_the_user_stays_signed_out(client, sms_outbox):
    sign_up(client)
    wrong = "000000" if code_in(sms_outbox[0]) != "000000" else "111111"

    response = client.post("/accounts/phone/verify/", {"action": "verify", "code": wrong})

    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert User.objects.get().phone_verified is False
    assert "_auth_user_id" not in client.session


def test_a_new_code_can_be_asked_for(client, sms_outbox):
    sign_up(client)

    client.post("/accounts/phone/verify/", {"action": "resend"})

    assert len(sms_outbox) == 2
    response = client.post(
        "/accounts/phone/verify/", {"action": "verify", "code": code_in(sms_outbox[1])}
    )
    assert response.status_code == 302
    assert User.objects.get().phone_verified is True


@pytest.mark.parametrize(
    "phone", ["12345678901", "1380013800", "138001380001", "+1 415 555 0100", "abc"]
)
def test_a_number_that_is_not_a_mainland_mobile_gets_the_translated_error(
    client, sms_outbox, phone
):
    response = sign_up(client, phone=phone)

    assert response.status_code == 200
    body = response.content.decode()
    assert "请输入有效的中国大陆手机号码" in body
    assert 'href="#id_phone"' in body
    assert not User.objects.exists()
    assert sms_outbox == []


def test_the_number_error_is_in_english_when_english_is_chosen(client, sms_outbox):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    response = sign_up(client, phone="12345")

    assert "Enter a valid mainland China mobile number" in response.content.decode()


def test_a_short_password_is_refused_in_chinese(client, sms_outbox):
    response = sign_up(client, password="Ab1!")

    assert "密码太短，至少需要 8 个字符" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.parametrize("phone", ["+86 138 0013 8000", "86-138-0013-8000", "008613800138000"])
def test_a_number_with_the_country_code_is_stored_in_one_form(client, sms_outbox, phone):
    sign_up(client, phone=phone)

    assert str(User.objects.get().phone) == "+8613800138000"


def test_a_number_that_has_an_account_makes_no_second_account(client, sms_outbox):
    factories.UserFactory(username="owner", phone="+8613800138000", phone_verified=True)

    response = sign_up(client, phone="13800138000")

    assert response.status_code == 302
    assert User.objects.count() == 1
    assert len(sms_outbox) == 1
    assert "已有账号" in sms_outbox[0].message


def test_generated_usernames_do_not_collide(client, sms_outbox):
    factories.UserFactory(username="u8000")
    factories.UserFactory(username="u138000")

    sign_up(client, phone="13900138000")

    assert User.objects.get(phone="+8613900138000").username == "u00138000"
