"""What the schooling app tells the resident's home page and the "what can I get" page.

The answer for school places runs the checks the application services refuse with
(schooling.eligibility: `age_problem` for each child, `guardian_problems` for the guardian's
permit and points, the registration check of `submission_problems`) for the round whose
application window is open; the day the permit condition is met comes from
`permit_condition_met_from`, the day the refusal names.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from portal import home
from portal.catalogue.eligibility import Answer, Standing, register_eligibility, standing_of
from residents import selectors as resident_selectors
from schooling import eligibility, selectors
from schooling.models import OfferStatus


def school_place_answer(user, on: dt.date) -> Answer:
    open_rounds = [r for r in selectors.rounds_visible_to(user) if r.application_window_open(on)]
    if not open_rounds:
        return Answer(
            standing=Standing.CLOSED,
            missing=[_("No enrolment round is taking applications now.")],
            action_url=reverse("schooling:rounds"),
            action_label=_("School places for children"),
        )
    enrolment_round = open_rounds[0]
    guardian = resident_selectors.person_of(user)
    if guardian is None:
        return Answer(
            standing=Standing.MISSING,
            missing=[_("Please enter your own details in the registry first.")],
            action_url=reverse("residents:person_new"),
            action_label=_("Enter my details"),
        )
    children = [link.dependant for link in resident_selectors.dependants_of(user)]
    missing: list[str] = []
    if not children:
        missing.append(_("Add your child under family members first."))
    waiting = [
        child
        for child in children
        if selectors.active_application_of(enrolment_round, child.pk) is None
    ]
    if children and not waiting:
        return Answer(
            standing=Standing.IN_PROGRESS,
            note=_("Every child of yours has an application in %(round)s.")
            % {"round": enrolment_round.name},
            action_url=reverse("schooling:round", args=[enrolment_round.pk]),
            action_label=_("School places for children"),
        )
    if resident_selectors.current_registration(guardian) is None:
        missing.append(
            _("The guardian has no current residence registration: register the address first.")
        )
    problems = eligibility.guardian_problems(enrolment_round, guardian, on=on)
    missing += [message for messages in problems.values() for message in messages]
    ages = [eligibility.age_problem(enrolment_round, child) for child in waiting]
    if waiting and all(ages):
        missing += [problem for problem in ages if problem]
    eligible_from = None
    if "permit" in problems:
        eligible_from = eligibility.permit_condition_met_from(enrolment_round, guardian, on=on)
    return Answer(
        standing=standing_of(missing, eligible_from, on=on),
        missing=missing,
        eligible_from=eligible_from,
        note=str(enrolment_round.name),
        action_url=reverse("schooling:round", args=[enrolment_round.pk]),
        action_label=_("Apply"),
    )


def offers_due(user, on: dt.date) -> list[home.DueItem]:
    """School place offers waiting for the family's answer, by their deadline."""
    return [
        home.DueItem(
            title=_("Answer the school place offered to %(child)s")
            % {"child": offer.application.child.name},
            url=reverse("schooling:offers"),
            due_on=offer.deadline,
        )
        for offer in selectors.offers_of(user).filter(status=OfferStatus.OFFERED)
    ]


def register() -> None:
    register_eligibility("school_place", school_place_answer)
    home.register_due("schooling.offers", offers_due)
