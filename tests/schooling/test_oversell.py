"""Twenty accepts of the last school seat at once, each on its own connection: one child gets it."""

from __future__ import annotations

import pytest

from schooling import services
from schooling.models import Offer, OfferStatus
from tests.schooling.test_offer_concurrency import last_seat, live_holders, run_together

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

__all__ = ["last_seat"]  # the fixture, shared with the two-thread tests

TRIES = 20


def test_twenty_accepts_of_the_last_seat_at_once_have_one_winner(last_seat, schools):
    user, application = last_seat["rented"]
    offer = Offer.objects.get(application=application, place__school=schools["X"])

    outcomes = run_together(
        *[lambda: services.accept_offer(actor=user, offer_id=offer.pk) for _ in range(TRIES)]
    )

    assert outcomes == ["conflict"] * (TRIES - 1) + ["ok"]
    assert live_holders(schools["X"]) == [application.pk]
    assert offer.events.filter(to_status=OfferStatus.ACCEPTED).count() == 1
