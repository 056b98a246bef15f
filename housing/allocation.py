"""The ranking and offer engine of an affordable-housing round: pure functions over plain tuples.

Ranking (docs/domain.md "Affordable rental housing"; Zhongshan queues public rental housing by
points): more housing points first, then the rule set's tie-breaks in their order (higher
sub-scores first; the Zhongshan set: quality, insurance, residence), then the time of
application only where the rules name it ("applied_at" among the tie-breaks), then the lower
lottery number (derived from the round's committed seed, models.lottery_key). Applicants
without a score, or below the round's minimum points, are not ranked. The order is
points.ordering's, the one every ranked list follows.

Allocation: in rank order, each applicant is offered the next free unit of the type they
applied for; an applicant whose type has run out waits (a decline or lapse may pass a unit
on later). Units of one type are offered in the order given (by label).

No database here: the services read tuples, call these functions and write the result in
one bulk statement.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from decimal import Decimal

from points.ordering import ZERO, Candidate, rank_key  # noqa: F401 - the one ranking order


def rank(candidates: Iterable[Candidate], *, min_points: Decimal | None = None) -> list[int]:
    """The application ids in rank order (first = rank 1). Unscored applicants (points None)
    and those below `min_points` are not ranked."""
    return [
        c[0]
        for c in sorted(candidates, key=rank_key)
        if c[1] is not None and (min_points is None or c[1] >= min_points)
    ]


def allocate(
    applicants: Sequence[tuple[int, str]], units: Sequence[tuple[int, str]]
) -> list[tuple[int, int]]:
    """Pair free units with applicants: `applicants` are (application id, unit type) in rank
    order, `units` (unit id, unit type) in the order they are given out. Returns
    (unit id, application id) pairs, best-ranked first. Each unit and each applicant appears
    at most once."""
    free: dict[str, deque[int]] = defaultdict(deque)
    for unit_id, unit_type in units:
        free[unit_type].append(unit_id)
    pairs: list[tuple[int, int]] = []
    remaining = len(units)
    for application_id, unit_type in applicants:
        if not remaining:
            break
        queue = free.get(unit_type)
        if queue:
            pairs.append((queue.popleft(), application_id))
            remaining -= 1
    return pairs
