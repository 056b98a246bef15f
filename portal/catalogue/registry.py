"""Guide facts: what the rules in force say about a service, registered by the app that owns the rules.

The guide of a service the portal itself runs takes its eligibility and materials from the rule
data the service's checks apply (the permit policy, the points rule set, the enrolment round), so
a guide never disagrees with the check. The owning app registers, in its AppConfig.ready():

    register_guide_facts("residence_permit", provider)

where `provider(on)` returns the GuideFacts in force on day `on` (or None when there is no rule
data yet, and the guide falls back to the text of its version). The platform never imports a
domain app: it knows the providers only through this registry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class GuideFacts:
    """Lines for the guide, already translated: who qualifies, what to bring, and notes."""

    eligibility: list[str]
    materials: list[str]
    notes: list[str] = field(default_factory=list)


Provider = Callable[[dt.date], "GuideFacts | None"]

_providers: dict[str, Provider] = {}


def register_guide_facts(service_code: str, provider: Provider) -> None:
    """Let the guide of `service_code` read its eligibility and materials from `provider`."""
    _providers[service_code] = provider


def guide_facts(service_code: str, *, on: dt.date) -> GuideFacts | None:
    """The facts the rules in force on `on` give for a service; None when nobody registered any."""
    provider = _providers.get(service_code)
    return None if provider is None else provider(on)


def registered_codes() -> set[str]:
    return set(_providers)
