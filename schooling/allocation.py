"""Seat allocation for an enrolment round: pure Python over plain values, no database, no clock.

First round (docs/domain.md "School allocation"): student-proposing deferred acceptance
(Gale-Shapley). Every school orders the applicants who listed it by their key there: the
priority category they fall in at that school (1 first: for example a home owned in the
catchment), then the round's order, which is points descending, then the round's tie-break
chain, then one lottery number per applicant (single tie-breaking). The lottery number is
SHA-256 of "<seed>:<label>" (the label is the application's reference number), so anyone can
recompute their own number once the seed is revealed, and the result is the same for the same
seed, whatever order the input comes in.

Each applicant ends at the best school (in their own ranking) that any stable assignment can
give them: no applicant and school would both rather be matched to each other. Where every
school shares one order (one category for all), this is choosing in score order.

For every school the lowest admitted key is its cutoff. It explains each outcome: an
applicant not placed at a school they ranked above their placement has a key below that
school's cutoff, and the school is full.

Second round: the applicants left unplaced, in the round's order, each take the nearest school
of their own district that still has a seat (distance between community centroids).

The round's order is computed once; a key at a school is then (category, place in that order),
and the matching compares plain integers.
"""

from __future__ import annotations

import hashlib
import heapq
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from operator import attrgetter
from typing import Any, NamedTuple

LOTTERY_MASK = (1 << 63) - 1  # 63 bits: fits a signed 64-bit database column


def seed_hash(seed: str) -> str:
    """The SHA-256 hex digest of a lottery seed: published before the draw, checked after."""
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def lottery_number(seed: str, label: str) -> int:
    """The applicant's lottery number: the first 63 bits of SHA-256("<seed>:<label>"). Lower draws first."""
    digest = hashlib.sha256(f"{seed}:{label}".encode()).digest()
    return int.from_bytes(digest[:8], "big") & LOTTERY_MASK


class Key(NamedTuple):
    """An applicant's place in one school's order; smaller comes first."""

    category: int  # the priority category at that school, 1 first
    rank: int  # place in the round's order (points, tie-breaks, lottery), 1 first


@dataclass(frozen=True, slots=True)
class Applicant:
    """One applicant as the allocation sees them.

    `tie_breaks`: the round's tie-break values after points, each smaller-first (the caller
    negates those where more is better). `choices`: school ids, most wanted first;
    `categories[i]`: the priority category at `choices[i]`.
    """

    id: int
    points: Any  # a number (int, float or Decimal); more comes first
    tie_breaks: tuple[Any, ...]
    lottery_label: str
    choices: tuple[int, ...]
    categories: tuple[int, ...]


@dataclass(frozen=True)
class Allocation:
    """The first round's result."""

    placed: dict[int, int | None]  # applicant id -> school id, or None
    rank: dict[int, int]  # applicant id -> place in the round's order, 1 first
    lottery: dict[int, int]  # applicant id -> lottery number
    admitted: dict[int, list[int]]  # school id -> applicant ids, best key first
    cutoffs: dict[int, Key | None]  # school id -> lowest admitted key (None: nobody admitted)
    capacities: dict[int, int]

    def key_at(self, applicant: Applicant, school: int) -> Key:
        return Key(applicant.categories[applicant.choices.index(school)], self.rank[applicant.id])


def check_applicants(applicants: Sequence[Applicant], capacities: Mapping[int, int]) -> None:
    """Refuse input that has no single meaning: repeated ids or labels, unknown or repeated schools."""
    ids: set[int] = set()
    labels: set[str] = set()
    for a in applicants:
        if a.id in ids:
            raise ValueError(f"applicant {a.id} appears twice")
        if a.lottery_label in labels:
            raise ValueError(f"lottery label {a.lottery_label!r} appears twice")
        ids.add(a.id)
        labels.add(a.lottery_label)
        if len(a.choices) != len(a.categories):
            raise ValueError(f"applicant {a.id}: one category is needed per choice")
        if len(set(a.choices)) != len(a.choices):
            raise ValueError(f"applicant {a.id} lists a school twice")
        for school in a.choices:
            if school not in capacities:
                raise ValueError(f"applicant {a.id} lists unknown school {school}")
        if any(c < 1 for c in a.categories):
            raise ValueError(f"applicant {a.id}: categories start at 1")
    for school, seats in capacities.items():
        if seats < 0:
            raise ValueError(f"school {school} has negative capacity")


def round_order(applicants: Sequence[Applicant], *, seed: str) -> tuple[list[Applicant], dict]:
    """The applicants in the round's order (points descending, tie-breaks, lottery), and their numbers.

    Sorted one key at a time, least significant first (Python's sort is stable), which is
    several times faster than comparing composite tuples.
    """
    lottery = {a.id: lottery_number(seed, a.lottery_label) for a in applicants}
    ordered = sorted(applicants, key=attrgetter("lottery_label"))
    ordered.sort(key=lambda a: lottery[a.id])
    for position in reversed(range(max((len(a.tie_breaks) for a in applicants), default=0))):
        ordered.sort(key=lambda a, p=position: a.tie_breaks[p])
    ordered.sort(key=attrgetter("points"), reverse=True)
    return ordered, lottery


def allocate(
    applicants: Sequence[Applicant], capacities: Mapping[int, int], *, seed: str
) -> Allocation:
    """Student-proposing deferred acceptance with schools ordering by (category, round order).

    Applicants propose in the round's order and a displaced applicant proposes again at once;
    the outcome does not depend on the order of proposals (the student-optimal stable matching
    is unique), only on the keys. Deterministic for a given seed.
    """
    check_applicants(applicants, capacities)
    ordered, lottery = round_order(applicants, seed=seed)
    n = len(ordered) or 1
    choices = [a.choices for a in ordered]
    categories = [a.categories for a in ordered]
    capacity = dict(capacities)
    # A max-heap per school of the keys it holds, as negative integers category * n + index.
    held: dict[int, list[int]] = {school: [] for school in capacity}
    next_choice = [0] * len(ordered)
    waiting = list(range(len(ordered) - 1, -1, -1))
    heappush, heapreplace = heapq.heappush, heapq.heapreplace
    while waiting:
        i = waiting.pop()
        mine, cats = choices[i], categories[i]
        k = next_choice[i]
        while k < len(mine):
            school = mine[k]
            seats = capacity[school]
            key = cats[k] * n + i
            heap = held[school]
            if len(heap) < seats:
                heappush(heap, -key)
                break
            if seats and key < -heap[0]:
                displaced = -heapreplace(heap, -key) % n
                next_choice[displaced] += 1
                waiting.append(displaced)
                break
            k += 1
        next_choice[i] = k

    placed: dict[int, int | None] = {a.id: None for a in ordered}
    admitted: dict[int, list[int]] = {}
    cutoffs: dict[int, Key | None] = {}
    for school, heap in held.items():
        keys = sorted(-k for k in heap)
        admitted[school] = [ordered[k % n].id for k in keys]
        for applicant_id in admitted[school]:
            placed[applicant_id] = school
        cutoffs[school] = Key(keys[-1] // n, keys[-1] % n + 1) if keys else None
    return Allocation(
        placed=placed,
        rank={a.id: index + 1 for index, a in enumerate(ordered)},
        lottery=lottery,
        admitted=admitted,
        cutoffs=cutoffs,
        capacities=capacity,
    )


# --- explanations ------------------------------------------------------------------------------


class Outcome(StrEnum):
    PLACED = "placed"  # placed at this school
    BELOW_CUTOFF = "below_cutoff"  # the school filled with keys above this applicant's
    NO_SEATS = "no_seats"  # the school had no seats in this round
    NOT_NEEDED = "not_needed"  # ranked after the school the applicant was placed at


@dataclass(frozen=True)
class ChoiceResult:
    school: int
    outcome: Outcome
    key: Key
    cutoff: Key | None


def explain(applicant: Applicant, allocation: Allocation) -> list[ChoiceResult]:
    """For each school the applicant listed: placed, below the cutoff, no seats, or not needed."""
    placed_at = allocation.placed.get(applicant.id)
    results = []
    reached_placement = False
    for school, category in zip(applicant.choices, applicant.categories, strict=True):
        key = Key(category, allocation.rank[applicant.id])
        cutoff = allocation.cutoffs.get(school)
        if school == placed_at:
            outcome, reached_placement = Outcome.PLACED, True
        elif reached_placement:
            outcome = Outcome.NOT_NEEDED
        elif allocation.capacities.get(school, 0) == 0:
            outcome = Outcome.NO_SEATS
        else:
            outcome = Outcome.BELOW_CUTOFF
        results.append(ChoiceResult(school=school, outcome=outcome, key=key, cutoff=cutoff))
    return results


def blocking_pairs(
    applicants: Sequence[Applicant], allocation: Allocation
) -> list[tuple[int, int]]:
    """Pairs (applicant, school) that would both rather be matched to each other; empty when stable."""
    pairs = []
    for a in applicants:
        placed_at = allocation.placed[a.id]
        limit = a.choices.index(placed_at) if placed_at is not None else len(a.choices)
        for school, category in zip(a.choices[:limit], a.categories[:limit], strict=True):
            seats = allocation.capacities[school]
            if seats == 0:
                continue
            cutoff = allocation.cutoffs[school]
            if len(allocation.admitted[school]) < seats or (
                cutoff is not None and Key(category, allocation.rank[a.id]) < cutoff
            ):
                pairs.append((a.id, school))
    return pairs


# --- second round ------------------------------------------------------------------------------

Point = tuple[float, float]  # (longitude, latitude) in degrees


@dataclass(frozen=True, slots=True)
class Unplaced:
    """An applicant left without a seat: their place in the round's order, district and home."""

    id: int
    rank: int
    district: int
    home: Point | None


@dataclass(frozen=True, slots=True)
class OpenSchool:
    """A school with seats left after the first round."""

    id: int
    district: int
    location: Point | None
    seats: int


@dataclass(frozen=True)
class SecondPlacement:
    school: int | None
    distance_km: float | None


def distance_km(a: Point | None, b: Point | None) -> float:
    """Great-circle distance in kilometres (haversine); unknown places are infinitely far."""
    if a is None or b is None:
        return math.inf
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def second_round(
    unplaced: Iterable[Unplaced], schools: Iterable[OpenSchool]
) -> dict[int, SecondPlacement]:
    """Place the unplaced, in the round's order, each at the nearest school of their district with a seat.

    Equal distances go to the smaller school id; schools whose place is unknown come last.
    Seats only ever fill, so each home keeps a pointer into its list of schools by distance.
    """
    by_district: dict[int, list[OpenSchool]] = {}
    seats: dict[int, int] = {}
    for school in schools:
        if school.seats > 0:
            by_district.setdefault(school.district, []).append(school)
            seats[school.id] = school.seats
    nearest: dict[tuple[int, Point | None], list[tuple[float, int]]] = {}
    pointer: dict[tuple[int, Point | None], int] = {}
    result: dict[int, SecondPlacement] = {}
    for applicant in sorted(unplaced, key=lambda u: (u.rank, u.id)):
        home = (applicant.district, applicant.home)
        if home not in nearest:
            nearest[home] = sorted(
                (distance_km(applicant.home, s.location), s.id)
                for s in by_district.get(applicant.district, [])
            )
            pointer[home] = 0
        options, p = nearest[home], pointer[home]
        while p < len(options) and seats[options[p][1]] == 0:
            p += 1
        pointer[home] = p
        if p == len(options):
            result[applicant.id] = SecondPlacement(school=None, distance_km=None)
            continue
        distance, school_id = options[p]
        seats[school_id] -= 1
        result[applicant.id] = SecondPlacement(
            school=school_id, distance_km=None if math.isinf(distance) else round(distance, 2)
        )
    return result


def centroid(geometry: Mapping[str, Any] | None) -> Point | None:
    """The area-weighted centroid of a GeoJSON Polygon or MultiPolygon (outer rings), or None."""
    if not geometry:
        return None
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        rings = [coordinates[0]] if coordinates else []
    elif kind == "MultiPolygon":
        rings = [polygon[0] for polygon in coordinates or [] if polygon]
    else:
        return None
    total = cx = cy = 0.0
    points: list[tuple[float, float]] = []
    for ring in rings:
        ring_points = [(float(p[0]), float(p[1])) for p in ring]
        points.extend(ring_points)
        for (x0, y0), (x1, y1) in zip(ring_points, ring_points[1:] + ring_points[:1], strict=True):
            cross = x0 * y1 - x1 * y0
            total += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
    if not points:
        return None
    if abs(total) < 1e-15:
        return (
            sum(x for x, _ in points) / len(points),
            sum(y for _, y in points) / len(points),
        )
    return (cx / (3 * total), cy / (3 * total))
