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

Feed facts are claimable facts that a department's feed states for the persons it names: for
them the feed's value is the verified fact, with its source, and no claim is filed; a person
the feed does not name claims the fact as before. Built in: `insurance_years`, the whole years
of continuous social insurance in the city from the human-resources feed
(residents.selectors.insurance_record), counted by portal.periods.continuous_months with the
rule set's continuity allowance, the same function and allowance as residence
(`continuity_allowance`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from points import engine, spec
from points.models import FactSource, FactType, RuleSet, Zone
from portal import periods
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


# --- feed facts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedValue:
    """A fact's value as a department's feed states it, and where it was read."""

    value: Any
    source: str  # the feed and the day it was reconciled, in the reader's language
    run_id: int | None = None  # the reconciliation run (residents.ReconciliationRun)


FeedProvider = Callable[[Person, dt.date, engine.CompiledRules], FeedValue | None]

_feed_providers: dict[str, FeedProvider] = {}


def register_feed_provider(code: str, provider: FeedProvider) -> None:
    """Add (or replace) the feed provider of the claimable fact `code`."""
    _feed_providers[code] = provider


RESIDENCE_FACT = "residence_periods"


def continuity_allowance(rules: engine.CompiledRules, fact: str) -> tuple[int, int]:
    """The gap (months, days) a rule set still counts as continuous for periods read as `fact`:
    what the indicator scoring `fact` declares, else what its residence indicator declares
    (one allowance for insurance and residence, docs/domain.md "Zhongshan 2014")."""
    scoring = [i for i in rules.indicators.values() if i.fact == fact]
    residence = [i for i in rules.indicators.values() if i.fact == RESIDENCE_FACT]
    for indicator in (*scoring, *residence):
        months = int(indicator.params.get("gap_months", 0) or 0)
        days = int(indicator.params.get("gap_days", 0) or 0)
        if months or days:
            return months, days
    return 0, 0


def insurance_months(
    person: Person, *, on: dt.date, rules: engine.CompiledRules
) -> tuple[int, resident_selectors.InsuranceRecord] | None:
    """Whole months of continuous social insurance reaching `on`, from the human-resources
    feed, under the rule set's continuity allowance; None when no feed names the person."""
    record = resident_selectors.insurance_record(person, on=on)
    if record is None:
        return None
    gap_months, gap_days = continuity_allowance(rules, "insurance_years")
    months = periods.continuous_months(
        record.periods, on=on, gap_months=gap_months, gap_days=gap_days
    )
    return months, record


def _insurance_years(person: Person, on: dt.date, rules: engine.CompiledRules) -> FeedValue | None:
    found = insurance_months(person, on=on, rules=rules)
    if found is None:
        return None
    months, record = found
    source = _(
        "Social insurance payments of the human-resources feed %(file)s, reconciled on %(date)s"
    ) % {"file": record.feed_name, "date": record.stated_on.isoformat()}
    return FeedValue(value=months // 12, source=source, run_id=record.run_id)


register_feed_provider("insurance_years", _insurance_years)


def feed_facts(person: Person, *, on: dt.date, rule_set: RuleSet) -> dict[str, FeedValue]:
    """The facts the feeds state of the person on `on` that the rule set reads."""
    rules = spec.compiled(rule_set)
    used = set(rules.facts_used)
    found: dict[str, FeedValue] = {}
    for code, provider in sorted(_feed_providers.items()):
        if code not in used:
            continue
        value = provider(person, on, rules)
        if value is not None:
            found[code] = value
    return found
