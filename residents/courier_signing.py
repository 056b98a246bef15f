"""Courier callbacks are signed with a shared secret: HMAC-SHA256 over timestamp, nonce and body.

The courier company sends three headers with `POST /api/v1/permits/deliveries/callback/`:

    X-Courier-Timestamp: seconds since 1970-01-01 UTC, as an integer
    X-Courier-Nonce:     8 to 64 characters [A-Za-z0-9_-], never used twice
    X-Courier-Signature: hex HMAC-SHA256(secret, "<timestamp>.<nonce>." + raw request body)

A callback whose timestamp is more than COURIER_CALLBACK_MAX_SKEW_SECONDS away from the portal's
clock is refused (stale), and so is a nonce the portal has accepted before (replay; the services
record accepted nonces).
"""

from __future__ import annotations

import hashlib
import hmac
import re

NONCE = re.compile(r"[A-Za-z0-9_-]{8,64}")


class CallbackRefused(ValueError):
    """The callback cannot be trusted: `reason` is unsigned, bad_signature or stale."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def sign(secret: str, *, body: bytes, timestamp: int, nonce: str) -> str:
    """The signature a courier sends for `body` at `timestamp` with `nonce`."""
    message = f"{timestamp}.{nonce}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def check(
    secret: str,
    *,
    body: bytes,
    timestamp: str,
    nonce: str,
    signature: str,
    now: int,
    max_skew: int,
) -> int:
    """The callback's timestamp when the signature is right and fresh; else CallbackRefused."""
    if not secret or not timestamp or not signature or not NONCE.fullmatch(nonce or ""):
        raise CallbackRefused("unsigned")
    try:
        moment = int(timestamp)
    except ValueError:
        raise CallbackRefused("unsigned") from None
    expected = sign(secret, body=body, timestamp=moment, nonce=nonce)
    if not hmac.compare_digest(expected, signature.strip().lower()):
        raise CallbackRefused("bad_signature")
    if abs(now - moment) > max_skew:
        raise CallbackRefused("stale")
    return moment
