"""The simulator's parameters: rates of the city's changes and the imperfections of each channel.

Defaults come from the source documents where they give a figure, else they are stated
assumptions (marked so); docs/domain.md "Figures from the source documents" has the figures.
A county-level city growing from 652,000 (2022) to a target of 800,000 (2026) has a steady
net inflow of about 5% a year; renters move far more often than owners; landlords declare
within 7 days (Shenzhen rule) and residents within 30; grid officers knock on doors on set
days. A file (TOML or JSON, the same names) overrides any of
them; an impossible value is refused with every bad field named at once.
"""

from __future__ import annotations

import dataclasses
import json
import tomllib
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from portal.errors import InvalidInput

RATE = "rate"  # a share or probability: 0 to 1
COUNT = "count"  # a whole number of days, visits, persons: 0 or more
POSITIVE = "positive"  # a number above 0


@dataclasses.dataclass(frozen=True)
class Params:
    # --- the city (ground truth) --------------------------------------------------------
    persons_per_address: float = 2.5  # assumption: households of 2-3
    addresses_per_grid: int = 150  # assumption: a grid of 300-500 residents
    renter_share: float = 0.7  # assumption: most new residents rent
    # Net inflow ~5% a year (652,000 -> 800,000 over 2022-2026): arrivals minus departures.
    arrival_rate_per_day: float = 0.0006
    departure_rate_per_day: float = 0.00047
    # Monthly churn: renters move far more often than owners (assumption: 4% vs 0.3% a month).
    renter_move_rate_per_day: float = 0.0013
    owner_move_rate_per_day: float = 0.0001
    birth_rate_per_day: float = (
        0.00002  # TFR 0.71-1.2 in the plan's city: ~7 births per 1,000 a year
    )
    # The registry on day 0: who is already wrong before the simulation starts (assumptions).
    initial_unregistered_share: float = 0.02
    initial_stale_share: float = 0.01
    initial_wrong_address_share: float = 0.01
    # --- self-declaration (人来申报、人走注销 by the resident) -------------------------------
    self_declare_share: float = 0.5
    self_declare_delay_days: int = 10
    # --- landlords (以房管人; renters only) -------------------------------------------------
    landlord_compliance: float = 0.6
    landlord_delay_days: int = 5
    # --- grid officers ---------------------------------------------------------------------
    officers_per_grid: int = 1
    visits_per_officer_day: int = 12
    visit_miss_rate: float = 0.2  # nobody home
    # --- department feeds (coverage: share of residents the feed sees) ----------------------
    insurance_coverage: float = 0.55
    insurance_lag_days: int = 15
    insurance_error_rate: float = 0.005
    insurance_every_days: int = 30
    utilities_coverage: float = 0.9
    utilities_lag_days: int = 10
    utilities_error_rate: float = 0.01
    utilities_every_days: int = 30
    hukou_coverage: float = 0.1
    hukou_lag_days: int = 3
    hukou_error_rate: float = 0.0
    hukou_every_days: int = 1
    telecom_coverage: float = 0.8
    telecom_lag_days: int = 2
    telecom_error_rate: float = 0.01
    telecom_every_days: int = 1


KINDS_OF_FIELD: dict[str, str] = {
    "persons_per_address": POSITIVE,
    "addresses_per_grid": POSITIVE,
    "officers_per_grid": COUNT,
    "visits_per_officer_day": COUNT,
    "self_declare_delay_days": COUNT,
    "landlord_delay_days": COUNT,
    "insurance_lag_days": COUNT,
    "utilities_lag_days": COUNT,
    "hukou_lag_days": COUNT,
    "telecom_lag_days": COUNT,
    "insurance_every_days": POSITIVE,
    "utilities_every_days": POSITIVE,
    "hukou_every_days": POSITIVE,
    "telecom_every_days": POSITIVE,
}


def kind_of_field(name: str) -> str:
    return KINDS_OF_FIELD.get(name, RATE)


def from_mapping(values: dict[str, Any]) -> Params:
    """The parameters with `values` over the defaults; InvalidInput naming every bad field."""
    fields = {f.name: f for f in dataclasses.fields(Params)}
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for name, value in values.items():
        if name not in fields:
            errors[name] = [_("Unknown parameter.")]
            continue
        kind = kind_of_field(name)
        whole = isinstance(getattr(Params, name), int)
        if isinstance(value, bool) or not isinstance(value, int | float):
            errors[name] = [_("Must be a number.")]
        elif whole and value != int(value):
            errors[name] = [_("Must be a whole number.")]
        elif kind == RATE and not 0 <= value <= 1:
            errors[name] = [_("Must be between 0 and 1.")]
        elif kind == COUNT and value < 0:
            errors[name] = [_("Must not be negative.")]
        elif kind == POSITIVE and value <= 0:
            errors[name] = [_("Must be above 0.")]
        else:
            clean[name] = int(value) if whole else float(value)
    if errors:
        raise InvalidInput(_("The parameters are not valid."), fields=errors)
    return dataclasses.replace(Params(), **clean)


def load(path: str | Path) -> Params:
    """Read a parameters file: TOML (.toml) or JSON (anything else)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        values = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (OSError, ValueError) as exc:
        message = _("The parameters file cannot be read: %(error)s") % {"error": exc}
        raise InvalidInput(message, fields={"params": [message]}) from None
    if not isinstance(values, dict):
        message = _("The parameters file must hold a table of names and values.")
        raise InvalidInput(message, fields={"params": [message]})
    return from_mapping(values)


def as_dict(params: Params) -> dict[str, Any]:
    return dataclasses.asdict(params)
