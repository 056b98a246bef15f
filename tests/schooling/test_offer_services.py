"""Offers: accepting and declining by the deadline, the waiting list, lapsed offers, scoping."""

from __future__ import annotations

import pytest
import time_machine

from portal.errors import NotFound, TransitionNotAllowed
from schooling import services
from schooling.models import Offer, OfferEvent, OfferPhase, OfferStatus, Tenure
from tests.schooling.conftest import after, enter


@pytest.fixture
def drawn(enrolment_round, schools, address_a, police_a, education_a, education_all):
    """Three families ranked X then Y (one seat each), drawn: rented gets X, top Y, middle nothing.

    Order: top 95 points, rented 90.5 (but category 2 at X: rents in its catchment), middle 86.

    The clock stands on the day after the preference window closed.
    """
    x, y = schools["X"], schools["Y"]
    common = {"address": address_a, "police": police_a, "reviewer": education_a, "choices": [x, y]}
    families = {
        "rented": enter(
            enrolment_round,
            username="rented",
            tenure=Tenure.RENTED,
            points={"insurance_years": 7},
            **common,
        ),
        "top": enter(
            enrolment_round,
            username="top",
            tenure=Tenure.OTHER,
            points={"insurance_years": 10},
            **common,
        ),
        "middle": enter(
            enrolment_round,
            username="middle",
            tenure=Tenure.OTHER,
            points={"insurance_years": 4},
            **common,
        ),
    }
    services.commit_lottery_seed(actor=education_all, round_id=enrolment_round.pk, seed="s")
    with time_machine.travel(after(enrolment_round.preference_closes), tick=False):
        services.run_first_round(actor=education_all, round_id=enrolment_round.pk)
        yield families


def offer_of(family, *, status=OfferStatus.OFFERED):
    return Offer.objects.filter(application=family[1], status=status).first()


def test_a_family_accepts_its_offer(drawn):
    user, _application = drawn["rented"]
    offer = offer_of(drawn["rented"])

    accepted = services.accept_offer(actor=user, offer_id=offer.pk)

    assert accepted.status == OfferStatus.ACCEPTED
    assert accepted.answered_at is not None
    event = OfferEvent.objects.get(offer=offer)
    assert (event.from_status, event.to_status, event.actor) == ("offered", "accepted", user)
    with pytest.raises(TransitionNotAllowed):
        services.decline_offer(actor=user, offer_id=offer.pk)


def test_a_declined_seat_goes_to_the_next_child_on_that_schools_waiting_list(drawn):
    user, _application = drawn["rented"]
    x_offer = offer_of(drawn["rented"])

    services.decline_offer(actor=user, offer_id=x_offer.pk)

    # X's order: top (95 points, holds Y which it ranked lower), then middle.
    passed = Offer.objects.get(place=x_offer.place, status=OfferStatus.OFFERED)
    assert passed.application == drawn["top"][1]
    assert passed.seat_no == x_offer.seat_no
    assert passed.phase == OfferPhase.WAITING_LIST


def test_accepting_a_better_seat_gives_up_the_other_which_passes_on(drawn):
    services.decline_offer(actor=drawn["rented"][0], offer_id=offer_of(drawn["rented"]).pk)
    top_user, top = drawn["top"]
    y_offer = Offer.objects.get(application=top, place__school__code="Y")
    x_offer = Offer.objects.get(application=top, place__school__code="X")

    services.accept_offer(actor=top_user, offer_id=x_offer.pk)

    y_offer.refresh_from_db()
    assert y_offer.status == OfferStatus.RELEASED
    handed = Offer.objects.get(place=y_offer.place, status=OfferStatus.OFFERED)
    assert handed.application == drawn["rented"][1]  # ahead of middle in Y's order
    assert handed.seat_no == y_offer.seat_no


def test_a_child_holding_a_seat_they_ranked_higher_is_skipped(drawn, schools):
    # Y's order is top, rented, middle; rented holds X, which they ranked above Y.
    services.decline_offer(actor=drawn["top"][0], offer_id=offer_of(drawn["top"]).pk)

    passed = Offer.objects.get(place__school=schools["Y"], status=OfferStatus.OFFERED)
    assert passed.application == drawn["middle"][1]


def test_a_seat_with_nobody_left_waiting_stays_free(drawn, schools):
    def x_holder():
        return Offer.objects.get(place__school=schools["X"], status=OfferStatus.OFFERED)

    services.decline_offer(actor=drawn["rented"][0], offer_id=x_holder().pk)
    assert x_holder().application == drawn["top"][1]
    services.decline_offer(actor=drawn["top"][0], offer_id=x_holder().pk)
    assert x_holder().application == drawn["middle"][1]

    services.decline_offer(actor=drawn["middle"][0], offer_id=x_holder().pk)

    assert not Offer.objects.filter(
        place__school=schools["X"], status__in=["offered", "accepted"]
    ).exists()


def test_the_deadline_is_enforced_and_a_lapsed_offer_passes_on(drawn, enrolment_round):
    user, _application = drawn["top"]
    y_offer = offer_of(drawn["top"])

    with time_machine.travel(after(enrolment_round.offer_deadline), tick=False):
        with pytest.raises(TransitionNotAllowed):
            services.accept_offer(actor=user, offer_id=y_offer.pk)
        lapsed = services.expire_offers()
        again = services.expire_offers()

    y_offer.refresh_from_db()
    assert y_offer.status == OfferStatus.EXPIRED
    assert lapsed == 2  # rented's X offer lapsed too
    assert again == 0
    # The seats pass to middle: a family that let an offer lapse is not offered another.
    holders = set(
        Offer.objects.filter(status=OfferStatus.OFFERED).values_list("application", flat=True)
    )
    assert holders == {drawn["middle"][1].pk}


def test_another_family_cannot_answer(drawn, other_resident):
    offer = offer_of(drawn["rented"])
    with pytest.raises(NotFound):
        services.accept_offer(actor=other_resident, offer_id=offer.pk)
    with pytest.raises(NotFound):
        services.decline_offer(actor=drawn["top"][0], offer_id=offer.pk)
