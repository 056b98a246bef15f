"""The ground truth and the measure, worked by hand on tiny cities (pure: no database)."""

from __future__ import annotations

import dataclasses
import random

from residents.simulation import measure, truth
from residents.simulation.params import Params

STILL = Params(
    persons_per_address=2.5,
    renter_share=1.0,
    arrival_rate_per_day=0.0,
    departure_rate_per_day=0.0,
    renter_move_rate_per_day=0.0,
    owner_move_rate_per_day=0.0,
    birth_rate_per_day=0.0,
    initial_unregistered_share=0.0,
    initial_stale_share=0.0,
    initial_wrong_address_share=0.0,
)


def test_a_still_city_of_ten_has_four_addresses_and_a_registry_equal_to_the_truth():
    city = truth.initial(STILL, persons=10, rng=random.Random(1))
    assert city.addresses == 4  # 10 persons / 2.5 a home
    assert city.registered == city.addr
    assert sorted(city.present) == list(range(10))
    assert truth.step(city, STILL, day=1, rng=random.Random(2)) == []
    assert city.history[-1] == city.history[0]


def test_one_in_ten_leaving_a_day_takes_exactly_one_person_each_day():
    params = dataclasses.replace(STILL, departure_rate_per_day=0.1)
    city = truth.initial(params, persons=10, rng=random.Random(1))
    events = truth.step(city, params, day=1, rng=random.Random(2))
    assert [e.kind for e in events] == [truth.DEPARTURE]
    gone = events[0].person
    assert city.addr[gone] == truth.GONE
    assert city.history[0][gone] == events[0].address_from  # day 0 kept as it was
    assert len(city.present) == 9
    # 9 x 0.1 = 0.9: one more departure with probability 0.9, never two.
    assert len(truth.step(city, params, day=2, rng=random.Random(3))) <= 1


def test_arrivals_and_births_add_persons_at_addresses_of_the_city():
    params = dataclasses.replace(STILL, arrival_rate_per_day=0.2, birth_rate_per_day=0.1)
    city = truth.initial(params, persons=10, rng=random.Random(1))
    events = truth.step(city, params, day=1, rng=random.Random(2))
    assert [e.kind for e in events] == [truth.ARRIVAL, truth.ARRIVAL, truth.BIRTH]
    assert [e.person for e in events] == [10, 11, 12]
    birth = events[2]
    assert city.addr[12] == city.addr[birth.address_from]  # at the parent's home
    assert all(0 <= city.addr[p] < city.addresses for p in (10, 11, 12))
    assert city.registered[10:] == [truth.GONE] * 3  # the registry knew nothing of them


def test_the_initial_shares_make_the_registry_wrong_in_each_way():
    params = dataclasses.replace(
        STILL,
        initial_unregistered_share=0.2,
        initial_stale_share=0.2,
        initial_wrong_address_share=0.2,
    )
    city = truth.initial(params, persons=2000, rng=random.Random(5))
    registry = {p: a for p, a in enumerate(city.registered) if a != truth.GONE}
    result = measure.compare(city.addr, registry)
    for count in (result.missed_arrivals, result.stale_residents, result.wrong_addresses):
        assert 320 < count < 480  # 400 expected each
    assert result.persons == 2000


def test_the_measure_worked_by_hand():
    # person:      0      1      2            3      4
    actual = [0, 1, truth.GONE, 2, truth.GONE]
    registry = {0: 0, 1: 2, 2: 1}  # 3 and 4 hold no current registration
    result = measure.compare(actual, registry)
    # 0 right; 1 wrong address; 2 stale (gone, still registered); 3 missed arrival;
    # 4 right (gone, not registered).
    assert (result.correct, result.persons) == (2, 5)
    assert result.accuracy == 0.4
    assert (result.missed_arrivals, result.stale_residents, result.wrong_addresses) == (1, 1, 1)
    assert result.wrong == frozenset({1, 2, 3})


def test_days_to_correct_count_from_the_change_to_the_first_right_day():
    corrections = measure.Corrections()
    corrections.changed(7, day=1)
    corrections.changed(8, day=1)
    corrections.settle(frozenset({7, 8}), day=1)
    corrections.settle(frozenset({8}), day=3)  # 7 right on day 3: 2 days
    corrections.settle(frozenset(), day=5)  # 8 right on day 5: 4 days
    assert corrections.days == [2, 4]
    assert corrections.median == 3.0


def test_a_seed_gives_the_same_city():
    params = Params()
    one = truth.initial(params, persons=500, rng=random.Random(9))
    two = truth.initial(params, persons=500, rng=random.Random(9))
    r1, r2 = random.Random(4), random.Random(4)
    assert [truth.step(one, params, day=d, rng=r1) for d in (1, 2, 3)] == [
        truth.step(two, params, day=d, rng=r2) for d in (1, 2, 3)
    ]
    assert one.addr == two.addr
