"""The navigation registry: each app registers the pages each role reaches.

Apps call `register()` in their AppConfig.ready(). Every entry of the signed-in user's roles is
reachable (`items_for`); the menu in the page header (`menu_for`) shows only the entries
registered as menu entries for one of the user's roles (`menu_roles`, by default all of its
roles), so a phone's first screen is not filled with links. The other entries are listed on the
user's home page, under their `group` (`grouped_for`). A resident's menu holds at most
`MENU_LIMIT` entries (a test checks it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

MENU_LIMIT = 6


@dataclass(frozen=True)
class NavItem:
    key: str
    label: Any  # lazy translatable string
    url_name: str
    roles: frozenset[str]
    order: int = 100
    menu_roles: frozenset[str] | None = None  # None: in the menu for every role in `roles`
    group: Any = ""  # heading it is listed under on the home page when not in the menu

    @property
    def url(self) -> str:
        return reverse(self.url_name)

    def in_menu_for(self, roles: set[str]) -> bool:
        return bool((self.roles if self.menu_roles is None else self.menu_roles) & roles)


_items: dict[str, NavItem] = {}


def register(
    *,
    key: str,
    label: Any,
    url_name: str,
    roles: set[str] | frozenset[str],
    order: int = 100,
    menu_roles: set[str] | frozenset[str] | None = None,
    group: Any = "",
) -> None:
    _items[key] = NavItem(
        key=key,
        label=label,
        url_name=url_name,
        roles=frozenset(roles),
        order=order,
        menu_roles=None if menu_roles is None else frozenset(menu_roles),
        group=group,
    )


def _roles_of(user: Any) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    roles = set(user.roles)
    if user.is_superuser:
        roles.add("administrator")
    return roles


def items_for(user: Any) -> list[NavItem]:
    """Every entry the user's roles reach, in order."""
    roles = _roles_of(user)
    return sorted((i for i in _items.values() if i.roles & roles), key=lambda i: (i.order, i.key))


def menu_for(user: Any) -> list[NavItem]:
    """The entries of the header menu."""
    roles = _roles_of(user)
    return [item for item in items_for(user) if item.in_menu_for(roles)]


def grouped_for(user: Any) -> list[tuple[Any, list[NavItem]]]:
    """The entries not in the menu, by group, groups in the order of their first entry."""
    roles = _roles_of(user)
    groups: dict[str, tuple[Any, list[NavItem]]] = {}
    for item in items_for(user):
        if item.in_menu_for(roles):
            continue
        groups.setdefault(str(item.group), (item.group, []))[1].append(item)
    return list(groups.values())
