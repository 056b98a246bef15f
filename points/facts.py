"""Facts the portal already knows about a person, derived from the registry, not claimed.

Each registry fact has a provider: a function (person, on) -> the fact's JSON value or None.
The built-in ones read the residents registry:
- birth_date: from the ID number (Person.birth_date);
- residence_periods: every residence registration (start, end);
- residence_restart: the latest day a late permit endorsement restarted the residence clock;
- has_permit: holds a residence permit valid on the day;
- zone: the zones (points.Zone) containing the registered address's grid or an area above it.
Other apps add theirs from their AppConfig.ready() with `register_provider` (a registered
tenancy, once the housing app records tenancies); the fact type must exist with source
"registry". Points never imports those apps: they register with points.

Every registry fact is read through residents' selectors (residence_periods, clock_restart_of,
has_valid_permit, current_registration): the registry's rules are never copied here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from points.models import FactSource, FactType, Zone
from portal.areas.models import Area
from residents import selectors as resident_selectors
from residents.models import Person

Provider = Callable[[Person, dt.date], Any]

_providers: dict[str, Provider] = {}


def register_provider(code: str, provider: Provider) -> None:
    """Add (or replace) the provider of the registry fact `code`."""
    _providers[code] = provider


def providers() -> dict[str, Provider]:
    return dict(_providers)


# --- readers of the residents registry (through its selectors) ---------------------------------


def _registered_area_ids(person: Person) -> list[int]:
    """The grid of the current registration and every area above it, most specific first."""
    registration = resident_selectors.current_registration(person)
    if registration is None:
        return []
    ids: list[int] = []
    area: Area | None = registration.address.grid
    while area is not None:
        ids.append(area.pk)
        area = area.parent
    return ids


def current_district_of(person: Person) -> Area | None:
    """The district of the person's current registration: where their claims are verified."""
    registration = resident_selectors.current_registration(person)
    if registration is None:
        return None
    return registration.address.grid.district


# --- built-in providers ------------------------------------------------------------------------------


def _birth_date(person: Person, on: dt.date) -> str:
    return person.birth_date.isoformat()


def _residence_periods(person: Person, on: dt.date) -> list[list[str | None]] | None:
    periods = [
        [start.isoformat(), end.isoformat() if end else None]
        for start, end in resident_selectors.residence_periods(person)
        if start <= on
    ]
    return periods or None


def _residence_restart(person: Person, on: dt.date) -> str | None:
    restarted = resident_selectors.clock_restart_of(person)
    return restarted.isoformat() if restarted and restarted <= on else None


def _has_permit(person: Person, on: dt.date) -> bool:
    return resident_selectors.has_valid_permit(person, on=on)


def _zone(person: Person, on: dt.date) -> list[str] | None:
    area_ids = _registered_area_ids(person)
    if not area_ids:
        return None
    by_area = dict(
        Zone.areas.through.objects.filter(area_id__in=area_ids).values_list("area_id", "zone__code")
    )
    zones = [by_area[area_id] for area_id in area_ids if area_id in by_area]
    return zones or None


register_provider("birth_date", _birth_date)
register_provider("residence_periods", _residence_periods)
register_provider("residence_restart", _residence_restart)
register_provider("has_permit", _has_permit)
register_provider("zone", _zone)


def registry_facts(person: Person, *, on: dt.date) -> dict[str, Any]:
    """Every registry fact of the person on `on`, in JSON form (absent facts left out)."""
    codes = set(FactType.objects.filter(source=FactSource.REGISTRY).values_list("code", flat=True))
    found: dict[str, Any] = {}
    for code, provider in sorted(_providers.items()):
        if code not in codes:
            continue
        value = provider(person, on)
        if value is not None:
            found[code] = value
    return found
