"""What a signed-in resident can apply for (我能办什么), answered by the app that owns each rule.

The answer for a service comes from the same checks the service applies when it refuses, so
"what can I get" never disagrees with the refusal. The owning app registers, in ready():

    register_eligibility("residence_permit", provider)

where `provider(user, on)` returns an `Answer` for the signed-in user on day `on` (or None when
the service says nothing about this user). The platform never imports a domain app: it knows
the providers only through this registry, as it knows guide facts (portal.catalogue.registry).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class Standing:
    """Where the resident stands with a service."""

    HOLDS = "holds"  # already has what the service gives (a permit, a registration)
    IN_PROGRESS = "in_progress"  # has applied; the application is being handled
    NOW = "now"  # may apply today
    FROM = "from"  # may apply from a known day
    MISSING = "missing"  # something must be done first; no day can be named yet
    CLOSED = "closed"  # nothing is open to apply to now (no round)


@dataclass(frozen=True)
class Answer:
    """One service's answer for one resident, already translated.

    `missing`: everything the service's own check refuses for, in its words (一次性告知).
    `eligible_from`: the first day the time-bound conditions are met, when it can be named.
    `note`: one line of context (the permit's validity, the round applied to).
    `action_url` / `action_label`: where to go next.
    """

    standing: str
    missing: list[str] = field(default_factory=list)
    eligible_from: dt.date | None = None
    note: str = ""
    action_url: str = ""
    action_label: Any = ""


Provider = Callable[[Any, dt.date], "Answer | None"]

_providers: dict[str, Provider] = {}


def register_eligibility(service_code: str, provider: Provider) -> None:
    """Let the "what can I get" page ask `provider` where a user stands with `service_code`."""
    _providers[service_code] = provider


def eligibility_of(service_code: str, user: Any, *, on: dt.date) -> Answer | None:
    """Where `user` stands with a service on `on`; None when no app answers for it."""
    provider = _providers.get(service_code)
    return None if provider is None else provider(user, on)


def answered_codes() -> set[str]:
    return set(_providers)


def standing_of(missing: list[str], eligible_from: dt.date | None, *, on: dt.date) -> str:
    """The standing the problems give: none -> now; a later day named -> from; else missing."""
    if not missing:
        return Standing.NOW
    if eligible_from is not None and eligible_from > on:
        return Standing.FROM
    return Standing.MISSING
