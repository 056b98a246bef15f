"""The pure ranking and offer engine: order by points, then the rules' tie-breaks, then lottery; offers by type."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from housing import allocation
from housing.models import lottery_key, seed_hash

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def test_points_then_the_tie_break_sub_scores_then_the_lottery_decide():
    candidates = [
        (1, Decimal("40"), (10.0, 5.0), None, "b"),
        (2, Decimal("55"), (0.0, 0.0), None, "z"),
        (3, Decimal("40"), (10.0, 7.0), None, "z"),
        (4, Decimal("40"), (10.0, 5.0), None, "a"),
        (5, Decimal("40"), (20.0, 0.0), None, "y"),
    ]
    assert allocation.rank(candidates) == [2, 5, 3, 4, 1]


def test_submission_time_counts_only_where_the_rules_name_it():
    # without the time (None), the lottery decides a tie, not a microsecond earlier submission
    untimed = [(1, Decimal("40"), (), None, "b"), (2, Decimal("40"), (), None, "a")]
    assert allocation.rank(untimed) == [2, 1]
    timed = [(1, Decimal("40"), (), at(0), "b"), (2, Decimal("40"), (), at(1), "a")]
    assert allocation.rank(timed) == [1, 2]


def test_an_unscored_applicant_is_not_ranked_nor_one_below_the_minimum():
    candidates = [
        (1, None, (), None, "a"),
        (2, Decimal("0.5"), (), None, "z"),
        (3, Decimal("29.99"), (), None, "b"),
        (4, Decimal("30"), (), None, "c"),
    ]
    assert allocation.rank(candidates) == [4, 3, 2]
    assert allocation.rank(candidates, min_points=Decimal("30")) == [4]


def test_the_lottery_number_is_reproducible_from_the_revealed_seed():
    seed = "ab" * 32
    assert len(seed_hash(seed)) == 64
    assert lottery_key(seed, 7) == lottery_key(seed, 7)
    assert lottery_key(seed, 7) != lottery_key(seed, 8)
    assert lottery_key(seed, 7) != lottery_key("cd" * 32, 7)


def test_units_go_in_rank_order_to_applicants_of_their_type_and_the_rest_wait():
    applicants = [(10, "one"), (11, "two"), (12, "one"), (13, "one"), (14, "two")]
    units = [(1, "one"), (2, "one"), (3, "two")]
    assert allocation.allocate(applicants, units) == [(1, 10), (3, 11), (2, 12)]


def test_no_units_or_no_applicants_make_no_offers():
    assert allocation.allocate([], [(1, "one")]) == []
    assert allocation.allocate([(1, "one")], []) == []
    assert allocation.allocate([(1, "one")], [(1, "two")]) == []


TYPES = st.sampled_from(["studio", "one", "two"])


@given(
    applicants=st.lists(TYPES, max_size=40),
    units=st.lists(TYPES, max_size=30),
)
def test_each_unit_and_applicant_once_types_match_and_the_best_ranked_of_each_type_are_served(
    applicants, units
):
    ranked = list(enumerate(applicants, start=100))
    free = list(enumerate(units, start=1))
    pairs = allocation.allocate(ranked, free)

    served = [a for _u, a in pairs]
    given_out = [u for u, _a in pairs]
    assert len(set(served)) == len(served)
    assert len(set(given_out)) == len(given_out)
    unit_type = dict(free)
    applicant_type = dict(ranked)
    assert all(unit_type[u] == applicant_type[a] for u, a in pairs)
    supply = Counter(units)
    for kind in set(applicants):
        of_kind = [a for a, t in ranked if t == kind]
        assert [a for a in served if applicant_type[a] == kind] == of_kind[: supply[kind]]
