"""Who may apply for a school place: the child's age, the guardian's permit and points, the materials.

Rules (docs/domain.md "School allocation", kept as data on the round):
- the child has reached the round's minimum age by its reference day (6 by 31 August for
  primary grade 1, 12 for junior middle);
- the guardian holds a residence permit valid on the day, held for at least the round's
  months (counted from issue, or from the late endorsement that restarted the clock;
  居住证暂行条例 art. 12: the permit gives access to compulsory education);
- the guardian's school points reach the round's threshold;
- the vaccination certificate and household proof are attached, and a housing proof when the
  family declares an owned or rented home.

The points come from the points app's ledger through one function, `school_points_of`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from points import selectors as points_selectors
from portal.periods import add_months, whole_years_between
from residents import selectors as resident_selectors
from residents.models import Person
from schooling.models import (
    REQUIRED_MATERIALS,
    EnrolmentApplication,
    EnrolmentRound,
    MaterialKind,
    Tenure,
)

if TYPE_CHECKING:
    from points.models import RuleSet

SCHOOL_SERVICE = "school"


def school_points_of(
    person: Person, *, on: dt.date, rule_set: RuleSet | None = None
) -> tuple[Decimal, dict[str, Decimal]] | None:
    """The person's school points on `on` and their sub-scores, from the points ledger; None if unscored.

    The rule set is the round's (`rule_set`) or else the one in force on `on`
    (points.selectors.rule_set_in_force); the score is the person's current ledger entry
    under it (points.selectors.current_score), still valid on `on`. The school total is the
    "school" entry of the parsed breakdown's "services" part (Score.data, in the form of
    points.engine.Result.to_json: [total, raw, multiplier, eligible, passed, vetoed, unmet]);
    the sub-scores are its "sub" part.
    A score whose school service is not eligible (a veto, an unmet requirement) counts as none.
    """
    if rule_set is None:
        rule_set = points_selectors.rule_set_in_force(on=on)
    if rule_set is None:
        return None
    score = points_selectors.current_score(person, rule_set)
    if score is None or score.valid_until < on:
        return None
    breakdown = score.data
    school = (breakdown.get("services") or {}).get(SCHOOL_SERVICE)
    if not school or not school[3]:
        return None
    subs = {
        name: Decimal(str(value)).quantize(Decimal("0.01"))
        for name, value in (breakdown.get("sub") or {}).items()
    }
    return Decimal(str(school[0])).quantize(Decimal("0.01")), subs


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return whole_years_between(birth_date, day)


def age_rule(enrolment_round: EnrolmentRound, child: Person) -> tuple[int, bool]:
    """The child's age on the round's reference date, and whether it meets the round's minimum:
    what a reviewer needs of the birth date (which staff do not see)."""
    age = age_on(child.birth_date, enrolment_round.age_reference_date)
    return age, age >= enrolment_round.min_age


def age_problem(enrolment_round: EnrolmentRound, child: Person) -> str | None:
    """Why the child is too young for the round, or None."""
    if age_rule(enrolment_round, child)[1]:
        return None
    return _("%(name)s must be %(age)s years old by %(date)s to apply in this round.") % {
        "name": child.name,
        "age": enrolment_round.min_age,
        "date": date_format(enrolment_round.age_reference_date),
    }


def permit_months_of(person: Person, *, on: dt.date) -> int | None:
    """Whole months the person has held a permit valid on `on`; None without a valid permit
    (residents.selectors.permit_held_months)."""
    return resident_selectors.permit_held_months(person, on=on)


def eligible_from_message(day: dt.date) -> str:
    return _("This condition is met from %(date)s.") % {"date": date_format(day)}


def permit_condition_met_from(
    enrolment_round: EnrolmentRound, guardian: Person, *, on: dt.date
) -> dt.date | None:
    """The first day the guardian's permit will have been held for the round's months: from
    the permit's start (or the day one can be held, residents.selectors.permit_eligible_from,
    without one) plus those months; None when no day can be named (no registration)."""
    required = enrolment_round.min_permit_months
    if permit_months_of(guardian, on=on) is None:
        could_hold = resident_selectors.permit_eligible_from(guardian, on=on)
        return None if could_hold is None else add_months(could_hold, required)
    return add_months(resident_selectors.permit_held_since(guardian, on=on), required)


def guardian_problems(
    enrolment_round: EnrolmentRound, guardian: Person, *, on: dt.date
) -> dict[str, list[str]]:
    """Why the guardian does not yet qualify (permit, points), by field; empty when they do."""
    problems: dict[str, list[str]] = {}
    months = permit_months_of(guardian, on=on)
    required = enrolment_round.min_permit_months
    if months is None:
        message = _(
            "%(name)s needs a valid residence permit: apply for it or have it endorsed."
        ) % {"name": guardian.name}
        met_from = permit_condition_met_from(enrolment_round, guardian, on=on)
        if met_from is not None:
            message += " " + eligible_from_message(met_from)
        problems["permit"] = [message]
    elif months < required:
        problems["permit"] = [
            _(
                "The guardian's residence permit must have been held for %(required)s months; "
                "%(name)s has held it for %(months)s."
            )
            % {"required": required, "name": guardian.name, "months": months}
            + " "
            + eligible_from_message(permit_condition_met_from(enrolment_round, guardian, on=on))
        ]
    scored = school_points_of(guardian, on=on, rule_set=enrolment_round.points_rule_set)
    if scored is None:
        problems["points"] = [
            _("%(name)s has no valid school points score: apply for a points assessment first.")
            % {"name": guardian.name}
        ]
    elif scored[0] < enrolment_round.points_threshold:
        problems["points"] = [
            _("The round needs %(threshold)s points; %(name)s has %(points)s.")
            % {
                "threshold": enrolment_round.points_threshold,
                "name": guardian.name,
                "points": scored[0],
            }
        ]
    return problems


def submission_problems(application: EnrolmentApplication, *, on: dt.date) -> dict[str, list[str]]:
    """Everything that stops the application from being submitted, listed at once (一次性告知)."""
    enrolment_round = application.round
    problems: dict[str, list[str]] = {}
    if not enrolment_round.application_window_open(on):
        problems["round"] = [
            _("Applications to this round are accepted from %(start)s to %(end)s.")
            % {
                "start": date_format(enrolment_round.application_opens),
                "end": date_format(enrolment_round.application_closes),
            }
        ]
    age = age_problem(enrolment_round, application.child)
    if age:
        problems["child"] = [age]
    registration = resident_selectors.current_registration(application.guardian)
    if registration is None:
        problems["registration"] = [
            _("The guardian has no current residence registration: register the address first.")
        ]
    elif registration.address.grid.district_id != application.case.district_id:
        problems["registration"] = [
            _(
                "The registered address moved to another district after this application was "
                "started: please withdraw it and start a new one."
            )
        ]
    problems.update(guardian_problems(enrolment_round, application.guardian, on=on))
    kinds = set(application.materials.values_list("kind", flat=True))
    needed = list(REQUIRED_MATERIALS)
    if application.tenure in (Tenure.OWNED, Tenure.RENTED):
        needed.append(MaterialKind.HOUSING)
    missing = [MaterialKind(kind).label for kind in needed if kind not in kinds]
    if missing:
        problems["materials"] = [_("Missing material: %(item)s.") % {"item": m} for m in missing]
    return problems
