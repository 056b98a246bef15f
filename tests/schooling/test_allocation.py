"""The allocation engine on hand-made cases: categories, points, tie-breaks, lottery, cutoffs, second round."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest

from schooling.allocation import (
    Applicant,
    Key,
    OpenSchool,
    Outcome,
    Unplaced,
    allocate,
    blocking_pairs,
    centroid,
    distance_km,
    explain,
    lottery_number,
    second_round,
    seed_hash,
)

X, Y, Z = 1, 2, 3


def applicant(id, points, choices, categories=None, tie_breaks=()):
    return Applicant(
        id=id,
        points=Decimal(points),
        tie_breaks=tuple(tie_breaks),
        lottery_label=f"RX-2026-{id:06d}",
        choices=tuple(choices),
        categories=tuple(categories or [3] * len(choices)),
    )


def test_higher_points_win_when_categories_are_equal():
    applicants = [applicant(1, "80", [X, Y]), applicant(2, "90", [X, Y])]

    result = allocate(applicants, {X: 1, Y: 1}, seed="s")

    assert result.placed == {2: X, 1: Y}
    assert result.rank == {2: 1, 1: 2}


def test_a_better_category_beats_more_points_at_that_school_only():
    # 1 owns a home in X's catchment (category 1 there), 2 has more points but no priority.
    applicants = [
        applicant(1, "60", [X, Y], categories=[1, 3]),
        applicant(2, "99", [X, Y], categories=[3, 3]),
    ]

    result = allocate(applicants, {X: 1, Y: 1}, seed="s")

    assert result.placed == {1: X, 2: Y}
    assert result.cutoffs[X] == Key(category=1, rank=2)


@pytest.mark.parametrize(
    ("categories", "winner"),
    [
        ((1, 2), 1),  # owned in catchment beats rented in catchment
        ((2, 1), 2),
        ((2, 3), 1),  # rented in catchment beats no priority
        ((3, 2), 2),
        ((1, 3), 1),  # owned beats no priority
    ],
)
def test_each_priority_category_comes_before_the_next(categories, winner):
    # Applicant 2 always has more points; only the categories at X decide.
    applicants = [
        applicant(1, "50", [X], categories=[categories[0]]),
        applicant(2, "90", [X], categories=[categories[1]]),
    ]

    result = allocate(applicants, {X: 1}, seed="s")

    assert result.admitted[X] == [winner]


def test_a_tie_break_decides_equal_points_before_the_lottery():
    # Same points; applicant 1 has held the permit longer (tie-break value -36 < -12).
    applicants = [
        applicant(1, "80", [X], tie_breaks=[-36]),
        applicant(2, "80", [X], tie_breaks=[-12]),
    ]
    for seed in ("a", "b", "c", "d"):
        assert allocate(applicants, {X: 1}, seed=seed).admitted[X] == [1]


def test_a_full_tie_is_broken_by_the_seed():
    applicants = [applicant(i, "80", [X]) for i in range(1, 9)]
    winners = {allocate(applicants, {X: 1}, seed=f"seed-{n}").admitted[X][0] for n in range(40)}

    assert len(winners) > 1  # different seeds, different winners
    for n in range(5):
        seed = f"seed-{n}"
        expected = min(applicants, key=lambda a: lottery_number(seed, a.lottery_label)).id
        assert allocate(applicants, {X: 1}, seed=seed).admitted[X] == [expected]


def test_the_same_seed_gives_the_same_result_whatever_the_input_order():
    applicants = [
        applicant(i, str(70 + i % 4), [X, Y, Z][i % 3 :] + [X, Y, Z][: i % 3], [1 + i % 3] * 3)
        for i in range(1, 31)
    ]
    first = allocate(applicants, {X: 4, Y: 5, Z: 3}, seed="fixed")
    again = allocate(list(reversed(applicants)), {Z: 3, Y: 5, X: 4}, seed="fixed")

    assert first.placed == again.placed
    assert first.cutoffs == again.cutoffs
    assert first.lottery == again.lottery


def test_the_lottery_number_is_the_published_formula():
    digest = hashlib.sha256(b"abc:RX-2026-000001").digest()
    expected = int.from_bytes(digest[:8], "big") & ((1 << 63) - 1)
    assert lottery_number("abc", "RX-2026-000001") == expected
    assert 0 <= lottery_number("abc", "x") < 2**63
    assert seed_hash("abc") == hashlib.sha256(b"abc").hexdigest()


def test_a_displaced_applicant_moves_on_to_their_next_choice():
    # 1 holds X until 2 (category 1 at X) arrives; 1 then takes Y.
    applicants = [
        applicant(1, "90", [X, Y], categories=[3, 3]),
        applicant(2, "50", [X], categories=[1]),
        applicant(3, "40", [Y], categories=[3]),
    ]

    result = allocate(applicants, {X: 1, Y: 1}, seed="s")

    assert result.placed == {1: Y, 2: X, 3: None}
    assert blocking_pairs(applicants, result) == []


def test_cutoffs_explain_every_choice():
    applicants = [
        applicant(1, "95", [X, Y, Z]),
        applicant(2, "90", [X, Y, Z]),
        applicant(3, "85", [X, Y, Z]),
        applicant(4, "80", [X, Y]),
    ]

    result = allocate(applicants, {X: 1, Y: 1, Z: 0}, seed="s")
    third = explain(applicants[2], result)
    fourth = explain(applicants[3], result)

    assert result.cutoffs == {X: Key(3, 1), Y: Key(3, 2), Z: None}
    assert [(c.school, c.outcome) for c in third] == [
        (X, Outcome.BELOW_CUTOFF),
        (Y, Outcome.BELOW_CUTOFF),
        (Z, Outcome.NO_SEATS),
    ]
    assert third[0].key == Key(3, 3)
    assert third[0].key > third[0].cutoff
    assert [c.outcome for c in explain(applicants[0], result)] == [
        Outcome.PLACED,
        Outcome.NOT_NEEDED,
        Outcome.NOT_NEEDED,
    ]
    assert [c.outcome for c in fourth] == [Outcome.BELOW_CUTOFF, Outcome.BELOW_CUTOFF]


def test_schools_sharing_one_order_reduce_to_choosing_in_score_order():
    applicants = [
        applicant(1, "70", [Y, X]),
        applicant(2, "95", [X, Y]),
        applicant(3, "90", [X, Z]),
        applicant(4, "80", [X, Y, Z]),
    ]

    result = allocate(applicants, {X: 1, Y: 1, Z: 1}, seed="s")

    # 2 picks X; 3 then takes Z (X full); 4 takes Y; 1 finds Y and X full.
    assert result.placed == {2: X, 3: Z, 4: Y, 1: None}


def test_input_without_one_meaning_is_refused():
    with pytest.raises(ValueError, match="twice"):
        allocate([applicant(1, "1", [X, X])], {X: 1}, seed="s")
    with pytest.raises(ValueError, match="unknown school"):
        allocate([applicant(1, "1", [Y])], {X: 1}, seed="s")
    with pytest.raises(ValueError, match="appears twice"):
        allocate([applicant(1, "1", [X]), applicant(1, "2", [X])], {X: 1}, seed="s")


# --- second round ---------------------------------------------------------------------------

HOME = (121.10, 28.05)
NEAR, FAR = (121.11, 28.05), (121.30, 28.05)


def test_second_round_places_the_best_ranked_first_at_the_nearest_school_of_their_district():
    unplaced = [
        Unplaced(id=1, rank=9, district=10, home=HOME),
        Unplaced(id=2, rank=3, district=10, home=HOME),
        Unplaced(id=3, rank=5, district=10, home=HOME),
        Unplaced(id=4, rank=1, district=20, home=HOME),
    ]
    schools = [
        OpenSchool(id=X, district=10, location=FAR, seats=5),
        OpenSchool(id=Y, district=10, location=NEAR, seats=1),
        OpenSchool(id=Z, district=30, location=HOME, seats=9),
    ]

    result = second_round(unplaced, schools)

    assert result[2].school == Y  # the best ranked gets the nearest
    assert result[3].school == X
    assert result[1].school == X
    assert result[4].school is None  # no school with seats in their district
    assert result[2].distance_km == pytest.approx(0.98, abs=0.05)


def test_second_round_puts_schools_with_unknown_places_last():
    result = second_round(
        [Unplaced(id=1, rank=1, district=10, home=HOME)],
        [
            OpenSchool(id=X, district=10, location=None, seats=1),
            OpenSchool(id=Y, district=10, location=FAR, seats=1),
        ],
    )
    assert result[1].school == Y


def test_centroid_of_rectangles_and_distance():
    square = {"type": "Polygon", "coordinates": [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]]}
    two = {
        "type": "MultiPolygon",
        "coordinates": [
            [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]],
            [[[2, 0], [3, 0], [3, 1], [2, 1], [2, 0]]],
        ],
    }

    assert centroid(square) == pytest.approx((1.0, 1.0))
    assert centroid(two) == pytest.approx((1.5, 0.5))
    assert centroid(None) is None
    assert centroid({"type": "Point", "coordinates": [1, 2]}) is None
    # one degree of latitude is about 111 km
    assert distance_km((121.0, 28.0), (121.0, 29.0)) == pytest.approx(111.2, abs=0.2)
