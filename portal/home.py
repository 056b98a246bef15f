"""What the signed-in resident's home page shows first: their name, their status, things due.

Domain apps register, in ready():

    register_name(provider)            provider(user) -> the person's name, or None
    register_status(key, provider)     provider(user, on) -> StatusCard | None
    register_due(key, provider)        provider(user, on) -> [DueItem, ...]

The home page greets the person by the first name a provider gives (never the generated
username when one is known), shows the status cards in `order`, and lists every due item of
every provider, soonest first, in its "things due" section. Anything with a deadline for the
resident (an endorsement, an offer to answer, a survey to fill in) registers a due provider;
the platform never imports a domain app.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class StatusLine:
    label: Any
    value: Any


@dataclass(frozen=True)
class StatusCard:
    """One block of the status page (my permit, my registration), already translated."""

    title: Any
    lines: list[StatusLine] = field(default_factory=list)
    url: str = ""
    link_label: Any = ""


@dataclass(frozen=True)
class DueItem:
    """Something the resident has to do, by a day when there is one."""

    title: Any
    url: str
    due_on: dt.date | None = None
    detail: Any = ""


NameProvider = Callable[[Any], "str | None"]
StatusProvider = Callable[[Any, dt.date], "StatusCard | None"]
DueProvider = Callable[[Any, dt.date], "list[DueItem]"]

_names: list[NameProvider] = []
_status: dict[str, tuple[int, StatusProvider]] = {}
_due: dict[str, DueProvider] = {}


def register_name(provider: NameProvider) -> None:
    if provider not in _names:
        _names.append(provider)


def register_status(key: str, provider: StatusProvider, *, order: int = 100) -> None:
    _status[key] = (order, provider)


def register_due(key: str, provider: DueProvider) -> None:
    _due[key] = provider


def display_name(user: Any) -> str:
    """The person's own name when an app knows it, else the account's username."""
    if not getattr(user, "is_authenticated", False):
        return ""
    for provider in _names:
        name = provider(user)
        if name:
            return name
    return user.get_username()


def status_cards(user: Any, *, on: dt.date) -> list[StatusCard]:
    cards = []
    for _order, provider in sorted(_status.values(), key=lambda entry: entry[0]):
        card = provider(user, on)
        if card is not None:
            cards.append(card)
    return cards


def things_due(user: Any, *, on: dt.date) -> list[DueItem]:
    """Every provider's due items, the dated ones soonest first, then the undated."""
    items = [item for provider in _due.values() for item in provider(user, on)]
    return sorted(items, key=lambda item: (item.due_on is None, item.due_on or on))
