"""What the residents app tells the resident's home page and the "what can I get" page.

Every answer is read from the checks the permit and registration services apply
(selectors.permit_eligibility_problems, permit_eligible_from, endorsement_window), never a copy.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portal import home
from portal.catalogue.eligibility import Answer, Standing, register_eligibility, standing_of
from residents import selectors
from residents.models import PermitState


def no_person_answer() -> Answer:
    """Every service needs the resident's own details in the registry first."""
    return Answer(
        standing=Standing.MISSING,
        missing=[_("Please enter your own details in the registry first.")],
        action_url=reverse("residents:person_new"),
        action_label=_("Enter my details"),
    )


def registration_answer(user, on: dt.date) -> Answer:
    """Residence registration: open to anyone with their details entered; held once registered."""
    person = selectors.person_of(user)
    if person is None:
        return no_person_answer()
    current = selectors.current_registration(person)
    if current is not None:
        return Answer(
            standing=Standing.HOLDS,
            note=_("Registered at %(address)s since %(date)s.")
            % {"address": current.address, "date": date_format(current.start_date)},
            action_url=reverse("residents:registrations"),
            action_label=pgettext("link to a record", "Open"),
        )
    return Answer(
        standing=Standing.NOW,
        action_url=reverse("residents:registration_new"),
        action_label=_("Register my residence"),
    )


def permit_answer(user, on: dt.date) -> Answer:
    """The residence permit: the problems `create_permit_application` refuses with, and the day
    the permit can be applied for (selectors.permit_eligible_from)."""
    person = selectors.person_of(user)
    if person is None:
        return no_person_answer()
    held = selectors.permit_valid_on(person, on=on)
    if held is not None:
        opens, _last = selectors.endorsement_window(held)
        return Answer(
            standing=Standing.HOLDS,
            note=_("Permit %(number)s is valid until %(until)s; endorse it from %(opens)s.")
            % {
                "number": held.number,
                "until": date_format(held.valid_until),
                "opens": date_format(opens),
            },
            action_url=reverse("residents:permit", args=[held.pk]),
            action_label=_("My residence permit"),
        )
    in_progress = selectors.open_application_of(person)
    if in_progress is not None:
        return Answer(
            standing=Standing.IN_PROGRESS,
            note=_("Your application %(reference)s is in progress.")
            % {"reference": in_progress.case.reference},
            action_url=reverse("residents:permit_application", args=[in_progress.pk]),
            action_label=pgettext("link to a record", "Open"),
        )
    problems = selectors.permit_eligibility_problems(person, on=on)
    missing = [message for messages in problems.values() for message in messages]
    eligible_from = selectors.permit_eligible_from(person, on=on)
    return Answer(
        standing=standing_of(missing, eligible_from, on=on),
        missing=missing,
        eligible_from=eligible_from if missing else None,
        action_url=reverse("residents:permit_guide"),
        action_label=_("Apply for a residence permit"),
    )


def person_name(user) -> str | None:
    person = selectors.person_of(user)
    return person.name if person is not None else None


def permit_card(user, on: dt.date) -> home.StatusCard | None:
    """My permit: its number, state and the window of the next endorsement; or how to get one."""
    person = selectors.person_of(user)
    if person is None:
        return None
    permits = [
        permit
        for permit in selectors.permits_held_by(user)
        .filter(person=person)
        .order_by("-issued_on", "-pk")
        if permit.state_on(on) != PermitState.NOT_ISSUED
    ]
    if not permits:
        answer = permit_answer(user, on)
        lines = [home.StatusLine(_("Status"), _("You do not hold a residence permit yet."))]
        if answer.eligible_from:
            lines.append(
                home.StatusLine(_("You can apply from"), date_format(answer.eligible_from))
            )
        return home.StatusCard(
            title=_("My residence permit"),
            lines=lines,
            url=reverse("residents:permit_guide"),
            link_label=_("Apply for a residence permit"),
        )
    permit = permits[0]
    opens, last_day = selectors.endorsement_window(permit)
    lines = [
        home.StatusLine(_("Permit number"), permit.number),
        home.StatusLine(_("Status"), permit.state_label_on(on)),
        home.StatusLine(_("Valid until"), date_format(permit.valid_until)),
    ]
    if permit.state_on(on) != PermitState.CANCELLED:
        lines.append(
            home.StatusLine(
                _("Next endorsement"),
                _("%(opens)s to %(closes)s")
                % {"opens": date_format(opens), "closes": date_format(last_day)},
            )
        )
    return home.StatusCard(
        title=_("My residence permit"),
        lines=lines,
        url=reverse("residents:permit", args=[permit.pk]),
        link_label=pgettext("link to a record", "Open"),
    )


def registration_card(user, on: dt.date) -> home.StatusCard | None:
    person = selectors.person_of(user)
    if person is None:
        return home.StatusCard(
            title=_("My residence registration"),
            lines=[home.StatusLine(_("Status"), _("Your details are not in the registry yet."))],
            url=reverse("residents:person_new"),
            link_label=_("Enter my details"),
        )
    current = selectors.current_registration(person)
    if current is None:
        return home.StatusCard(
            title=_("My residence registration"),
            lines=[home.StatusLine(_("Status"), _("No current registration."))],
            url=reverse("residents:registration_new"),
            link_label=_("Register my residence"),
        )
    return home.StatusCard(
        title=_("My residence registration"),
        lines=[
            home.StatusLine(_("Address"), str(current.address)),
            home.StatusLine(_("Since"), date_format(current.start_date)),
            home.StatusLine(
                _("Continuous months"), selectors.continuous_residence_months(person, on=on)
            ),
        ],
        url=reverse("residents:registrations"),
        link_label=pgettext("link to a record", "Open"),
    )


def endorsements_due(user, on: dt.date) -> list[home.DueItem]:
    """Each household permit whose endorsement window has opened (or passed) and is not cancelled."""
    items = []
    for permit in selectors.permits_held_by(user):
        state = permit.state_on(on)
        if state in (PermitState.CANCELLED, PermitState.NOT_ISSUED):
            continue
        opens, last_day = selectors.endorsement_window(permit)
        if on < opens:
            continue
        items.append(
            home.DueItem(
                title=_("Endorse the residence permit of %(name)s") % {"name": permit.person.name},
                url=reverse("residents:permit", args=[permit.pk]),
                due_on=last_day,
                detail=_("Late: the continuous-residence clock restarts.") if on > last_day else "",
            )
        )
    return items


def register() -> None:
    register_eligibility("residence_registration", registration_answer)
    register_eligibility("residence_permit", permit_answer)
    home.register_name(person_name)
    home.register_status("residents.registration", registration_card, order=10)
    home.register_status("residents.permit", permit_card, order=20)
    home.register_due("residents.endorsements", endorsements_due)
