"""What the residents app tells the service catalogue: the permit guide's facts from PermitPolicy."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from portal.catalogue.registry import GuideFacts, register_guide_facts
from residents import selectors
from residents.models import Basis, MaterialKind


def permit_facts(on: dt.date) -> GuideFacts:
    """The residence-permit conditions of the policy in force on `on` (the ones on_submit applies)."""
    policy = selectors.permit_policy_on(on)
    return GuideFacts(
        eligibility=[
            _("Registered residence in the city for at least %(months)s continuous months.")
            % {"months": policy.min_residence_months},
            _("One of these bases: %(bases)s.")
            % {"bases": " / ".join(str(label) for label in Basis.labels)},
        ],
        materials=[str(MaterialKind.PHOTO.label), str(MaterialKind.PROOF.label)],
        notes=[
            _(
                "The permit is valid for %(validity)s months and is endorsed each year, "
                "from %(window)s month(s) before the anniversary."
            )
            % {"validity": policy.validity_months, "window": policy.endorsement_window_months}
        ],
    )


def register() -> None:
    register_guide_facts("residence_permit", permit_facts)
