"""The targeting criterion the housing app offers to policy push (portal.notices).

housing.renting: persons who live in a rented home on the day (a current tenancy declared by
the landlord, 以房管人) and do not own a home here (no verified home ownership on their
points fact sheet: the only record of ownership the portal keeps).

Registered from HousingConfig.ready() with `criteria.register()`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from housing.models import Tenancy
from points.models import FactSheet
from portal.notices.criteria import register_criterion


def no_fields() -> dict[str, forms.Field]:
    return {}


def build_renting(params: Mapping[str, Any], on: dt.date) -> Any:
    owners = FactSheet.objects.filter(facts__owns_home=True).values("person_id")
    return (
        Tenancy.objects.filter(end_date__isnull=True, start_date__lte=on)
        .exclude(person_id__in=owners)
        .values("person_id")
    )


def register() -> None:
    register_criterion(
        "housing.renting",
        gettext_lazy("Rents a home (does not own one)"),
        no_fields,
        build_renting,
        help_text=gettext_lazy("A current tenancy declared by the landlord, and no home owned."),
        order=90,
    )
