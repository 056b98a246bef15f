"""The navigation registry: each app registers the pages each role reaches from the menu.

Apps call `register()` in their AppConfig.ready(); the base layout shows the entries of the
signed-in user's roles, in order, each once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    key: str
    label: Any  # lazy translatable string
    url_name: str
    roles: frozenset[str]
    order: int = 100

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_items: dict[str, NavItem] = {}


def register(
    *, key: str, label: Any, url_name: str, roles: set[str] | frozenset[str], order: int = 100
) -> None:
    _items[key] = NavItem(
        key=key, label=label, url_name=url_name, roles=frozenset(roles), order=order
    )


def items_for(user: Any) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    roles = set(user.roles)
    if user.is_superuser:
        roles.add("administrator")
    return sorted((i for i in _items.values() if i.roles & roles), key=lambda i: (i.order, i.key))
