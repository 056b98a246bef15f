"""Answers arriving at once: a seat is never held by two children.

Real two-connection tests: each answer runs in its own thread with its own database
connection, released together by a barrier. To make the race certain rather than likely, the
`widen_the_race` fixture pauses each answer between reading and writing (after the status
check and after choosing the next child on the waiting list): without the locks both threads
would read the same state and write over each other.
"""

from __future__ import annotations

import threading
import time

import pytest
import time_machine
from django.db import connection

from portal.errors import TransitionNotAllowed
from schooling import selectors, services
from schooling.models import LIVE_OFFER, Offer, OfferStatus, Tenure
from schooling.services import offers as offer_services
from tests.schooling.conftest import after, build_round, enter

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


PAUSE = 0.3


@pytest.fixture(autouse=True)
def widen_the_race(monkeypatch):
    move, waiting_list = offer_services._move, selectors.waiting_list

    def slow_move(*args, **kwargs):
        time.sleep(PAUSE)
        return move(*args, **kwargs)

    class SlowFirst:
        def __init__(self, queryset):
            self.queryset = queryset

        def first(self):
            found = self.queryset.first()
            time.sleep(PAUSE)
            return found

    monkeypatch.setattr(offer_services, "_move", slow_move)
    monkeypatch.setattr(
        selectors, "waiting_list", lambda place, *, on: SlowFirst(waiting_list(place, on=on))
    )


def run_together(*jobs) -> list[str]:
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []

    def run(job):
        try:
            barrier.wait()
            job()
            outcomes.append("ok")
        except TransitionNotAllowed:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def drawn_round(schools, seats, families, *, address, police, reviewer, manager):
    """Enter the families (name -> (tenure, insurance years)), all ranking X then Y, and draw."""
    enrolment_round = build_round(schools=schools, seats=seats, actor=manager)
    entered = {
        name: enter(
            enrolment_round,
            username=name,
            address=address,
            police=police,
            reviewer=reviewer,
            choices=[schools["X"], schools["Y"]],
            tenure=tenure,
            points={"insurance_years": years},
        )
        for name, (tenure, years) in families.items()
    }
    services.commit_lottery_seed(actor=manager, round_id=enrolment_round.pk, seed="s")
    return enrolment_round, entered


def live_holders(school) -> list[int]:
    return list(
        Offer.objects.filter(place__school=school, status__in=sorted(LIVE_OFFER)).values_list(
            "application_id", flat=True
        )
    )


@pytest.fixture
def last_seat(schools, address_a, police_a, education_a, education_all):
    """X has one seat, held by `rented` (category 2 there); `top` waits for it, holding Y."""
    enrolment_round, families = drawn_round(
        schools,
        {"X": 1, "Y": 1},
        {"rented": (Tenure.RENTED, 0), "top": (Tenure.OTHER, 10)},
        address=address_a,
        police=police_a,
        reviewer=education_a,
        manager=education_all,
    )
    with time_machine.travel(after(enrolment_round.preference_closes), tick=False):
        services.run_first_round(actor=education_all, round_id=enrolment_round.pk)
        yield families


def test_two_threads_accepting_the_last_seat_accept_it_once(last_seat, schools):
    user, application = last_seat["rented"]
    offer = Offer.objects.get(application=application, place__school=schools["X"])

    outcomes = run_together(
        lambda: services.accept_offer(actor=user, offer_id=offer.pk),
        lambda: services.accept_offer(actor=user, offer_id=offer.pk),
    )

    assert outcomes == ["conflict", "ok"]
    assert live_holders(schools["X"]) == [application.pk]
    assert offer.events.filter(to_status=OfferStatus.ACCEPTED).count() == 1


def test_accepting_and_declining_the_last_seat_at_once_leaves_it_with_one_child(last_seat, schools):
    user, application = last_seat["rented"]
    offer = Offer.objects.get(application=application, place__school=schools["X"])

    outcomes = run_together(
        lambda: services.accept_offer(actor=user, offer_id=offer.pk),
        lambda: services.decline_offer(actor=user, offer_id=offer.pk),
    )

    assert outcomes == ["conflict", "ok"]
    offer.refresh_from_db()
    holders = live_holders(schools["X"])
    assert len(holders) == 1
    if offer.status == OfferStatus.ACCEPTED:
        assert holders == [application.pk]
    else:
        assert holders == [last_seat["top"][1].pk]


def test_two_declines_at_once_pass_each_seat_to_a_different_child(
    schools, address_a, police_a, education_a, education_all
):
    enrolment_round, families = drawn_round(
        schools,
        {"X": 2, "Y": 1},
        {
            "r1": (Tenure.RENTED, 0),
            "r2": (Tenure.RENTED, 1),
            "top": (Tenure.OTHER, 10),
            "middle": (Tenure.OTHER, 4),
        },
        address=address_a,
        police=police_a,
        reviewer=education_a,
        manager=education_all,
    )
    with time_machine.travel(after(enrolment_round.preference_closes), tick=False):
        services.run_first_round(actor=education_all, round_id=enrolment_round.pk)
        declines = [
            (user, Offer.objects.get(application=application, place__school=schools["X"]))
            for user, application in (families["r1"], families["r2"])
        ]

        outcomes = run_together(
            *(
                lambda user=user, offer=offer: services.decline_offer(actor=user, offer_id=offer.pk)
                for user, offer in declines
            )
        )

    assert outcomes == ["ok", "ok"]
    holders = Offer.objects.filter(place__school=schools["X"], status=OfferStatus.OFFERED)
    assert sorted(holders.values_list("application_id", flat=True)) == sorted(
        [families["top"][1].pk, families["middle"][1].pk]
    )
    assert sorted(holders.values_list("seat_no", flat=True)) == [1, 2]
