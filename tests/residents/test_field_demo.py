"""The demo city gives officer1 field work to show: past visits and open tasks, built once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from portal.accounts.models import User
from residents import selectors
from residents.models import FieldTask, TaskKind, Visit, VisitOutcome


@pytest.fixture
def seeded(db, settings):
    settings.DEMO_MODE = True

    def seed():
        call_command("seed_demo", "--addresses-per-grid", "5", stdout=StringIO())

    seed()
    return seed


def test_officer1_has_past_visits_and_open_tasks_in_both_grids(seeded):
    officer = User.objects.get(username="officer1")

    grids = list(selectors.field_grids_of(officer))
    tasks = selectors.open_field_tasks_of(officer)

    assert len(grids) == 2
    assert all(grid.covered_count >= 1 for grid in grids)
    assert {task.kind for task in tasks} == {
        TaskKind.REVISIT,
        TaskKind.VERIFY_DECLARATION,
        TaskKind.VERIFY_DISCREPANCY,
    }
    assert Visit.objects.filter(officer=officer, outcome=VisitOutcome.NOBODY_HOME).exists()
    assert selectors.field_visits_of(officer).count() == Visit.objects.count() == 5


def test_seeding_again_adds_no_visit_or_task(seeded):
    before = (Visit.objects.count(), FieldTask.objects.count())

    seeded()

    assert (Visit.objects.count(), FieldTask.objects.count()) == before
