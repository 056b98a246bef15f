"""Small hardening: codes never in the logs, /healthz for the public, JSON from every API route."""

from __future__ import annotations

import logging

import pytest
from django.core.cache import cache
from django.test import Client

from portal import health
from portal.accounts import services as account_services
from portal.accounts import sms
from portal.notices import channels
from tests import factories


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


# --- SMS codes ---------------------------------------------------------------------------------


def test_outside_demo_mode_a_code_sent_through_the_log_sender_is_not_logged(settings, caplog):
    settings.DEMO_MODE = False
    settings.SMS_SENDER = "portal.accounts.sms.log_sender"
    with caplog.at_level(logging.INFO, logger="portal.sms"):
        account_services.send_verification_code(phone="+8613912345678", code="482913", minutes=5)
    assert caplog.records  # the sending is still logged
    assert "482913" not in caplog.text
    assert "13912345678" not in caplog.text


def test_in_demo_mode_the_code_is_logged_for_the_demo(settings, caplog):
    settings.DEMO_MODE = True
    with caplog.at_level(logging.INFO, logger="portal.sms"):
        sms.log_sender("+8613912345678", "验证码 482913")
    assert "482913" in caplog.text


def test_outside_demo_mode_notice_texts_do_not_log_the_number(settings, caplog):
    settings.DEMO_MODE = False
    with caplog.at_level(logging.INFO, logger="portal.notices.channels"):
        channels.log_sms("+8613912345678", "新政策")
    assert "13912345678" not in caplog.text


# --- /healthz -------------------------------------------------------------------------------------


@pytest.fixture
def everything_up(monkeypatch):
    calls = []

    def celery():
        calls.append(1)
        return {"ok": True, "workers": 1}

    monkeypatch.setattr(health, "check_celery", celery)
    return calls


def test_the_public_gets_the_status_only(db, settings, everything_up):
    settings.HEALTH_DETAIL_NETWORKS = ["10.0.0.0/8"]
    response = Client(REMOTE_ADDR="203.0.113.9").get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True}


def test_the_internal_network_gets_each_part(db, settings, everything_up):
    settings.HEALTH_DETAIL_NETWORKS = ["10.0.0.0/8"]
    body = Client(REMOTE_ADDR="10.2.3.4").get("/healthz").json()
    assert body["database"] == {"ok": True}
    assert body["celery"] == {"ok": True, "workers": 1}


def test_staff_get_each_part_from_anywhere(db, settings, everything_up):
    settings.HEALTH_DETAIL_NETWORKS = []
    admin = factories.UserFactory(username="ops", is_staff=True)
    client = Client(REMOTE_ADDR="203.0.113.9")
    client.force_login(admin)
    assert "celery" in client.get("/healthz").json()


def test_a_forged_forwarded_address_does_not_unlock_the_details(db, settings, everything_up):
    settings.HEALTH_DETAIL_NETWORKS = ["10.0.0.0/8"]
    settings.TRUSTED_PROXIES = []
    response = Client(REMOTE_ADDR="203.0.113.9").get("/healthz", HTTP_X_FORWARDED_FOR="10.0.0.1")
    assert response.json() == {"ok": True}


def test_public_calls_do_not_ask_the_workers_each_time(db, settings, everything_up):
    settings.HEALTH_DETAIL_NETWORKS = []
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(5):
        client.get("/healthz")
    assert len(everything_up) == 1


# --- the API answers JSON --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/permits/abc/endorse/",
        "/api/v1/permit-applications/x1/",
        "/api/v1/no-such-thing/",
        "/api/v1/housing/homes/%E4%B8%AD/",
    ],
)
def test_unknown_api_routes_answer_json_in_the_error_format(db, url):
    for method in ("get", "post"):
        response = getattr(Client(), method)(url)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert set(response.json()) == {"code", "message", "fields"}
        assert response.json()["code"] == "not_found"


def test_pages_keep_their_html_404(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
