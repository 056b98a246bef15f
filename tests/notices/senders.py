"""Stand-ins for the SMS and e-mail gateways (the outside world), for the delivery tests."""

from __future__ import annotations

from portal.notices.channels import Undeliverable

sent: list[tuple] = []
failures: dict[str, list[Exception]] = {}


def reset() -> None:
    sent.clear()
    failures.clear()


def fail_next(address: str, *errors: Exception) -> None:
    """Make the next sends to `address` raise these errors, one each, then succeed."""
    failures.setdefault(address, []).extend(errors)


def _maybe_fail(address: str) -> None:
    queue = failures.get(address)
    if queue:
        raise queue.pop(0)


def sms(phone: str, message: str) -> None:
    _maybe_fail(phone)
    sent.append(("sms", phone, message))


def email(address: str, subject: str, body: str) -> None:
    _maybe_fail(address)
    sent.append(("email", address, subject, body))


__all__ = ["Undeliverable", "email", "fail_next", "reset", "sent", "sms"]
