"""What grid officers and supervisors see of the field work: counts, search, scoping, coverage."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.accounts.models import Role
from residents import selectors, services
from residents.models import TaskKind, VisitOutcome
from tests import factories
from tests.residents.conftest import make_person, register


@pytest.fixture
def grid_a2(city):
    return city["grids"][0][1]


@pytest.fixture
def officer_ab(grid_a, grid_a2):
    """An officer of both grids of district A."""
    return factories.officer(grids=[grid_a, grid_a2], username="officer_ab")


@pytest.fixture
def analyst(db):
    return factories.UserFactory(username="analyst_t", roles=[Role.ANALYST])


def fill_grid(grid, *, officer, residents: int, seq: int, visits: int = 0):
    """`residents` persons at their own addresses in `grid`; the first `visits` visited."""
    addresses = []
    for i in range(residents):
        user = factories.UserFactory(username=f"r{seq + i}")
        person = make_person(user, seq=seq + i, name=f"居民{seq + i}")
        address = factories.AddressFactory(grid=grid)
        register(user, person, address)
        addresses.append((address, person))
    for address, person in addresses[:visits]:
        services.record_visit(
            actor=officer,
            client_id=uuid.uuid4(),
            address_id=address.pk,
            outcome=VisitOutcome.DONE,
            present=[person.pk],
        )
    return addresses


def grid_counts(officer):
    return {
        grid.pk: (
            grid.address_count,
            grid.resident_count,
            grid.visits_this_month,
            grid.open_task_count,
            grid.covered_count,
        )
        for grid in selectors.field_grids_of(officer)
    }


def test_the_officers_grids_carry_their_counts(officer_ab, grid_a, grid_a2):
    filled = fill_grid(grid_a, officer=officer_ab, residents=3, seq=101, visits=2)
    fill_grid(grid_a2, officer=officer_ab, residents=1, seq=111)
    empty = factories.AddressFactory(grid=grid_a)
    services.record_visit(
        actor=officer_ab,
        client_id=uuid.uuid4(),
        address_id=empty.pk,
        outcome=VisitOutcome.NOBODY_HOME,
    )
    services.record_visit(
        actor=officer_ab,
        client_id=uuid.uuid4(),
        address_id=filled[0][0].pk,
        outcome=VisitOutcome.DONE,
        present=[filled[0][1].pk],
    )

    counts = grid_counts(officer_ab)

    # addresses, residents, visits this month, open tasks, covered (distinct addresses, done only)
    assert counts == {grid_a.pk: (4, 3, 4, 1, 2), grid_a2.pk: (1, 1, 0, 0, 0)}


def test_the_grid_counts_take_the_same_number_of_queries_however_much_there_is(
    officer_ab, grid_a, grid_a2
):
    fill_grid(grid_a, officer=officer_ab, residents=1, seq=121, visits=1)
    with CaptureQueriesContext(connection) as small:
        grid_counts(officer_ab)

    fill_grid(grid_a, officer=officer_ab, residents=4, seq=131, visits=3)
    fill_grid(grid_a2, officer=officer_ab, residents=3, seq=141, visits=2)
    with CaptureQueriesContext(connection) as large:
        grid_counts(officer_ab)

    assert len(small.captured_queries) == len(large.captured_queries) == 1


def test_visits_of_last_month_and_old_visits_do_not_count(officer_ab, grid_a):
    [(address, person)] = fill_grid(grid_a, officer=officer_ab, residents=1, seq=151)
    long_ago = timezone.now() - dt.timedelta(days=45)
    services.record_visit(
        actor=officer_ab,
        client_id=uuid.uuid4(),
        address_id=address.pk,
        outcome=VisitOutcome.DONE,
        present=[person.pk],
        visited_at=long_ago,
    )

    counts = grid_counts(officer_ab)

    assert counts[grid_a.pk][2] == 0  # visits this month
    assert counts[grid_a.pk][4] == 0  # covered in the last 30 days


@time_machine.travel(dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC))
def test_a_visit_on_the_first_of_the_month_in_beijing_counts_for_that_month(officer_ab, grid_a):
    address = factories.AddressFactory(grid=grid_a)
    # 2026-03-01 00:30 in Beijing is still February in UTC.
    services.record_visit(
        actor=officer_ab,
        client_id=uuid.uuid4(),
        address_id=address.pk,
        outcome=VisitOutcome.NOBODY_HOME,
        visited_at=dt.datetime(2026, 2, 28, 16, 30, tzinfo=dt.UTC),
    )

    assert grid_counts(officer_ab)[grid_a.pk][2] == 1


def test_other_roles_and_other_officers_see_no_grid_of_theirs(officer_a, grid_b, resident):
    other = factories.officer(grids=[grid_b], username="officer_b")

    assert [g.pk for g in selectors.field_grids_of(officer_a)] == [officer_a.grids.get().pk]
    assert [g.pk for g in selectors.field_grids_of(other)] == [grid_b.pk]
    assert not selectors.field_grids_of(resident).exists()


# --- addresses and search ------------------------------------------------------------------------


def test_addresses_show_who_is_registered_there_now(officer_a, grid_a, grid_b, resident, me):
    home = factories.AddressFactory(grid=grid_a)
    register(resident, me, home)
    factories.AddressFactory(grid=grid_b)

    addresses = list(selectors.field_addresses_of(officer_a))

    assert [a.pk for a in addresses] == [home.pk]
    assert [r.person.name for r in addresses[0].current_registrations] == ["李明"]


def test_search_finds_an_address_by_a_full_id_number_only_in_the_officers_grids(
    officer_a, grid_a, grid_b, resident, me, other_resident, them
):
    register(resident, me, factories.AddressFactory(grid=grid_a))
    register(other_resident, them, factories.AddressFactory(grid=grid_b))
    mine = selectors.field_addresses_of(officer_a)

    found = selectors.search_field_addresses(mine, me.id_number)
    outside = selectors.search_field_addresses(mine, them.id_number)
    partial = selectors.search_field_addresses(mine, me.id_number[:10])

    assert [a.pk for a in found] == [me.registrations.get().address_id]
    assert not outside.exists()
    assert not partial.exists()


def test_search_finds_addresses_by_resident_name_or_address_words(officer_a, grid_a, resident, me):
    home = factories.AddressFactory(grid=grid_a, road="解放路", number="8")
    factories.AddressFactory(grid=grid_a, road="人民路", number="9")
    register(resident, me, home)
    mine = selectors.field_addresses_of(officer_a)

    assert [a.pk for a in selectors.search_field_addresses(mine, "李明")] == [home.pk]
    assert [a.pk for a in selectors.search_field_addresses(mine, "解放路 8号")] == [home.pk]
    assert not selectors.search_field_addresses(mine, "王芳").exists()


def test_tasks_are_seen_by_the_officers_of_the_addresss_grid_only(officer_a, grid_a, grid_b):
    mine = services.raise_field_task(
        kind=TaskKind.VERIFY_DECLARATION,
        address=factories.AddressFactory(grid=grid_a),
        due_date=timezone.localdate(),
        source="housing",
        source_ref="d-1",
    )
    services.raise_field_task(
        kind=TaskKind.VERIFY_DECLARATION,
        address=factories.AddressFactory(grid=grid_b),
        due_date=timezone.localdate(),
        source="housing",
        source_ref="d-2",
    )

    assert [t.pk for t in selectors.open_field_tasks_of(officer_a)] == [mine.pk]


def test_the_raiser_reads_its_task_back_by_its_own_reference(officer_a, grid_a):
    address = factories.AddressFactory(grid=grid_a)
    task = services.raise_field_task(
        kind=TaskKind.VERIFY_DECLARATION,
        address=address,
        due_date=timezone.localdate(),
        source="housing",
        source_ref="declaration-42",
    )
    visit, _ = services.record_visit(
        actor=officer_a,
        client_id=uuid.uuid4(),
        address_id=address.pk,
        outcome=VisitOutcome.DONE,
        task_findings={task.pk: "租户在住，已核实"},
    )

    [read_back] = selectors.field_tasks_raised_by(source="housing", source_ref="declaration-42")

    assert read_back.closed_by == visit


# --- supervisors ---------------------------------------------------------------------------------


def test_coverage_per_grid_and_per_officer_for_analysts(
    analyst, officer_ab, grid_a, grid_a2, grid_b
):
    fill_grid(grid_a, officer=officer_ab, residents=4, seq=161, visits=1)
    fill_grid(grid_a2, officer=officer_ab, residents=2, seq=171, visits=2)

    grids = {g.pk: g for g in selectors.coverage_by_grid(analyst)}
    [officer] = selectors.coverage_by_officer(analyst)

    assert (grids[grid_a.pk].address_count, grids[grid_a.pk].covered_count) == (4, 1)
    assert (grids[grid_a2.pk].address_count, grids[grid_a2.pk].covered_count) == (2, 2)
    assert grids[grid_b.pk].address_count == 0
    assert [o.username for o in grids[grid_a.pk].grid_officers] == ["officer_ab"]
    assert (officer.grid_count, officer.address_count, officer.covered_count) == (2, 6, 3)
    assert officer.recent_visits == 3
    assert selectors.coverage_share(officer.covered_count, officer.address_count) == 0.5


def test_coverage_is_for_supervisors_only(officer_a, resident):
    assert not selectors.coverage_by_grid(officer_a).exists()
    assert not selectors.coverage_by_officer(resident).exists()
