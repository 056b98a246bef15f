"""What the housing app tells the service catalogue: the conditions of the open rounds."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from housing.models import ApplicationRound, RoundStatus
from portal.catalogue.registry import GuideFacts, register_guide_facts


def affordable_housing_facts(on: dt.date) -> GuideFacts:
    """The conditions housing.eligibility applies, with each open round's unit types and minimum
    points on `on`."""
    eligibility = [
        _("You hold a valid residence permit of this city."),
        _("Nobody in your household owns a home in this city."),
    ]
    rounds = (
        ApplicationRound.objects.filter(
            status=RoundStatus.OPEN, opens_on__lte=on, closes_on__gte=on
        )
        .select_related("project")
        .prefetch_related("unit_types")
        .order_by("closes_on", "pk")[:5]
    )
    for application_round in rounds:
        sizes = "; ".join(
            _("%(type)s for %(low)s-%(high)s people")
            % {
                "type": row.get_unit_type_display(),
                "low": row.min_household,
                "high": row.max_household,
            }
            for row in application_round.unit_types.all()
        )
        line = _("%(round)s (until %(end)s): %(sizes)s.") % {
            "round": f"{application_round.project.display_name} {application_round.name}",
            "end": application_round.closes_on.isoformat(),
            "sizes": sizes,
        }
        if application_round.min_points is not None:
            line += " " + _("Housing points of at least %(points)s.") % {
                "points": application_round.min_points.normalize()
            }
        eligibility.append(line)
    return GuideFacts(
        eligibility=eligibility,
        materials=[
            _(
                "Nothing to upload: your permit and points are read from the portal. "
                "You declare your household and that you own no home."
            )
        ],
    )


def register() -> None:
    register_guide_facts("affordable_housing", affordable_housing_facts)
