"""Helpers shared by the account tests and the browser tests."""

from __future__ import annotations

import re

from portal.accounts import sms


def code_in(message: sms.Sms) -> str:
    """The 6-digit code in a text message."""
    match = re.search(r"\b(\d{6})\b", message.message)
    assert match, f"no code in {message.message!r}"
    return match.group(1)


PASSWORD = "Qingshan-2026!"


def sign_up(client, *, phone: str = "138 0013 8000", password: str = PASSWORD):
    return client.post(
        "/accounts/signup/", {"phone": phone, "password1": password, "password2": password}
    )
