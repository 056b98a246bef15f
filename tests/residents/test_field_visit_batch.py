"""A day's visits recorded in one batch (record_visits): the same registry as one by one,
every problem of every visit named at once, each visit scoped to its own officer's grids."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import transaction
from django.utils import timezone

from portal.errors import InvalidInput, NotAllowed, NotFound
from residents import services
from residents.models import FieldTask, Person, Registration, TaskKind, TaskStatus, Visit
from residents.services import Arrival, Departure, VisitInput
from tests import factories
from tests.residents.conftest import make_person, register

NEWCOMER = factories.make_id_number(birth=dt.date(1996, 4, 2), seq=83)


@pytest.fixture
def officer_b(grid_b):
    return factories.officer(grids=[grid_b], username="officer_b")


@pytest.fixture
def street(grid_a, grid_b):
    """Two addresses in grid_a, one in grid_b, and who is registered where."""
    a1, a2 = factories.AddressFactory(grid=grid_a), factories.AddressFactory(grid=grid_a)
    b1 = factories.AddressFactory(grid=grid_b)
    people = {}
    for seq, (name, address) in enumerate(
        [("王芳", a1), ("张伟", a1), ("刘洋", a2), ("陈静", b1)], start=40
    ):
        user = factories.UserFactory(username=f"batch_{seq}")
        people[name] = make_person(user, seq=seq, name=name)
        register(user, people[name], address)
    task = services.raise_field_task(
        kind=TaskKind.FOLLOW_UP, address=a1, due_date=timezone.localdate(), source="housing"
    )
    return {"a1": a1, "a2": a2, "b1": b1, "people": people, "task": task}


def day_of_visits(street, officer_a, officer_b) -> list[VisitInput]:
    """At a1 王芳 is home, 张伟 has left and 刘洋 (registered at a2) now lives; at a2 a
    newcomer lives; nobody is home at b1."""
    p, today = street["people"], timezone.localdate()
    return [
        VisitInput(
            actor=officer_a,
            client_id=uuid.uuid4(),
            address_id=street["a1"].pk,
            outcome="done",
            present=[p["王芳"].pk],
            departures=[Departure(person_id=p["张伟"].pk, end_date=today)],
            arrivals=[Arrival(name="刘洋", id_number=p["刘洋"].id_number, start_date=today)],
            task_findings={street["task"].pk: "住户确认"},
        ),
        VisitInput(
            actor=officer_a,
            client_id=uuid.uuid4(),
            address_id=street["a2"].pk,
            outcome="done",
            arrivals=[Arrival(name="赵新", id_number=NEWCOMER, start_date=today)],
        ),
        VisitInput(
            actor=officer_b,
            client_id=uuid.uuid4(),
            address_id=street["b1"].pk,
            outcome="nobody_home",
        ),
    ]


def registry() -> dict:
    """The registry and the task list, without ids the database hands out."""
    return {
        "registrations": sorted(
            Registration.objects.values_list(
                "person__id_hash", "address_id", "start_date", "end_date", "source"
            ),
            key=str,
        ),
        "tasks": sorted(
            FieldTask.objects.values_list("address_id", "kind", "status", "finding", "due_date"),
            key=str,
        ),
        "findings": sorted(
            Visit.objects.values_list(
                "address_id", "outcome", "entries__person__id_hash", "entries__finding"
            ),
            key=str,
        ),
        "persons": sorted(Person.objects.values_list("id_hash", "name")),
    }


def test_a_batch_gives_the_registry_the_visits_give_one_by_one(street, officer_a, officer_b):
    visits = day_of_visits(street, officer_a, officer_b)
    with transaction.atomic():
        for one in visits:
            services.record_visit(
                actor=one.actor,
                client_id=one.client_id,
                address_id=one.address_id,
                outcome=one.outcome,
                present=one.present,
                arrivals=one.arrivals,
                departures=one.departures,
                task_findings=one.task_findings,
            )
        one_by_one = registry()
        transaction.set_rollback(True)

    results = services.record_visits(visits)

    assert registry() == one_by_one
    assert [new for _visit, new in results] == [True, True, True]
    assert [v.client_id for v, _new in results] == [one.client_id for one in visits]
    street["task"].refresh_from_db()
    assert (street["task"].status, street["task"].finding) == (TaskStatus.CLOSED, "住户确认")
    assert FieldTask.objects.filter(
        address=street["b1"], kind=TaskKind.REVISIT, status=TaskStatus.OPEN
    ).exists()
    # Sent again, the batch returns the visits first recorded and writes nothing.
    again = services.record_visits(visits)
    assert [new for _visit, new in again] == [False, False, False]
    assert registry() == one_by_one


def test_every_problem_of_every_visit_is_named_at_once_and_nothing_is_written(
    street, officer_a, officer_b
):
    p = street["people"]
    with pytest.raises(InvalidInput) as caught:
        services.record_visits(
            [
                VisitInput(
                    actor=officer_a, client_id=uuid.uuid4(), address_id=street["a1"].pk, outcome=""
                ),
                VisitInput(
                    actor=officer_a,
                    client_id=uuid.uuid4(),
                    address_id=street["a2"].pk,
                    outcome="done",
                ),
                VisitInput(
                    actor=officer_b,
                    client_id=uuid.uuid4(),
                    address_id=street["b1"].pk,
                    outcome="done",
                    task_ids=[street["task"].pk],
                    note="x" * 2001,
                ),
            ]
        )
    assert set(caught.value.fields) == {
        "visits.0.outcome",
        "visits.1.visit",
        "visits.2.note",
        f"visits.2.task_findings.{street['task'].pk}",
    }

    with pytest.raises(InvalidInput) as caught:
        services.record_visits(
            [
                VisitInput(
                    actor=officer_a,
                    client_id=uuid.uuid4(),
                    address_id=street["a2"].pk,
                    outcome="done",
                    present=[p["王芳"].pk],  # registered at a1, not a2
                ),
                VisitInput(
                    actor=officer_a,
                    client_id=uuid.uuid4(),
                    address_id=street["a1"].pk,
                    outcome="done",
                    arrivals=[Arrival(name="赵新", id_number="123")],
                ),
            ]
        )
    assert set(caught.value.fields) == {"visits.0.present", "visits.1.arrivals.0.id_number"}
    assert not Visit.objects.exists()


def test_each_visit_is_scoped_to_its_own_officers_grids(street, officer_a, officer_b):
    mine = VisitInput(
        actor=officer_a, client_id=uuid.uuid4(), address_id=street["a1"].pk, outcome="nobody_home"
    )
    # officer_b's address visited by officer_a: not found, and the valid visit is not kept.
    with pytest.raises(NotFound):
        services.record_visits(
            [
                mine,
                VisitInput(
                    actor=officer_a,
                    client_id=uuid.uuid4(),
                    address_id=street["b1"].pk,
                    outcome="nobody_home",
                ),
            ]
        )
    # A person registered in another grid named at officer_a's address: not found.
    with pytest.raises(NotFound):
        services.record_visits(
            [
                VisitInput(
                    actor=officer_a,
                    client_id=uuid.uuid4(),
                    address_id=street["a1"].pk,
                    outcome="done",
                    departures=[Departure(person_id=street["people"]["陈静"].pk)],
                )
            ]
        )
    # Someone who is not a grid officer: not allowed.
    with pytest.raises(NotAllowed):
        services.record_visits(
            [mine, VisitInput(**{**mine.__dict__, "actor": factories.UserFactory(username="x")})]
        )
    assert not Visit.objects.exists()
    assert not FieldTask.objects.filter(kind=TaskKind.REVISIT).exists()
