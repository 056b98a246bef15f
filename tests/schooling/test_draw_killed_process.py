"""The draw is one transaction: a process SIGKILLed in the middle of it leaves nothing behind,
and the draw made again places every child once (0 lost, 0 duplicated)."""

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

from schooling import services
from schooling.models import AllocationRun, EnrolmentRound, Offer, RoundStatus, Tenure
from tests.killed_worker import BASE_DIR, child_environment, wait_for
from tests.schooling.conftest import build_round, enter, today

pytestmark = [
    pytest.mark.slow,
    pytest.mark.urls("tests.schooling.urls"),
    pytest.mark.django_db(transaction=True),
]

FAMILIES = 8


def _holds_the_round_lock(round_id: int) -> bool:
    """True while another connection holds the round row locked (the draw's transaction)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM schooling_enrolmentround WHERE id = %s FOR UPDATE NOWAIT",
                [round_id],
            )
    except Exception as exc:
        if isinstance(getattr(exc, "__cause__", None), psycopg.errors.LockNotAvailable):
            return True
        raise
    return False


def test_a_draw_killed_in_its_transaction_leaves_nothing_and_can_be_made_again(
    schools, address_a, police_a, education_a, education_all, tmp_path
):
    enrolment_round = build_round(schools=schools, seats={"X": 3, "Y": 3}, actor=education_all)
    for n in range(FAMILIES):
        enter(
            enrolment_round,
            username=f"family{n}",
            address=address_a,
            police=police_a,
            reviewer=education_a,
            choices=[schools["X"], schools["Y"]],
            tenure=Tenure.RENTED,
            points={"insurance_years": n},
        )
    services.commit_lottery_seed(actor=education_all, round_id=enrolment_round.pk, seed="s")
    day = today()
    EnrolmentRound.objects.filter(pk=enrolment_round.pk).update(
        application_closes=day - dt.timedelta(days=3), preference_closes=day - dt.timedelta(days=1)
    )
    env = child_environment(HEAVY_JOB_CHUNK_PAUSE_SECONDS="30")
    with open(tmp_path / "draw.log", "w") as log:
        draw = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "manage.py",
                "school_draw",
                str(enrolment_round.pk),
                "--as",
                education_all.username,
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(
                lambda: _holds_the_round_lock(enrolment_round.pk),
                timeout=60,
                what="the draw's transaction",
            )
            time.sleep(2)  # the offers written, the transaction not yet committed
            assert not AllocationRun.objects.exists()  # invisible: uncommitted
            os.kill(draw.pid, signal.SIGKILL)
            draw.wait(timeout=10)
        finally:
            if draw.poll() is None:
                draw.kill()

    enrolment_round.refresh_from_db()
    assert enrolment_round.status != RoundStatus.ALLOCATED
    assert not AllocationRun.objects.exists()
    assert not Offer.objects.exists()

    run = services.run_first_round(actor=education_all, round_id=enrolment_round.pk)

    offers = Offer.objects.filter(place__round=enrolment_round)
    assert run.placed == offers.count() == 6  # every seat once
    assert not offers.values("application").annotate(n=Count("id")).filter(n__gt=1).exists()
