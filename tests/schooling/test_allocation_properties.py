"""Properties of the allocation on random small instances.

The result is stable (no applicant and school would both rather be matched to each other),
is the student-optimal stable matching computed independently by the `matching` package
(HospitalResident, resident-optimal), is reproducible, and where every school shares one
order it equals choosing in score order.
"""

from __future__ import annotations

import warnings

from hypothesis import given, settings
from hypothesis import strategies as st
from matching.games import HospitalResident

from schooling.allocation import Applicant, Outcome, allocate, blocking_pairs, explain

SCHOOLS = st.integers(min_value=1, max_value=5)


@st.composite
def instances(draw, *, one_category: bool = False):
    n_schools = draw(SCHOOLS)
    schools = list(range(100, 100 + n_schools))
    capacities = {s: draw(st.integers(min_value=0, max_value=3)) for s in schools}
    n_applicants = draw(st.integers(min_value=0, max_value=12))
    applicants = []
    for i in range(n_applicants):
        choices = draw(
            st.lists(st.sampled_from(schools), min_size=1, max_size=min(5, n_schools), unique=True)
        )
        categories = [
            1 if one_category else draw(st.integers(min_value=1, max_value=3)) for _ in choices
        ]
        applicants.append(
            Applicant(
                id=i + 1,
                points=draw(st.integers(min_value=30, max_value=34)),  # many ties
                tie_breaks=(draw(st.integers(min_value=-2, max_value=0)),),
                lottery_label=f"RX-{i + 1}",
                choices=tuple(choices),
                categories=tuple(categories),
            )
        )
    seed = draw(st.text(min_size=1, max_size=8))
    return applicants, capacities, seed


def reference_matching(applicants, capacities, result):
    """The resident-optimal stable matching of the `matching` package for the same preferences."""
    # A school without seats is the same as one nobody can list (the package needs capacity >= 1).
    open_schools = {s: c for s, c in capacities.items() if c > 0}
    resident_prefs = {
        f"a{a.id}": [f"s{s}" for s in a.choices if s in open_schools] for a in applicants
    }
    resident_prefs = {name: prefs for name, prefs in resident_prefs.items() if prefs}
    listed = {s: [] for s in open_schools}
    for a in applicants:
        for s, category in zip(a.choices, a.categories, strict=True):
            if s in open_schools:
                listed[s].append(((category, result.rank[a.id]), f"a{a.id}"))
    hospital_prefs = {f"s{s}": [name for _, name in sorted(keyed)] for s, keyed in listed.items()}
    placed = {a.id: None for a in applicants}
    if not resident_prefs:
        return placed
    game = HospitalResident.create_from_dictionaries(
        resident_prefs, hospital_prefs, {f"s{s}": c for s, c in open_schools.items()}
    )
    matched = game.solve(optimal="resident")
    for hospital, residents in matched.items():
        for resident in residents:
            placed[int(resident.name[1:])] = int(hospital.name[1:])
    return placed


@settings(max_examples=300, deadline=None)
@given(instances())
def test_the_result_is_stable(instance):
    applicants, capacities, seed = instance

    result = allocate(applicants, capacities, seed=seed)

    assert blocking_pairs(applicants, result) == []
    for school, admitted in result.admitted.items():
        assert len(admitted) <= capacities[school]


@settings(max_examples=300, deadline=None)
@given(instances())
def test_the_result_is_the_student_optimal_stable_matching_of_the_reference_package(instance):
    applicants, capacities, seed = instance
    result = allocate(applicants, capacities, seed=seed)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the package warns about schools nobody listed
        expected = reference_matching(applicants, capacities, result)

    assert result.placed == expected


@settings(max_examples=100, deadline=None)
@given(instances(), st.randoms(use_true_random=False))
def test_the_same_seed_reproduces_the_result_from_any_input_order(instance, rnd):
    applicants, capacities, seed = instance
    shuffled = list(applicants)
    rnd.shuffle(shuffled)

    first = allocate(applicants, capacities, seed=seed)
    second = allocate(shuffled, capacities, seed=seed)

    assert first.placed == second.placed
    assert first.cutoffs == second.cutoffs
    assert first.rank == second.rank


@settings(max_examples=200, deadline=None)
@given(instances(one_category=True))
def test_one_shared_order_is_choosing_in_score_order(instance):
    applicants, capacities, seed = instance
    result = allocate(applicants, capacities, seed=seed)

    seats = dict(capacities)
    chosen = {}
    for a in sorted(applicants, key=lambda a: result.rank[a.id]):
        chosen[a.id] = next((s for s in a.choices if seats[s] > 0), None)
        if chosen[a.id] is not None:
            seats[chosen[a.id]] -= 1

    assert result.placed == chosen


@settings(max_examples=200, deadline=None)
@given(instances())
def test_every_choice_above_the_placement_is_explained_by_a_full_school_with_a_higher_cutoff(
    instance,
):
    applicants, capacities, seed = instance
    result = allocate(applicants, capacities, seed=seed)

    for a in applicants:
        for choice in explain(a, result):
            if choice.outcome == Outcome.BELOW_CUTOFF:
                assert len(result.admitted[choice.school]) == capacities[choice.school]
                assert choice.cutoff is not None
                assert choice.key > choice.cutoff
            if choice.outcome == Outcome.PLACED:
                assert choice.key <= result.cutoffs[choice.school]
