"""The targeting criterion the points ledger offers to policy push (portal.notices).

points.score_at_least: persons whose current score under the rule set in force reaches at
least N points for a service (school place, public rental housing, hukou, standard score),
read from the score ledger: each current, still valid Score row keeps every service's total in
its breakdown, JSON text ("services" -> service -> [total, ...]). No rule set in force: nobody.

Registered from PointsConfig.ready() with `criteria.register()`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from points import selectors
from points.models import Score, Service
from portal.notices.criteria import NOBODY, Sql, register_criterion


def score_fields() -> dict[str, forms.Field]:
    return {
        "service": forms.ChoiceField(label=gettext_lazy("Score for"), choices=Service.choices),
        "min_score": forms.DecimalField(
            label=gettext_lazy("At least (points)"),
            min_value=0,
            max_digits=8,
            decimal_places=2,
            initial=30,
        ),
    }


SCORE_AT_LEAST = """
SELECT person_id FROM {scores}
WHERE rule_set_id = %s AND is_current AND valid_until >= %s
  AND (breakdown::jsonb #>> %s)::numeric >= %s
"""


def build_score_at_least(params: Mapping[str, Any], on: dt.date) -> Sql:
    """Current, still valid scores under the rules in force whose total for the service
    (the first item of breakdown["services"][service]) reaches the minimum."""
    service = Service(params["service"])
    rule_set = selectors.rule_set_in_force(on=on)
    if rule_set is None:
        return NOBODY
    return Sql(
        SCORE_AT_LEAST.format(scores=Score._meta.db_table),
        [
            rule_set.pk,
            on,
            ["services", service.value, "0"],
            Decimal(str(params["min_score"])),
        ],
    )


def describe_score(params: Mapping[str, Any]) -> str:
    return _("%(service)s, at least %(points)s points") % {
        "service": Service(params["service"]).label,
        "points": params["min_score"],
    }


def register() -> None:
    register_criterion(
        "points.score_at_least",
        gettext_lazy("Points score"),
        score_fields,
        build_score_at_least,
        describe=describe_score,
        help_text=gettext_lazy("The current score under the points rules in force."),
        order=80,
    )
