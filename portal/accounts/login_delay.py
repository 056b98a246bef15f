"""A growing pause after wrong passwords for one account, instead of a lock-out.

After LOGIN_DELAY["free_failures"] wrong passwords for an account, each further attempt must
wait: base_seconds, then twice that after the next failure, and so on, never more than
max_seconds. Attempts made during the pause are refused without trying the password and are
not counted, so an attacker cannot push the pause higher than max_seconds: the real owner waits
at most that long. A right password clears the count; so do forget_after_seconds without a
failure. Together with the per-address limits (ACCOUNT_RATE_LIMITS for pages, the token
endpoint's throttle for the API) this slows guessing without locking anyone out for long.
The count lives in the cache, keyed by a hash of the login as typed (lower-cased).
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import ngettext

DEFAULTS = {
    "free_failures": 3,
    "base_seconds": 1,
    "max_seconds": 30,
    "forget_after_seconds": 15 * 60,
}


def _config() -> dict:
    return {**DEFAULTS, **getattr(settings, "LOGIN_DELAY", {})}


def _key(login: str) -> str:
    digest = hashlib.sha256((login or "").strip().lower().encode()).hexdigest()
    return f"login-delay:{digest}"


def pause_after(failures: int) -> int:
    """Seconds an attempt must wait after `failures` wrong passwords in a row."""
    config = _config()
    over = failures - config["free_failures"]
    if over <= 0:
        return 0
    return min(config["base_seconds"] * 2 ** (over - 1), config["max_seconds"])


def seconds_to_wait(login: str, *, now: float | None = None) -> int:
    """How long the next attempt for this login must still wait (0: it may go ahead)."""
    state = cache.get(_key(login))
    if not state:
        return 0
    now = time.time() if now is None else now
    remaining = state["last"] + pause_after(state["failures"]) - now
    return max(0, int(remaining + 0.999))


def record_failure(login: str, *, now: float | None = None) -> int:
    """Count a wrong password; returns the pause now in force."""
    config = _config()
    now = time.time() if now is None else now
    key = _key(login)
    state = cache.get(key) or {"failures": 0, "last": now}
    state = {"failures": state["failures"] + 1, "last": now}
    cache.set(key, state, timeout=config["forget_after_seconds"])
    return pause_after(state["failures"])


def clear(login: str) -> None:
    cache.delete(_key(login))


def too_soon_message(seconds: int) -> str:
    return ngettext(
        "Too many wrong passwords for this account. Please try again in %(seconds)d second.",
        "Too many wrong passwords for this account. Please try again in %(seconds)d seconds.",
        seconds,
    ) % {"seconds": seconds}
