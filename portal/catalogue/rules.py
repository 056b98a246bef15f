"""Rating rules read from data: the policy in force and the rectification due date."""

from __future__ import annotations

import datetime as dt

from portal.calendar.selectors import add_working_days
from portal.catalogue.models import RatingPolicy

DEFAULT_RECTIFICATION_DAYS = 5


def rating_policy_on(day: dt.date) -> RatingPolicy:
    """The rating policy in force on `day` (the latest effective_from not after it); an unsaved
    default of 5 days when an administrator has entered none."""
    policy = (
        RatingPolicy.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    )
    return policy or RatingPolicy(effective_from=day, rectification_days=DEFAULT_RECTIFICATION_DAYS)


def rectification_due(start: dt.date) -> dt.date:
    """The day a department must have answered a poor rating given on `start`.

    Counted in working days (the policy's `rectification_days`), skipping statutory holidays and
    counting make-up working days, as every deadline of the portal does.
    """
    return add_working_days(start, rating_policy_on(start).rectification_days)
