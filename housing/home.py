"""What the housing app tells the resident's home page and the "what can I get" page.

The answer for affordable rental housing runs `housing.eligibility.eligibility_problems`, the
check `create_housing_application` refuses with, for the open round, the household as
registered (services.applications.registered_household_size) and the unit type that fits it.
Owning a home is declared when applying, so the answer assumes the household owns none and
says so.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from housing import eligibility, selectors
from housing.models import OfferStatus
from housing.services.applications import registered_household_size
from portal import home
from portal.catalogue.eligibility import Answer, Standing, register_eligibility, standing_of
from residents import selectors as resident_selectors


def fitting_unit_type(application_round, size: int) -> str | None:
    """The first unit type of the round whose household sizes include `size`, else the first."""
    rows = list(application_round.unit_types.all())
    for row in rows:
        if row.min_household <= size <= row.max_household:
            return row.unit_type
    return rows[0].unit_type if rows else None


def affordable_housing_answer(user, on: dt.date) -> Answer:
    rounds = list(selectors.open_rounds(on=on))
    if not rounds:
        return Answer(
            standing=Standing.CLOSED,
            missing=[_("No application round is open now.")],
            action_url=reverse("housing:guide"),
            action_label=_("Affordable rental housing"),
        )
    person = resident_selectors.person_of(user)
    if person is None:
        return Answer(
            standing=Standing.MISSING,
            missing=[_("Please enter your own details in the registry before applying.")],
            action_url=reverse("residents:person_new"),
            action_label=_("Enter my details"),
        )
    application_round = rounds[0]
    applied = selectors.housing_applications_of(user).filter(round=application_round).first()
    if applied is not None:
        return Answer(
            standing=Standing.IN_PROGRESS,
            note=_("You applied in %(round)s.") % {"round": application_round.name},
            action_url=reverse("housing:application", args=[applied.pk]),
            action_label=pgettext("link to a record", "Open"),
        )
    size = registered_household_size(user)
    problems, _points = eligibility.eligibility_problems(
        application_round,
        person,
        unit_type=fitting_unit_type(application_round, size) or "",
        household_size=size,
        owns_home_in_city=False,
        on=on,
    )
    missing = [message for messages in problems.values() for message in messages]
    eligible_from = None
    if "permit" in problems:
        eligible_from = resident_selectors.permit_eligible_from(person, on=on)
    return Answer(
        standing=standing_of(missing, eligible_from, on=on),
        missing=missing,
        eligible_from=eligible_from,
        note=_("%(round)s, open until %(end)s; for households that own no home in the city.")
        % {
            "round": f"{application_round.project.display_name} {application_round.name}",
            "end": date_format(application_round.closes_on),
        },
        action_url=reverse("housing:apply", args=[application_round.pk]),
        action_label=_("Apply"),
    )


def offers_due(user, on: dt.date) -> list[home.DueItem]:
    """Housing offers waiting for the resident's answer, by their deadline."""
    return [
        home.DueItem(
            title=_("Answer the offer of %(unit)s") % {"unit": offer.unit},
            url=reverse("housing:offers"),
            due_on=timezone.localdate(offer.deadline),
        )
        for offer in selectors.offers_of(user).filter(status=OfferStatus.OFFERED)
    ]


def register() -> None:
    register_eligibility("affordable_housing", affordable_housing_answer)
    home.register_due("housing.offers", offers_due)
