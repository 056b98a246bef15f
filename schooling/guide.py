"""What the schooling app tells the service catalogue: the conditions of the current round."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from portal.catalogue.registry import GuideFacts, register_guide_facts
from schooling.models import REQUIRED_MATERIALS, EnrolmentRound, MaterialKind, RoundStatus


def current_round(on: dt.date) -> EnrolmentRound | None:
    """The published round of the latest year that has opened by `on` (rounds being prepared are
    not public)."""
    return (
        EnrolmentRound.objects.exclude(status=RoundStatus.SETUP)
        .filter(application_opens__lte=on)
        .order_by("-year", "stage", "pk")
        .first()
    )


def school_facts(on: dt.date) -> GuideFacts | None:
    """The age rule, permit months, points threshold and materials of the current round, as
    schooling.eligibility applies them; None when no round is published."""
    enrolment_round = current_round(on)
    if enrolment_round is None:
        return None
    eligibility = [
        _("The child is %(age)s years old by %(date)s (%(stage)s).")
        % {
            "age": enrolment_round.min_age,
            "date": enrolment_round.age_reference_date.isoformat(),
            "stage": enrolment_round.get_stage_display(),
        },
        _("The guardian has held a residence permit for at least %(months)s months.")
        % {"months": enrolment_round.min_permit_months},
    ]
    if enrolment_round.points_threshold:
        eligibility.append(
            _("The guardian's school points reach %(threshold)s.")
            % {"threshold": enrolment_round.points_threshold.normalize()}
        )
    materials = [str(MaterialKind(kind).label) for kind in REQUIRED_MATERIALS]
    materials.append(
        _("%(item)s, when the family owns or rents its home") % {"item": MaterialKind.HOUSING.label}
    )
    return GuideFacts(
        eligibility=eligibility,
        materials=materials,
        notes=[
            _("%(round)s: applications from %(start)s to %(end)s; up to %(n)s schools ranked.")
            % {
                "round": enrolment_round.name,
                "start": enrolment_round.application_opens.isoformat(),
                "end": enrolment_round.application_closes.isoformat(),
                "n": enrolment_round.max_preferences,
            }
        ],
    )


def register() -> None:
    register_guide_facts("school_place", school_facts)
