"""Who may apply for affordable rental housing in a round.

Rules (docs/domain.md "Affordable rental housing" and the Zhongshan public rental housing rules),
kept as data on the round:
- the applicant holds a residence permit valid on the day (居住证暂行条例 art. 12);
- the household owns no home in the city (declared by the applicant);
- the household's size fits the unit type applied for (the round's RoundUnitType rows);
- where the round sets `min_points`, the applicant's housing score reaches it.

The score comes from the points app's ledger through one function, `housing_points_of`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from housing.models import ApplicationRound, RoundStatus, UnitType
from points import selectors as points_selectors
from residents import selectors as resident_selectors
from residents.models import Person

HOUSING_SERVICE = "housing"


def housing_points_of(person: Person, *, on: dt.date) -> Decimal | None:
    """The person's housing points on `on` from the points ledger; None when unscored.

    The score is the person's current ledger entry (points.selectors.current_score) under the
    rule set in force on `on` (points.selectors.rule_set_in_force), still valid on `on`. The
    housing total is the "housing" entry of the parsed breakdown's "services" part (Score.data,
    in the form of points.engine.Result.to_json: [total, raw, multiplier, eligible, passed,
    vetoed, unmet]).
    A score whose housing service is not eligible (a veto, an unmet requirement) counts as none.
    """
    rule_set = points_selectors.rule_set_in_force(on=on)
    if rule_set is None:
        return None
    score = points_selectors.current_score(person, rule_set)
    if score is None or score.valid_until < on:
        return None
    housing = (score.data.get("services") or {}).get(HOUSING_SERVICE)
    if not housing or not housing[3]:
        return None
    return Decimal(str(housing[0])).quantize(Decimal("0.01"))


def round_is_open(application_round: ApplicationRound, *, on: dt.date) -> bool:
    return (
        application_round.status == RoundStatus.OPEN
        and application_round.opens_on <= on <= application_round.closes_on
    )


def eligibility_problems(
    application_round: ApplicationRound,
    person: Person,
    *,
    unit_type: str,
    household_size: int,
    owns_home_in_city: bool,
    on: dt.date,
) -> tuple[dict[str, list[str]], Decimal | None]:
    """Why the household cannot apply in the round on `on`, by field (empty when it can), and
    the applicant's housing points that day."""
    problems: dict[str, list[str]] = {}
    if not round_is_open(application_round, on=on):
        problems["round"] = [_("This round is not open for applications.")]
    if not resident_selectors.has_valid_permit(person, on=on):
        message = _(
            "%(name)s needs a valid residence permit: apply for it or have it endorsed."
        ) % {"name": person.name}
        could_hold = resident_selectors.permit_eligible_from(person, on=on)
        if could_hold is not None:
            message += " " + _("A residence permit can be applied for from %(date)s.") % {
                "date": date_format(could_hold)
            }
        problems["permit"] = [message]
    if owns_home_in_city:
        problems["owns_home_in_city"] = [
            _("Affordable rental housing is for households that own no home in the city.")
        ]
    fits = {row.unit_type: row for row in application_round.unit_types.all()}
    row = fits.get(unit_type)
    if row is None:
        problems["unit_type"] = [_("This round does not offer that unit type.")]
    elif not row.min_household <= household_size <= row.max_household:
        problems["household_size"] = [
            _("A %(type)s is for households of %(low)s to %(high)s people.")
            % {
                "type": UnitType(unit_type).label,
                "low": row.min_household,
                "high": row.max_household,
            }
        ]
    points = housing_points_of(person, on=on)
    if application_round.min_points is not None and (
        points is None or points < application_round.min_points
    ):
        problems["points"] = [
            _("This round needs at least %(required)s housing points; you have %(points)s.")
            % {"required": application_round.min_points, "points": points or 0}
        ]
    return problems, points
