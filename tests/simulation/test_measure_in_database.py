"""The day's measure in one query agrees with the pure comparison of truth and registry."""

from __future__ import annotations

from residents.models import Registration
from residents.simulation import measure, runner
from residents.simulation.params import Params


def test_the_one_query_measure_agrees_with_the_pure_comparison(tmp_path, db):
    simulation = runner.simulate(
        persons=250, days=3, seed=5, params=Params(), workdir=tmp_path, write=lambda _line: None
    )
    person_ids, address_ids = simulation.truth_in_registry_terms()
    registry = {
        simulation.index_of[person_id]: simulation.position_of.get(address_id, -2)
        for person_id, address_id in Registration.objects.filter(
            person_id__in=[p for p in person_ids if p is not None], end_date__isnull=True
        ).values_list("person_id", "address_id")
    }
    pure = measure.compare(simulation.city.addr, registry)

    assert measure.compare_in_database(person_ids, address_ids) == pure
    assert pure.wrong  # the registry is imperfect, so the comparison is put to work
    # Never seen by the registry and not in the city: right; seen nowhere but living here: missed.
    unseen = measure.compare_in_database([None, None], [None, simulation.places.address_ids[0]])
    assert (unseen.correct, unseen.missed_arrivals, unseen.wrong) == (1, 1, frozenset({1}))
