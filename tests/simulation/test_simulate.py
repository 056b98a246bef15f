"""The simulated city driven through the portal's services: reproducible, safe, evidenced."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from residents.models import (
    DiscrepancySettlement,
    Person,
    SimulatedPerson,
    SimulationDay,
    SimulationRun,
    VisitEntry,
)
from residents.simulation import runner
from residents.simulation.params import Params
from tests.residents.conftest import make_person

SMALL = {"persons": 250, "days": 4, "seed": 11}


def simulate(tmp_path: Path) -> runner.Simulation:
    return runner.simulate(params=Params(), workdir=tmp_path, write=lambda _line: None, **SMALL)


def csv_of(simulation: runner.Simulation) -> str:
    out = io.StringIO()
    runner.write_csv(simulation.rows, out)
    return out.getvalue()


def test_the_same_seed_gives_the_same_measure(tmp_path, db):
    with transaction.atomic():
        first = simulate(tmp_path)
        transaction.set_rollback(True)
    second = simulate(tmp_path)
    assert csv_of(first) == csv_of(second)
    assert len(second.rows) == SMALL["days"]
    assert second.rows[0]["accuracy"] < 1  # the registry starts imperfect


def test_a_run_stores_its_days_marks_its_persons_and_applies_no_departure_without_evidence(
    tmp_path, db
):
    simulation = simulate(tmp_path)
    run = SimulationRun.objects.get()
    assert run.finished_at is not None
    assert SimulationDay.objects.filter(run=run).count() == SMALL["days"]
    assert all(row["departures_without_evidence"] == 0 for row in simulation.rows)
    # Every person in the registry was made by the simulator.
    assert not Person.objects.filter(simulated__isnull=True).exists()
    assert SimulatedPerson.objects.filter(run=run).count() == Person.objects.count()
    # Each departure the reconciliation applied names its evidence: the confirmed
    # discrepancy (its feed run and row) on the settlement that ended the registration.
    for settlement in DiscrepancySettlement.objects.exclude(registration_ended=None):
        assert settlement.disposition == "confirmed"
        assert settlement.discrepancy.run_id is not None
        assert settlement.registration_ended.end_date is not None
    assert VisitEntry.objects.exists()


def test_the_command_refuses_a_database_with_real_persons(db, resident):
    make_person(resident, seq=3)
    with pytest.raises(CommandError, match="real persons"):
        call_command("simulate_city", "--persons", "10", "--days", "1")
    assert not SimulationRun.objects.exists()


def test_the_command_prints_each_day_and_writes_the_csv(tmp_path, db):
    out = io.StringIO()
    target = tmp_path / "days.csv"
    call_command(
        "simulate_city", "--persons", "120", "--days", "2", "--csv", str(target), stdout=out
    )
    assert "day   0" in out.getvalue()
    assert "day   1" in out.getvalue()
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("day,date,accuracy,missed_arrivals")
    assert len(lines) == 3


def test_a_run_just_after_midnight_records_todays_visits_without_a_future_time(tmp_path, db):
    import datetime as dt
    from zoneinfo import ZoneInfo

    import time_machine

    from residents.models import Visit

    one_in_the_morning = dt.datetime(2026, 12, 8, 1, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(one_in_the_morning, tick=True):
        simulation = runner.simulate(
            persons=250, days=3, seed=5, params=Params(), workdir=tmp_path, write=lambda _l: None
        )

    assert simulation.run.pk
    assert Visit.objects.filter(visited_at__gte=one_in_the_morning - dt.timedelta(hours=1)).exists()
    assert not Visit.objects.filter(visited_at__gt=one_in_the_morning + dt.timedelta(hours=1))
