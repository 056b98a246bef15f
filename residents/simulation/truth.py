"""The ground truth of the simulated city: where every person actually lives, day by day.

Pure Python over plain lists, driven by one seeded random generator, so a seed gives the
same city every time. Persons are numbered from 0; addresses are positions 0..A-1 in the
simulation's list of addresses; GONE (-1) is "not living in the city" (departed, or not
arrived yet). Each day draws its counts by stochastic rounding (n x rate, plus one with
the probability of the fraction), so a count that is a whole number is exact.

Events are what the channels may observe: an arrival, a move, a departure, a birth.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from residents.simulation.params import Params

GONE = -1
ARRIVAL, MOVE, DEPARTURE, BIRTH = "arrival", "move", "departure", "birth"


@dataclass(frozen=True)
class Event:
    serial: int  # counts events from 1: a person's latest event is the one their truth reflects
    kind: str
    person: int
    day: int
    address_from: int
    address_to: int


@dataclass
class City:
    """The truth on the current day, plus what the registry held on day 0."""

    addresses: int
    addr: list[int]  # person -> address, or GONE
    renter: list[bool]
    registered: list[int]  # person -> address the registry holds on day 0, or GONE
    present: list[int] = field(default_factory=list)  # persons living in the city
    where: dict[int, int] = field(default_factory=dict)  # person -> position in present
    last_event: dict[int, int] = field(default_factory=dict)  # person -> serial
    serial: int = 0
    history: list[list[int]] = field(default_factory=list)  # addr as it was at each day's end

    @property
    def persons(self) -> int:
        return len(self.addr)

    def residents_at(self) -> dict[int, list[int]]:
        at: dict[int, list[int]] = {}
        for person in self.present:
            at.setdefault(self.addr[person], []).append(person)
        return at

    def addr_on(self, day: int) -> list[int]:
        """The truth as it was at the end of `day` (day 0 before the first change: the start)."""
        if not self.history:
            return self.addr
        return self.history[max(0, min(day, len(self.history) - 1))]

    def _add(self, person: int) -> None:
        self.where[person] = len(self.present)
        self.present.append(person)

    def _remove(self, person: int) -> None:
        at = self.where.pop(person)
        last = self.present.pop()
        if last != person:
            self.present[at] = last
            self.where[last] = at

    def _event(self, kind: str, person: int, day: int, frm: int, to: int) -> Event:
        self.serial += 1
        self.last_event[person] = self.serial
        return Event(self.serial, kind, person, day, frm, to)


def stochastic_count(rng: random.Random, expected: float) -> int:
    whole = int(expected)
    return whole + (1 if rng.random() < expected - whole else 0)


def initial(params: Params, *, persons: int, rng: random.Random) -> City:
    """Day 0: `persons` persons, each at a random address; the registry's view of day 0 wrong
    for the initial shares (unregistered, stale: left but still registered, wrong address)."""
    addresses = max(1, round(persons / params.persons_per_address))
    addr = [rng.randrange(addresses) for _ in range(persons)]
    renter = [rng.random() < params.renter_share for _ in range(persons)]
    registered = list(addr)
    for person in range(persons):
        roll = rng.random()
        if roll < params.initial_unregistered_share:
            registered[person] = GONE
        elif roll < params.initial_unregistered_share + params.initial_stale_share:
            addr[person] = GONE  # left before day 0; the registry never heard
        elif roll < (
            params.initial_unregistered_share
            + params.initial_stale_share
            + params.initial_wrong_address_share
        ):
            other = rng.randrange(addresses - 1) if addresses > 1 else 0
            addr[person] = other if other < registered[person] else other + 1
            if addresses == 1:
                addr[person] = registered[person]
    city = City(addresses=addresses, addr=addr, renter=renter, registered=registered)
    for person in range(persons):
        if addr[person] != GONE:
            city._add(person)
    city.history.append(list(addr))
    return city


def step(city: City, params: Params, *, day: int, rng: random.Random) -> list[Event]:
    """Live one day: departures, moves, arrivals and births, in that order."""
    events: list[Event] = []
    n = len(city.present)
    for person in _pick(
        rng, city.present, stochastic_count(rng, n * params.departure_rate_per_day)
    ):
        frm = city.addr[person]
        city.addr[person] = GONE
        city._remove(person)
        events.append(city._event(DEPARTURE, person, day, frm, GONE))
    renters = sum(1 for p in city.present if city.renter[p])
    for is_renter, rate in (
        (True, params.renter_move_rate_per_day),
        (False, params.owner_move_rate_per_day),
    ):
        size = renters if is_renter else len(city.present) - renters
        wanted = stochastic_count(rng, size * rate)
        chosen: list[int] = []
        tries = 0
        while len(chosen) < wanted and tries < 20 * (wanted + 1):
            tries += 1
            person = city.present[rng.randrange(len(city.present))]
            if city.renter[person] == is_renter and person not in chosen:
                chosen.append(person)
        for person in chosen:
            if city.addresses < 2:
                break
            frm = city.addr[person]
            to = rng.randrange(city.addresses - 1)
            to = to if to < frm else to + 1
            city.addr[person] = to
            events.append(city._event(MOVE, person, day, frm, to))
    for _ in range(stochastic_count(rng, n * params.arrival_rate_per_day)):
        person = _new_person(city, renter=rng.random() < params.renter_share)
        to = rng.randrange(city.addresses)
        city.addr[person] = to
        city._add(person)
        events.append(city._event(ARRIVAL, person, day, GONE, to))
    for _ in range(stochastic_count(rng, n * params.birth_rate_per_day)):
        if not city.present:
            break
        parent = city.present[rng.randrange(len(city.present))]
        person = _new_person(city, renter=city.renter[parent])
        city.addr[person] = city.addr[parent]
        city._add(person)
        events.append(city._event(BIRTH, person, day, parent, city.addr[parent]))
    city.history.append(list(city.addr))
    return events


def _new_person(city: City, *, renter: bool) -> int:
    city.addr.append(GONE)
    city.renter.append(renter)
    city.registered.append(GONE)
    return len(city.addr) - 1


def _pick(rng: random.Random, pool: list[int], count: int) -> list[int]:
    return rng.sample(pool, min(count, len(pool)))
