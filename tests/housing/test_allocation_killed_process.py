"""Offering a round's units is one transaction: a process SIGKILLed in the middle of it leaves
nothing behind, and allocating again offers every unit once (0 lost, 0 duplicated)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import psycopg
import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from housing import services
from housing.models import ApplicationRound, HousingProject, HousingUnit, Offer, UnitType
from tests.housing.conftest import open_round, qualified
from tests.killed_worker import BASE_DIR, child_environment, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

UNITS, HOUSEHOLDS = 3, 5


def _round_locked(round_id: int) -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM housing_applicationround WHERE id = %s FOR UPDATE NOWAIT",
                [round_id],
            )
    except Exception as exc:
        if isinstance(getattr(exc, "__cause__", None), psycopg.errors.LockNotAvailable):
            return True
        raise
    return False


def test_an_allocation_killed_in_its_transaction_leaves_nothing_and_can_be_made_again(
    district_a, housing_a, address_a, police_a, rules_in_force, tmp_path
):
    project = HousingProject.objects.create(name="杀进程测试", district=district_a, location="-")
    for n in range(UNITS):
        HousingUnit.objects.create(
            project=project,
            label=f"1幢10{n}",
            unit_type=UnitType.ONE_BEDROOM,
            floor_area="40",
            monthly_rent="1000",
        )
    housing_round = open_round(project, housing_a)
    for n in range(HOUSEHOLDS):
        qualified(
            f"household{n}",
            seq=101 + 2 * n,
            name=f"住户{n}",
            housing_round=housing_round,
            address=address_a,
            police=police_a,
            reviewer=housing_a,
            points=(rules_in_force, str(40 + n)),  # only scored households are ranked
        )
    services.rank_round(
        actor=housing_a, round_id=housing_round.pk, now=timezone.now() + dt.timedelta(days=32)
    )
    # The publication (公示) window has passed with no objection: offers may be made now.
    ApplicationRound.objects.filter(pk=housing_round.pk).update(
        objection_until=timezone.localdate() - dt.timedelta(days=1)
    )
    env = child_environment(HEAVY_JOB_CHUNK_PAUSE_SECONDS="30")
    code = (
        "from housing import services; "
        f"services.allocate_round(actor=None, round_id={housing_round.pk})"
    )
    with open(tmp_path / "allocate.log", "w") as log:
        allocation = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(lambda: _round_locked(housing_round.pk), timeout=60, what="the allocation")
            time.sleep(2)  # the offers written, the transaction not yet committed
            os.kill(allocation.pid, signal.SIGKILL)
            allocation.wait(timeout=10)
        finally:
            if allocation.poll() is None:
                allocation.kill()

    assert not Offer.objects.exists()

    made = services.allocate_round(actor=housing_a, round_id=housing_round.pk)

    offers = Offer.objects.filter(unit__project=project)
    assert made == offers.count() == UNITS  # every unit once
    assert not offers.values("unit").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert not offers.values("application").annotate(n=Count("id")).filter(n__gt=1).exists()
