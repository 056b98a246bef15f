"""Answers arriving at once, on real separate connections: a unit is let or passed on once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from housing import selectors, services
from housing.models import HousingProject, HousingUnit, Offer, OfferStatus, UnitType
from portal.errors import ApplicationError, TransitionNotAllowed
from tests.housing.conftest import open_round, qualified

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run_at_once(*calls):
    """Run each call in its own thread (its own database connection), released together;
    return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.fixture
def last_unit_round(district_a, housing_a, address_a, police_a, rules_in_force):
    """A project with one flat left and two qualified households; the round is ranked and
    the flat offered to the first."""
    project = HousingProject.objects.create(name="最后一套", district=district_a, location="-")
    HousingUnit.objects.create(
        project=project,
        label="9幢901",
        unit_type=UnitType.ONE_BEDROOM,
        floor_area="40",
        monthly_rent="1000",
    )
    housing_round = open_round(project, housing_a)
    first = qualified(
        "first_household",
        seq=81,
        points=(rules_in_force, "50"),
        name="孙悦",
        housing_round=housing_round,
        address=address_a,
        police=police_a,
        reviewer=housing_a,
    )
    second = qualified(
        "second_household",
        seq=83,
        points=(rules_in_force, "40"),
        name="钱进",
        housing_round=housing_round,
        address=address_a,
        police=police_a,
        reviewer=housing_a,
    )
    later = timezone.now() + dt.timedelta(days=32)
    ranked = services.rank_round(actor=housing_a, round_id=housing_round.pk, now=later)
    published = timezone.make_aware(
        dt.datetime.combine(ranked.objection_until + dt.timedelta(days=1), dt.time(9))
    )
    services.allocate_round(actor=housing_a, round_id=housing_round.pk, now=published)
    return housing_round, first, second


def test_two_accepts_of_the_last_unit_at_once_let_it_exactly_once(last_unit_round):
    _round, (user, _application), _second = last_unit_round
    offer = selectors.offers_of(user).get()
    results = run_at_once(
        lambda: services.accept_offer(actor=user, offer_id=offer.pk),
        lambda: services.accept_offer(actor=user, offer_id=offer.pk),
    )
    winners = [r for r in results if isinstance(r, Offer)]
    losers = [r for r in results if isinstance(r, ApplicationError)]
    assert len(winners) == 1
    assert len(losers) == 1
    assert isinstance(losers[0], TransitionNotAllowed)
    assert Offer.objects.filter(status=OfferStatus.ACCEPTED).count() == 1
    assert Offer.objects.count() == 1


def test_the_first_household_accepting_while_the_second_is_offered_the_unit_lets_it_once(
    last_unit_round,
):
    """The first household accepts at the moment its offer is swept as lapsed and the unit
    passed to the second household, who accepts at once: exactly one of them gets the flat."""
    _housing_round, (first_user, _a), (second_user, _b) = last_unit_round
    offer = selectors.offers_of(first_user).get()
    sweep_at = offer.deadline + dt.timedelta(seconds=1)

    def first_accepts():
        return services.accept_offer(actor=first_user, offer_id=offer.pk, now=offer.deadline)

    def swept_then_second_accepts():
        services.lapse_offers(now=sweep_at)
        passed = selectors.offers_of(second_user).filter(status=OfferStatus.OFFERED).first()
        if passed is None:
            return None
        return services.accept_offer(actor=second_user, offer_id=passed.pk, now=sweep_at)

    run_at_once(first_accepts, swept_then_second_accepts)
    accepted = Offer.objects.filter(status=OfferStatus.ACCEPTED)
    assert accepted.count() == 1
    assert Offer.objects.filter(status__in=[OfferStatus.OFFERED, OfferStatus.ACCEPTED]).count() == 1
    winner = accepted.get().application.case.applicant
    assert winner in (first_user, second_user)


def test_a_decline_and_the_lapse_sweep_at_once_pass_the_unit_on_once(last_unit_round):
    _round, (first_user, _a), (_second_user, second_application) = last_unit_round
    offer = selectors.offers_of(first_user).get()
    results = run_at_once(
        lambda: services.decline_offer(actor=first_user, offer_id=offer.pk, now=offer.deadline),
        lambda: services.lapse_offers(now=offer.deadline + dt.timedelta(seconds=1)),
    )
    assert not [
        r for r in results if isinstance(r, Exception) and not isinstance(r, ApplicationError)
    ]
    offer.refresh_from_db()
    assert offer.status in (OfferStatus.DECLINED, OfferStatus.LAPSED)
    passed = Offer.objects.filter(application=second_application)
    assert passed.count() == 1
    assert passed.get().unit_id == offer.unit_id
    assert Offer.objects.filter(status=OfferStatus.OFFERED).count() == 1
