"""Registrations written in batches (record_residences, end_registrations): the same registry
as the same rows one by one, every problem of every row named at once, nothing written when
one row is refused, a query count that does not grow with the batch, each row scoped to its
own actor."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.errors import InvalidInput, NotFound, TransitionNotAllowed
from residents import services
from residents.models import Permit, PermitStatus, Registration
from residents.services import Arrival, VisitInput
from residents.services.registrations import (
    Ending,
    Residence,
    end_registrations,
    record_residences,
)
from tests import factories
from tests.residents.conftest import id_number, months_ago


@pytest.fixture
def officer_b(grid_b):
    return factories.officer(grids=[grid_b], username="officer_b")


@pytest.fixture
def town(officer_a, grid_a):
    """Three addresses of grid_a; five persons met in the field, the first two registered at a1."""
    addresses = [factories.AddressFactory(grid=grid_a) for _ in range(3)]
    people = [
        services.create_person_in_field(
            actor=officer_a, name=f"居民{i}", id_number=id_number(60 + i)
        )
        for i in range(5)
    ]
    for person in people[:2]:
        factories.verified(
            services.register_residence(
                actor=officer_a,
                person_id=person.pk,
                address_id=addresses[0].pk,
                start_date=months_ago(8),
                reason="work",
            )
        )
    return {"addresses": addresses, "people": people}


def registry() -> list:
    """Every registration, current and past, without the ids the database hands out."""
    return sorted(
        Registration.objects.values_list(
            "person_id",
            "address_id",
            "start_date",
            "end_date",
            "reason",
            "source",
            "registered_by_id",
            "counted_from",
        ),
        key=str,
    )


def arrivals(town, officer_a) -> list[Residence]:
    """Two moves within grid_a, a late declaration and an arrival of today."""
    a, p, today = town["addresses"], town["people"], timezone.localdate()
    return [
        Residence(
            actor=officer_a,
            person_id=p[0].pk,
            address_id=a[1].pk,
            start_date=today - dt.timedelta(days=3),
            reason="work",
            moving=True,
            prefix="items.0.",
        ),
        Residence(
            actor=officer_a,
            person_id=p[1].pk,
            address_id=a[2].pk,
            start_date=today,
            reason="family",
            moving=True,
            prefix="items.1.",
        ),
        Residence(
            actor=officer_a,
            person_id=p[2].pk,
            address_id=a[1].pk,
            start_date=months_ago(3),
            reason="work",
            prefix="items.2.",
        ),
        Residence(
            actor=officer_a,
            person_id=p[3].pk,
            address_id=a[2].pk,
            start_date=today,
            reason="study",
            prefix="items.3.",
        ),
    ]


def test_a_batch_of_arrivals_writes_the_rows_the_same_arrivals_write_one_by_one(town, officer_a):
    rows = arrivals(town, officer_a)
    with transaction.atomic():
        for row in rows:
            services.register_residence(
                actor=row.actor,
                person_id=row.person_id,
                address_id=row.address_id,
                start_date=row.start_date,
                reason=row.reason,
                moving=row.moving,
            )
        one_by_one = registry()
        transaction.set_rollback(True)

    made = record_residences(rows)

    assert registry() == one_by_one
    assert [r.person_id for r in made] == [row.person_id for row in rows]
    assert [r.is_late for r in made] == [False, False, True, False]


def test_a_batch_of_departures_ends_and_cancels_as_one_by_one(
    resident, me, registered, permit, officer_a, town
):
    today = timezone.localdate()
    ids = [
        registered.pk,
        *Registration.objects.filter(person__in=town["people"][:2]).values_list("pk", flat=True),
    ]
    rows = [Ending(actor=officer_a, registration_id=pk, end_date=today) for pk in ids]

    def permits() -> list:
        return list(Permit.objects.values_list("pk", "status", "cancelled_on", "cancel_reason"))

    with transaction.atomic():
        for row in rows:
            services.end_registration(
                actor=row.actor, registration_id=row.registration_id, end_date=row.end_date
            )
        one_by_one = (registry(), permits())
        transaction.set_rollback(True)

    ended = end_registrations(rows)

    assert (registry(), permits()) == one_by_one
    assert [r.pk for r in ended] == ids
    assert Permit.objects.get(pk=permit.pk).status == PermitStatus.CANCELLED


def test_every_problem_of_every_row_is_named_at_once(town, officer_a):
    a, p, today = town["addresses"], town["people"], timezone.localdate()
    with pytest.raises(InvalidInput) as caught:
        record_residences(
            [
                Residence(
                    actor=officer_a,
                    person_id=p[2].pk,
                    address_id=a[1].pk,
                    start_date=today + dt.timedelta(days=1),
                    reason="work",
                    prefix="items.0.",
                ),
                Residence(
                    actor=officer_a,
                    person_id=p[3].pk,
                    address_id=a[1].pk,
                    start_date=today,
                    reason="holiday",
                    prefix="items.1.",
                ),
            ]
        )
    assert set(caught.value.fields) == {"items.0.start_date", "items.1.reason"}

    # The registry's refusals too: two moves that do not start after the current registration.
    with pytest.raises(InvalidInput) as caught:
        record_residences(
            [
                Residence(
                    actor=officer_a,
                    person_id=person.pk,
                    address_id=a[1].pk,
                    start_date=months_ago(9),
                    reason="work",
                    moving=True,
                    prefix=f"items.{i}.",
                )
                for i, person in enumerate(p[:2])
            ]
        )
    assert set(caught.value.fields) == {"items.0.start_date", "items.1.start_date"}

    with pytest.raises(InvalidInput) as caught:
        end_registrations(
            [
                Ending(
                    actor=officer_a,
                    registration_id=registration.pk,
                    end_date=today + dt.timedelta(days=1),
                    prefix=f"items.{i}.",
                )
                for i, registration in enumerate(Registration.objects.order_by("pk"))
            ]
        )
    assert set(caught.value.fields) == {"items.0.end_date", "items.1.end_date"}


def test_nothing_is_written_when_one_row_is_refused(town, officer_a):
    before = registry()
    rows = arrivals(town, officer_a)
    refused = dataclasses.replace(rows[1], start_date=months_ago(9))
    with pytest.raises(InvalidInput) as caught:
        record_residences([rows[0], refused, rows[2], rows[3]])
    assert set(caught.value.fields) == {"items.1.start_date"}
    assert registry() == before

    current = list(Registration.objects.filter(end_date__isnull=True).order_by("pk"))
    with pytest.raises(InvalidInput):
        end_registrations(
            [
                Ending(
                    actor=officer_a, registration_id=current[0].pk, end_date=timezone.localdate()
                ),
                Ending(
                    actor=officer_a,
                    registration_id=current[1].pk,
                    end_date=current[1].start_date - dt.timedelta(days=1),
                ),
            ]
        )
    assert registry() == before


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        call()
        transaction.set_rollback(True)
    return len(captured.captured_queries)


def test_a_batch_of_n_costs_the_queries_of_a_batch_of_one(town, officer_a):
    rows = arrivals(town, officer_a)
    new = [rows[2], rows[3]]  # two arrivals not registered anywhere
    assert _queries(lambda: record_residences(new)) == _queries(lambda: record_residences(new[:1]))
    moves = [rows[0], rows[1]]
    assert _queries(lambda: record_residences(moves)) == _queries(
        lambda: record_residences(moves[:1])
    )
    endings = [
        Ending(actor=officer_a, registration_id=pk, end_date=timezone.localdate())
        for pk in Registration.objects.values_list("pk", flat=True)
    ]
    assert len(endings) == 2
    assert _queries(lambda: end_registrations(endings)) == _queries(
        lambda: end_registrations(endings[:1])
    )


def test_a_visit_with_n_arrivals_costs_the_queries_of_one(town, officer_a):
    a, p = town["addresses"], town["people"]

    def visit(persons) -> None:
        services.record_visits(
            [
                VisitInput(
                    actor=officer_a,
                    client_id=uuid.uuid4(),
                    address_id=a[2].pk,
                    outcome="done",
                    arrivals=[Arrival(name=x.name, id_number=x.id_number) for x in persons],
                )
            ]
        )

    # Three persons registered nowhere against one; two moves within grid_a against one.
    assert _queries(lambda: visit(p[2:5])) == _queries(lambda: visit(p[2:3]))
    assert _queries(lambda: visit(p[:2])) == _queries(lambda: visit(p[:1]))


def test_one_person_found_at_two_visits_of_a_batch_is_registered_then_moved(town, officer_a):
    a, newcomer, today = town["addresses"], town["people"][4], timezone.localdate()

    def at(address, days_ago: int) -> VisitInput:
        return VisitInput(
            actor=officer_a,
            client_id=uuid.uuid4(),
            address_id=address.pk,
            outcome="done",
            arrivals=[
                Arrival(
                    name=newcomer.name,
                    id_number=newcomer.id_number,
                    start_date=today - dt.timedelta(days=days_ago),
                )
            ],
        )

    visits = [at(a[1], 5), at(a[2], 2)]
    with transaction.atomic():
        for one in visits:
            services.record_visits([one])
        one_by_one = registry()
        transaction.set_rollback(True)
    services.record_visits(visits)
    assert registry() == one_by_one
    assert Registration.objects.get(person=newcomer, end_date__isnull=True).address == a[2]


def test_each_row_is_scoped_to_its_own_actor(town, officer_a, officer_b, grid_b):
    a, p, today = town["addresses"], town["people"], timezone.localdate()
    before = registry()
    valid = arrivals(town, officer_a)[3]
    # officer_b may not move a person registered in grid_a, even beside officer_a's rows.
    with pytest.raises(NotFound):
        record_residences(
            [
                valid,
                Residence(
                    actor=officer_b,
                    person_id=p[0].pk,
                    address_id=factories.AddressFactory(grid=grid_b).pk,
                    start_date=today,
                    reason="work",
                    moving=True,
                ),
            ]
        )
    # Nor register someone at an address of grid_a.
    with pytest.raises(InvalidInput) as caught:
        record_residences(
            [
                valid,
                Residence(
                    actor=officer_b,
                    person_id=p[4].pk,
                    address_id=a[1].pk,
                    start_date=today,
                    reason="work",
                    prefix="items.1.",
                ),
            ]
        )
    assert set(caught.value.fields) == {"address"}
    current = Registration.objects.filter(end_date__isnull=True).order_by("pk")
    with pytest.raises(NotFound):
        end_registrations(
            [
                Ending(actor=officer_a, registration_id=current[0].pk, end_date=today),
                Ending(actor=officer_b, registration_id=current[1].pk, end_date=today),
            ]
        )
    assert registry() == before


def test_registrations_ended_already_are_named_each_and_nothing_is_written(town, officer_a):
    today = timezone.localdate()
    first, second = Registration.objects.order_by("pk")
    services.end_registration(actor=officer_a, registration_id=first.pk, end_date=today)
    before = registry()
    with pytest.raises(TransitionNotAllowed) as caught:
        end_registrations(
            [
                Ending(actor=officer_a, registration_id=pk, end_date=today, prefix=f"items.{i}.")
                for i, pk in enumerate([first.pk, second.pk, second.pk])
            ]
        )
    # The first ended before the batch, the third is the second sent twice.
    assert set(caught.value.fields) == {"items.0.registration", "items.2.registration"}
    assert registry() == before
