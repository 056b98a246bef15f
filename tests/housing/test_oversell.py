"""Twenty accepts of the last affordable unit at once, each on its own connection: one tenancy."""

from __future__ import annotations

import pytest

from housing import selectors, services
from housing.models import Offer, OfferStatus
from portal.errors import TransitionNotAllowed
from tests.housing.test_offer_concurrency import last_unit_round, run_at_once

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

__all__ = ["last_unit_round"]  # the fixture, shared with the two-thread tests

TRIES = 20


def test_twenty_accepts_of_the_last_unit_at_once_have_one_winner(last_unit_round):
    _round, (user, _application), _second = last_unit_round
    offer = selectors.offers_of(user).get()

    results = run_at_once(
        *[lambda: services.accept_offer(actor=user, offer_id=offer.pk) for _ in range(TRIES)]
    )

    winners = [r for r in results if isinstance(r, Offer)]
    conflicts = [r for r in results if isinstance(r, TransitionNotAllowed)]
    assert len(winners) == 1
    assert len(conflicts) == TRIES - 1
    assert Offer.objects.filter(status=OfferStatus.ACCEPTED).count() == 1
    assert Offer.objects.filter(unit=offer.unit, status=OfferStatus.ACCEPTED).count() == 1
