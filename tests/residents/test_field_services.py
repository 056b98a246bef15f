"""Grid officers' visits and field tasks: the services, from the outside."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from portal.calendar.selectors import add_working_days
from portal.errors import InvalidInput, NotAllowed, NotFound, TransitionNotAllowed
from residents import idnumber, selectors, services
from residents.models import (
    TASK_MOVES,
    FieldTask,
    Finding,
    PermitStatus,
    Person,
    Registration,
    Source,
    TaskKind,
    TaskStatus,
    Visit,
    VisitEntry,
    VisitOutcome,
)
from residents.services import Arrival, Departure
from tests import factories
from tests.residents.conftest import issue_permit_for, make_person, months_ago, register

NEWCOMER = factories.make_id_number(birth=dt.date(1995, 3, 8), seq=71)


@pytest.fixture
def tenant(other_resident, address_a):
    """王芳, registered eight months ago at address_a (in officer_a's grid)."""
    person = make_person(other_resident, seq=25, name="王芳")
    register(other_resident, person, address_a)
    return person


def visit(officer, address, *, client_id=None, outcome=VisitOutcome.DONE, **kwargs):
    return services.record_visit(
        actor=officer,
        client_id=client_id or uuid.uuid4(),
        address_id=address.pk,
        outcome=outcome,
        **kwargs,
    )


def current_of(person):
    return Registration.objects.get(person=person, end_date__isnull=True)


# --- a visit ---------------------------------------------------------------------------------------


def test_a_visit_confirms_who_was_found_at_home(officer_a, address_a, tenant):
    recorded, created = visit(officer_a, address_a, present=[tenant.pk], note="租户在家")

    assert created
    assert recorded.officer == officer_a
    assert recorded.outcome == VisitOutcome.DONE
    assert recorded.note == "租户在家"
    entry = recorded.entries.get()
    assert (entry.person, entry.finding, entry.registration) == (
        tenant,
        Finding.PRESENT,
        current_of(tenant),
    )


def test_a_new_arrival_is_entered_and_registered_by_the_grid_officer(officer_a, address_a):
    recorded, _ = visit(
        officer_a,
        address_a,
        arrivals=[Arrival(name="赵新", id_number=NEWCOMER, reason="work", phone="13900001111")],
    )

    person = Person.objects.get(id_hash=idnumber.keyed_hash(NEWCOMER))
    assert person.name == "赵新"
    assert person.birth_date == dt.date(1995, 3, 8)
    registration = current_of(person)
    assert registration.address == address_a
    assert registration.source == Source.GRID_OFFICER
    assert registration.registered_by == officer_a
    assert registration.start_date == timezone.localdate()
    assert recorded.entries.get().finding == Finding.ARRIVED


def test_an_arrival_with_a_known_id_number_finds_the_existing_person(
    officer_a, address_a, resident, me
):
    visit(officer_a, address_a, arrivals=[Arrival(name=me.name, id_number=me.id_number)])

    assert Person.objects.filter(id_hash=me.id_hash).count() == 1
    assert current_of(me).address == address_a


def test_an_arrival_registered_in_another_district_is_moved_and_the_officer_is_told(
    officer_a, address_a, resident, me, grid_b
):
    elsewhere = register(resident, me, factories.AddressFactory(grid=grid_b), start=months_ago(8))
    today = timezone.localdate()

    recorded, _ = visit(
        officer_a, address_a, arrivals=[Arrival(name=me.name, id_number=me.id_number)]
    )

    elsewhere.refresh_from_db()
    assert elsewhere.end_date == today
    assert current_of(me).address == address_a
    entry = recorded.entries.get()
    assert entry.finding == Finding.MOVED_IN
    assert entry.moved_from == elsewhere
    assert any(me.name in notice for notice in selectors.visit_notices(recorded))


def test_an_arrival_moving_between_addresses_of_the_officers_grids_uses_a_move(
    officer_a, address_a, grid_a, resident, me
):
    old = register(resident, me, factories.AddressFactory(grid=grid_a), start=months_ago(8))

    recorded, _ = visit(
        officer_a, address_a, arrivals=[Arrival(name="李明", id_number=me.id_number)]
    )

    old.refresh_from_db()
    assert old.end_date == timezone.localdate()
    assert recorded.entries.get().moved_from == old


def test_an_arrival_already_registered_at_the_address_is_recorded_as_present(
    officer_a, address_a, tenant
):
    recorded, _ = visit(
        officer_a, address_a, arrivals=[Arrival(name="王芳", id_number=tenant.id_number)]
    )

    assert recorded.entries.get().finding == Finding.PRESENT
    assert Registration.objects.filter(person=tenant).count() == 1


def test_a_departure_ends_the_registration_and_cancels_the_permit(
    officer_a, address_a, resident, me, registered, police_a
):
    permit = issue_permit_for(resident, me, police_a)
    yesterday = timezone.localdate() - dt.timedelta(days=1)

    recorded, _ = visit(
        officer_a, address_a, departures=[Departure(person_id=me.pk, end_date=yesterday)]
    )

    registered.refresh_from_db()
    assert registered.end_date == yesterday
    permit.refresh_from_db()
    assert permit.status == PermitStatus.CANCELLED
    entry = recorded.entries.get()
    assert (entry.finding, entry.registration) == (Finding.DEPARTED, registered)


def test_nobody_home_raises_one_revisit_task_however_often_it_happens(officer_a, address_a):
    first, _ = visit(officer_a, address_a, outcome=VisitOutcome.NOBODY_HOME)
    visit(officer_a, address_a, outcome=VisitOutcome.NOBODY_HOME)

    task = FieldTask.objects.get()
    assert task.kind == TaskKind.REVISIT
    assert task.status == TaskStatus.OPEN
    assert task.address == address_a
    assert task.due_date == add_working_days(timezone.localdate(first.visited_at), 3)


def test_a_visit_someone_answers_closes_the_revisit_task(officer_a, address_a):
    visit(officer_a, address_a, outcome=VisitOutcome.NOBODY_HOME)

    answered, _ = visit(officer_a, address_a, outcome=VisitOutcome.REFUSED)

    task = FieldTask.objects.get()
    assert task.status == TaskStatus.CLOSED
    assert task.closed_by == answered
    assert task.closed_at is not None


# A field task's one move; nothing reopens or re-closes a task.
TASK_ALLOWED_MOVES = [("open", "closed")]


@pytest.mark.parametrize("source", list(TaskStatus))
@pytest.mark.parametrize("target", list(TaskStatus))
def test_task_transition_table(source, target):
    assert (target in TASK_MOVES[source]) == ((source, target) in TASK_ALLOWED_MOVES)


def test_a_later_visit_listing_a_closed_task_leaves_it_closed_by_the_first(
    officer_a, address_a, tenant
):
    visit(officer_a, address_a, outcome=VisitOutcome.NOBODY_HOME)
    task = FieldTask.objects.get()
    first, _ = visit(officer_a, address_a, present=[tenant.pk], task_findings={task.pk: "在住"})

    visit(officer_a, address_a, present=[tenant.pk], task_findings={task.pk: "再次核实"})

    task.refresh_from_db()
    assert (task.status, task.closed_by, task.finding) == (TaskStatus.CLOSED, first, "在住")


def test_a_visit_closes_the_tasks_it_lists_and_leaves_others_open(
    officer_a, address_a, grid_a, tenant
):
    declared = services.raise_field_task(
        kind=TaskKind.VERIFY_DECLARATION,
        address=address_a,
        person=tenant,
        due_date=timezone.localdate(),
        source="housing",
        source_ref="declaration-7",
        note="房东申报入住",
    )
    other = services.raise_field_task(
        kind=TaskKind.VERIFY_DISCREPANCY,
        address=address_a,
        due_date=timezone.localdate(),
        source="reconciliation",
        source_ref="run-1/row-9",
    )

    recorded, _ = visit(
        officer_a, address_a, present=[tenant.pk], task_findings={declared.pk: "租户在住，已核实"}
    )

    declared.refresh_from_db()
    other.refresh_from_db()
    assert (declared.status, declared.closed_by) == (TaskStatus.CLOSED, recorded)
    assert other.status == TaskStatus.OPEN


def test_a_nobody_home_visit_leaves_listed_tasks_open(officer_a, address_a):
    task = services.raise_field_task(
        kind=TaskKind.VERIFY_DECLARATION,
        address=address_a,
        due_date=timezone.localdate(),
        source="housing",
        source_ref="declaration-8",
    )

    visit(
        officer_a,
        address_a,
        outcome=VisitOutcome.NOBODY_HOME,
        task_findings={task.pk: "租户在住，已核实"},
    )

    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


# --- idempotency -----------------------------------------------------------------------------------


def test_a_visit_sent_twice_is_recorded_once_and_the_second_call_returns_the_first(
    officer_a, address_a
):
    client_id = uuid.uuid4()
    arrivals = [Arrival(name="赵新", id_number=NEWCOMER)]

    first, created_first = visit(officer_a, address_a, client_id=client_id, arrivals=arrivals)
    second, created_second = visit(officer_a, address_a, client_id=client_id, arrivals=arrivals)

    assert (created_first, created_second) == (True, False)
    assert second.pk == first.pk
    assert Visit.objects.count() == 1
    assert VisitEntry.objects.count() == 1
    assert Person.objects.filter(id_hash=idnumber.keyed_hash(NEWCOMER)).count() == 1


def test_a_client_id_of_another_officers_visit_is_a_conflict(officer_a, address_a, grid_a):
    client_id = uuid.uuid4()
    visit(officer_a, address_a, client_id=client_id, note="空置房屋")
    colleague = factories.officer(grids=[grid_a], username="officer_a2")

    with pytest.raises(TransitionNotAllowed) as refused:
        visit(colleague, address_a, client_id=client_id, note="空置房屋")

    assert refused.value.code == "client_id_used"
    assert Visit.objects.get().officer == officer_a


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_identical_visits_sent_at_once_make_exactly_one_visit(departments):
    city = factories.build_area_tree()
    grid = city["grids"][0][0]
    address = factories.AddressFactory(grid=grid)
    officer = factories.officer(grids=[grid], username="officer_race")
    client_id = uuid.uuid4()
    barrier = threading.Barrier(2)
    results: list[tuple[int, bool]] = []
    failures: list[BaseException] = []

    def send():
        try:
            barrier.wait()
            recorded, created = services.record_visit(
                actor=officer,
                client_id=client_id,
                address_id=address.pk,
                outcome=VisitOutcome.DONE,
                arrivals=[Arrival(name="赵新", id_number=NEWCOMER)],
            )
            results.append((recorded.pk, created))
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert Visit.objects.filter(client_id=client_id).count() == 1
    assert sorted(created for _, created in results) == [False, True]
    assert len({pk for pk, _ in results}) == 1
    assert Person.objects.filter(id_hash=idnumber.keyed_hash(NEWCOMER)).count() == 1


# --- refusals ------------------------------------------------------------------------------------------


def test_only_a_grid_officer_records_visits(resident, address_a):
    with pytest.raises(NotAllowed):
        visit(resident, address_a)


def test_an_address_outside_the_officers_grids_is_not_found(officer_a, grid_b):
    with pytest.raises(NotFound):
        visit(officer_a, factories.AddressFactory(grid=grid_b))
    assert not Visit.objects.exists()


def test_a_person_outside_the_officers_grids_is_not_found(
    officer_a, address_a, resident, me, grid_b
):
    register(resident, me, factories.AddressFactory(grid=grid_b))

    with pytest.raises(NotFound):
        visit(officer_a, address_a, present=[me.pk])
    with pytest.raises(NotFound):
        visit(officer_a, address_a, departures=[Departure(person_id=me.pk)])


def test_a_task_outside_the_officers_grids_is_not_found(officer_a, address_a, grid_b):
    task = services.raise_field_task(
        kind=TaskKind.VERIFY_DISCREPANCY,
        address=factories.AddressFactory(grid=grid_b),
        due_date=timezone.localdate(),
        source="reconciliation",
        source_ref="x",
    )

    with pytest.raises(NotFound):
        visit(officer_a, address_a, task_findings={task.pk: "租户在住，已核实"})


def test_a_person_of_another_address_in_the_grid_cannot_be_confirmed_here(
    officer_a, address_a, grid_a, resident, me
):
    register(resident, me, factories.AddressFactory(grid=grid_a))

    with pytest.raises(InvalidInput) as refused:
        visit(officer_a, address_a, present=[me.pk])

    assert "present" in refused.value.fields


def test_every_problem_is_reported_at_once_and_nothing_is_half_written(
    officer_a, address_a, tenant
):
    good_arrival = Arrival(name="赵新", id_number=NEWCOMER)
    bad_arrival = Arrival(name="钱二", id_number="110105194912310021")
    too_early = current_of(tenant).start_date - dt.timedelta(days=1)

    with pytest.raises(InvalidInput) as refused:
        visit(
            officer_a,
            address_a,
            arrivals=[good_arrival, bad_arrival],
            departures=[Departure(person_id=tenant.pk, end_date=too_early)],
        )

    assert set(refused.value.fields) == {"arrivals.1.id_number", "departures.0.end_date"}
    assert not Visit.objects.exists()
    assert not Person.objects.filter(id_hash=idnumber.keyed_hash(NEWCOMER)).exists()
    assert current_of(tenant).end_date is None


def test_a_refusal_from_the_registry_comes_back_under_the_arrivals_entry(officer_a, address_a):
    born = dt.date(1995, 3, 8)

    with pytest.raises(InvalidInput) as refused:
        visit(
            officer_a,
            address_a,
            arrivals=[
                Arrival(name="赵新", id_number=NEWCOMER, start_date=born - dt.timedelta(days=1))
            ],
        )

    assert "arrivals.0.start_date" in refused.value.fields
    assert not Person.objects.exists()
    assert not Visit.objects.exists()


def test_a_known_id_number_under_another_name_is_refused(officer_a, address_a, resident, me):
    with pytest.raises(InvalidInput) as refused:
        visit(officer_a, address_a, arrivals=[Arrival(name="张冒", id_number=me.id_number)])

    assert "arrivals.0.name" in refused.value.fields
    assert not Registration.objects.filter(person=me).exists()


def test_residents_cannot_be_recorded_when_nobody_was_home(officer_a, address_a, tenant):
    with pytest.raises(InvalidInput) as refused:
        visit(officer_a, address_a, outcome=VisitOutcome.NOBODY_HOME, present=[tenant.pk])

    assert "outcome" in refused.value.fields
    assert not FieldTask.objects.exists()


def test_a_person_cannot_be_both_present_and_departed(officer_a, address_a, tenant):
    with pytest.raises(InvalidInput) as refused:
        visit(
            officer_a,
            address_a,
            present=[tenant.pk],
            departures=[Departure(person_id=tenant.pk)],
        )

    assert "departures.0.person" in refused.value.fields


def test_a_person_departing_twice_in_one_visit_is_refused(officer_a, address_a, tenant):
    with pytest.raises(InvalidInput) as refused:
        visit(
            officer_a,
            address_a,
            departures=[Departure(person_id=tenant.pk), Departure(person_id=tenant.pk)],
        )

    assert set(refused.value.fields) == {"departures.1.person"}
    assert current_of(tenant).end_date is None


def test_a_visit_in_the_future_is_refused(officer_a, address_a):
    with pytest.raises(InvalidInput) as refused:
        visit(officer_a, address_a, visited_at=timezone.now() + dt.timedelta(hours=2))

    assert "visited_at" in refused.value.fields


def test_an_unknown_outcome_is_refused(officer_a, address_a):
    with pytest.raises(InvalidInput) as refused:
        visit(officer_a, address_a, outcome="maybe")

    assert "outcome" in refused.value.fields


# --- tasks raised by other parts of the portal --------------------------------------------------------


def test_raising_the_same_task_again_returns_the_open_one(address_a, tenant):
    kwargs = {
        "kind": TaskKind.VERIFY_DECLARATION,
        "address": address_a,
        "person": tenant,
        "due_date": timezone.localdate() + dt.timedelta(days=7),
        "source": "housing",
        "source_ref": "declaration-1",
        "note": "房东申报",
    }

    first = services.raise_field_task(**kwargs)
    again = services.raise_field_task(**kwargs)

    assert again.pk == first.pk
    assert FieldTask.objects.count() == 1


def test_a_closed_task_can_be_raised_again(officer_a, address_a):
    kwargs = {
        "kind": TaskKind.VERIFY_DISCREPANCY,
        "address": address_a,
        "due_date": timezone.localdate(),
        "source": "reconciliation",
        "source_ref": "probably-departed",
    }
    first = services.raise_field_task(**kwargs)
    visit(officer_a, address_a, task_findings={first.pk: "租户在住，已核实"})

    second = services.raise_field_task(**kwargs)

    assert second.pk != first.pk
    assert FieldTask.objects.filter(status=TaskStatus.OPEN).count() == 1


def test_the_database_refuses_a_second_open_task_for_the_same_subject(address_a):
    services.raise_field_task(
        kind=TaskKind.REVISIT,
        address=address_a,
        due_date=timezone.localdate(),
        source="field",
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        FieldTask.objects.create(
            kind=TaskKind.REVISIT,
            address=address_a,
            due_date=timezone.localdate(),
            source="field",
            created_at=timezone.now(),
        )


def test_a_task_of_an_unknown_kind_or_without_a_source_is_refused(address_a):
    with pytest.raises(InvalidInput) as refused:
        services.raise_field_task(
            kind="gossip", address=address_a, due_date=timezone.localdate(), source=""
        )

    assert set(refused.value.fields) == {"kind", "source"}


# --- a visit records what was seen -----------------------------------------------------------------


def test_an_empty_visit_is_refused_and_nothing_is_written(officer_a, address_a, tenant):
    with pytest.raises(InvalidInput) as refused:
        visit(officer_a, address_a)
    assert list(refused.value.fields) == ["visit"]
    assert not Visit.objects.exists()


def test_a_visit_without_an_outcome_is_refused(officer_a, address_a, tenant):
    with pytest.raises(InvalidInput) as refused:
        visit(officer_a, address_a, outcome="", present=[tenant.pk])
    assert "outcome" in refused.value.fields
    assert not Visit.objects.exists()


def test_a_task_is_closed_only_with_a_finding_for_it(officer_a, address_a, tenant):
    task = services.raise_field_task(
        kind=TaskKind.VERIFY_DECLARATION,
        address=address_a,
        due_date=timezone.localdate(),
        source="housing",
        source_ref="declaration-77",
    )
    with pytest.raises(InvalidInput) as refused:
        visit(officer_a, address_a, present=[tenant.pk], task_ids=[task.pk])
    assert list(refused.value.fields) == [f"task_findings.{task.pk}"]
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    assert not Visit.objects.exists()

    visit(officer_a, address_a, task_findings={task.pk: "  租户王芳在住，出示租赁合同  "})
    task.refresh_from_db()
    assert (task.status, task.finding) == (TaskStatus.CLOSED, "租户王芳在住，出示租赁合同")


def test_every_problem_of_a_visit_is_named_at_once(officer_a, address_a):
    task = services.raise_field_task(
        kind=TaskKind.VERIFY_DECLARATION,
        address=address_a,
        due_date=timezone.localdate(),
        source="housing",
        source_ref="declaration-78",
    )
    with pytest.raises(InvalidInput) as refused:
        visit(officer_a, address_a, task_ids=[task.pk], note="x" * 2001)
    assert set(refused.value.fields) == {"note", f"task_findings.{task.pk}"}
