"""Fixtures of the account tests: the SMS outbox (the one outside system) and the navigation."""

from __future__ import annotations

import pytest

from portal import navigation
from portal.accounts import sms


@pytest.fixture(autouse=True)
def only_test_navigation(monkeypatch):
    """The shell is tested with the entries a test registers, not those of the other apps."""
    monkeypatch.setattr(navigation, "_items", {})


@pytest.fixture
def sms_outbox(settings):
    """Texts go to portal.accounts.sms.outbox instead of the gateway."""
    settings.SMS_SENDER = "portal.accounts.sms.memory_sender"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()
