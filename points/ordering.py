"""The order of a ranking by points: one rule for every ranked list (points ranking lists,
affordable-housing rounds). Pure functions over plain tuples.

More points first, then the rule set's tie-breaks in their order (higher sub-scores first;
the Zhongshan set: quality, insurance, residence), then the time of application only where
the rules name it ("applied_at" among the service's tie-breaks), then a lottery number where
the list draws one (housing rounds, from the round's committed seed). Candidates the rules
cannot tell apart stand level: `standing` is equal for them, and a list that shows ranks
gives them the same rank.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

from points.engine import APPLIED_AT

ZERO = Decimal(0)
_NO_TIME = dt.datetime.min.replace(tzinfo=dt.UTC)

# (id, points or None, tie-break values (higher first), time of application or None when the
# rules do not name it, lottery number or "" when the list draws none)
Candidate = tuple[int, Decimal | float | None, tuple[float, ...], dt.datetime | None, str]


def tie_values(
    subscores: Mapping[str, float] | None, tie_break: Sequence[str]
) -> tuple[float, ...]:
    """The sub-scores the tie-breaks name, in their order (the time of application apart)."""
    subs = subscores or {}
    return tuple(float(subs.get(code, 0.0)) for code in tie_break if code != APPLIED_AT)


def applied_at_if_named(applied_at: dt.datetime | None, tie_break: Sequence[str]):
    """The time of application where the rules name it as a tie-break, else None."""
    return applied_at if APPLIED_AT in tie_break else None


def standing(candidate: Candidate) -> tuple:
    """Everything the rules rank by: equal for candidates the rules cannot tell apart."""
    _id, points, ties, applied_at, lottery = candidate
    return (
        -(points or ZERO),
        tuple(-value for value in ties),
        applied_at or _NO_TIME,
        lottery,
    )


def rank_key(candidate: Candidate) -> tuple:
    """The sort key: the standing, then the id (only to list level candidates steadily)."""
    return (*standing(candidate), candidate[0])


def ranks(candidates: Sequence[Candidate]) -> list[tuple[Candidate, int]]:
    """The candidates in order with their rank; level candidates share one (1, 1, 3)."""
    ordered = sorted(candidates, key=rank_key)
    ranked: list[tuple[Candidate, int]] = []
    for position, candidate in enumerate(ordered, start=1):
        if ranked and standing(ranked[-1][0]) == standing(candidate):
            ranked.append((candidate, ranked[-1][1]))
        else:
            ranked.append((candidate, position))
    return ranked
