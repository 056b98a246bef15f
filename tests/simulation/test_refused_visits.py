"""A visit the services refuse does not cost the day's batch: the others are recorded in one
batch, the refused one is kept with a note (as an officer would), and it is counted."""

from __future__ import annotations

import random
import uuid
from types import SimpleNamespace

from residents.models import Visit
from residents.services import Arrival, VisitInput
from residents.simulation import runner
from tests import factories


def test_a_refused_visit_is_kept_with_a_note_and_the_rest_of_the_batch_is_recorded(
    officer_a, address_a, monkeypatch
):
    sizes = []
    record_visits = runner.field.record_visits

    def spy(batch):
        sizes.append(len(batch))
        return record_visits(batch)

    monkeypatch.setattr(runner.field, "record_visits", spy)
    simulation = runner.Simulation.__new__(runner.Simulation)
    simulation.refused = 0
    simulation.officer_rng = random.Random(1)
    simulation.run = SimpleNamespace(pk=1)
    good = [
        VisitInput(
            actor=officer_a,
            client_id=uuid.uuid4(),
            address_id=factories.AddressFactory(grid=address_a.grid).pk,
            outcome="nobody_home",
        )
        for _ in range(2)
    ]
    bad = VisitInput(
        actor=officer_a,
        client_id=uuid.uuid4(),
        address_id=address_a.pk,
        outcome="done",
        arrivals=[Arrival(name="赵新", id_number="123")],
    )

    simulation._record_batch([good[0], bad, good[1]])

    assert sizes == [3, 2, 1, 1]  # the day, the day without the refused visit, it and its note
    assert simulation.refused == 1
    assert Visit.objects.filter(client_id__in=[v.client_id for v in good]).count() == 2
    assert not Visit.objects.filter(client_id=bad.client_id).exists()
    kept = Visit.objects.get(address=address_a)
    assert kept.note == "Residents could not all be recorded."
