"""What the points app tells the "what can I get" page: whether a points application can start.

The answer runs the checks `points.services.claims.start_application` refuses with: a registry
entry, a current registration (facts.current_district_of), the rule set's entry conditions
(claims.entry_problems) and no application already in progress.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from points import facts, selectors
from points.services import claims
from portal.catalogue.eligibility import Answer, Standing, register_eligibility, standing_of
from residents import selectors as resident_selectors


def points_answer(user, on: dt.date) -> Answer | None:
    rule_set = selectors.rule_set_in_force(on=on)
    if rule_set is None:
        return Answer(
            standing=Standing.CLOSED,
            missing=[_("No points rules are in force yet.")],
        )
    person = selectors.person_of(user)
    if person is None:
        return Answer(
            standing=Standing.MISSING,
            missing=[_("Please enter your details in the registry first.")],
            action_url=reverse("residents:person_new"),
            action_label=_("Enter my details"),
        )
    open_application = selectors.open_application_of(person)
    if open_application is not None:
        return Answer(
            standing=Standing.IN_PROGRESS,
            note=_("Your points application %(reference)s is in progress.")
            % {"reference": open_application.reference},
            action_url=reverse("points:application", args=[open_application.pk]),
            action_label=pgettext("link to a record", "Open"),
        )
    if facts.current_district_of(person) is None:
        missing = [claims.no_registration_message()]
    else:
        missing = claims.entry_problems(rule_set, person, on=on)
    eligible_from = None
    if missing and not resident_selectors.has_valid_permit(person, on=on):
        eligible_from = resident_selectors.permit_eligible_from(person, on=on)
    return Answer(
        standing=standing_of(missing, eligible_from, on=on),
        missing=missing,
        eligible_from=eligible_from,
        action_url=reverse("points:apply"),
        action_label=_("Apply for a points assessment"),
    )


def register() -> None:
    register_eligibility("points", points_answer)
