"""Writes of standard addresses. Other apps create addresses only through here."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _

from portal.areas.models import Address, Area, Level
from portal.errors import InvalidInput

# The word each part of an address is written with; a value given with its word is kept once.
_SUFFIXES = {"number": "号", "building": "幢", "unit": "单元", "room": "室"}


def _clean(field: str, value: str) -> str:
    value = value.strip()
    suffix = _SUFFIXES.get(field)
    if suffix and value.endswith(suffix):
        value = value.removesuffix(suffix).strip()
    return value


def create_address(
    *, grid: Area, road: str, number: str, building: str = "", unit: str = "", room: str = ""
) -> Address:
    """Return the standard address at these coordinates in `grid`, creating it if it is new.

    One address per (grid, road, number, building, unit, room): the unique constraint holds it,
    and concurrent callers asking for the same address get the same row (get_or_create retries
    the read when its insert loses the race). Parts are trimmed, and a part written with its
    word (`3幢`, `101室`) is stored without it, so `Address.compose_text` writes it once.
    """
    parts = {
        "road": _clean("road", road),
        "number": _clean("number", number),
        "building": _clean("building", building),
        "unit": _clean("unit", unit),
        "room": _clean("room", room),
    }
    errors: dict[str, list[str]] = {}
    if grid.level != Level.GRID:
        errors["grid"] = [_("An address must lie in a grid.")]
    for required in ("road", "number"):
        if not parts[required]:
            errors[required] = [str(forms.Field.default_error_messages["required"])]
    for name, value in parts.items():
        limit = Address._meta.get_field(name).max_length
        if len(value) > limit:
            errors[name] = [
                _("At most %(limit)d characters, please.") % {"limit": limit},
            ]
    if errors:
        raise InvalidInput(_("The address is not complete."), fields=errors)
    address, _created = Address.objects.get_or_create(
        grid=grid, **parts, defaults={"text": Address.compose_text(**parts)}
    )
    return address
