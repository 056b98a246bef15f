"""A draw whose worker is SIGKILLed mid-run resumes by itself: beat hands the run back, the
result is computed again from the same seed and only the missing chunks are written. After it,
every child holds the offer an uninterrupted draw gives (0 lost, 0 duplicated), and the round
was not "allocated" before the run finished."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db.models import Count

from portal import runs
from schooling import services
from schooling.models import (
    AllocationRun,
    AllocationRunStatus,
    DrawEntry,
    EnrolmentRound,
    Offer,
    RoundStatus,
    Tenure,
)
from tests.killed_worker import celery_worker, forget_queued_messages, kill, wait_for
from tests.schooling.conftest import build_round, enter, today

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

FAMILIES = 10
SEATS = {"X": 3, "Y": 3}
CHUNK = "2"  # 5 chunks of draw entries, 3 of offers


def _result(enrolment_round: EnrolmentRound) -> tuple[set, set]:
    offers = set(
        Offer.objects.filter(round=enrolment_round).values_list(
            "application_id", "place_id", "seat_no", "phase", "status"
        )
    )
    entries = set(
        DrawEntry.objects.filter(round=enrolment_round).values_list(
            "application_id", "order_rank", "lottery_number"
        )
    )
    return offers, entries


def test_a_draw_killed_mid_run_resumes_and_places_every_child_once_as_an_uninterrupted_draw(
    schools, address_a, police_a, education_a, education_all, tmp_path, settings
):
    enrolment_round = build_round(schools=schools, seats=SEATS, actor=education_all)
    for n in range(FAMILIES):
        enter(
            enrolment_round,
            username=f"family{n}",
            address=address_a,
            police=police_a,
            reviewer=education_a,
            choices=[schools["X"], schools["Y"]],
            tenure=Tenure.RENTED,
            points={"insurance_years": n % 3},
        )
    services.commit_lottery_seed(actor=education_all, round_id=enrolment_round.pk, seed="s")
    day = today()
    EnrolmentRound.objects.filter(pk=enrolment_round.pk).update(
        application_closes=day - dt.timedelta(days=3), preference_closes=day - dt.timedelta(days=1)
    )
    forget_queued_messages()
    settings.RUN_STALE_SECONDS = 2

    with celery_worker(
        tmp_path, "doomed", HEAVY_JOB_CHUNK_PAUSE_SECONDS="1", ALLOCATION_CHUNK_SIZE=CHUNK
    ) as doomed:
        run = services.run_first_round(actor=education_all, round_id=enrolment_round.pk, queue=True)
        wait_for(
            lambda: AllocationRun.objects.filter(pk=run.pk, checkpoint__gte=2).exists(),
            timeout=300,
            what="the draw to have written some chunks",
        )
        kill(doomed)

    killed = AllocationRun.objects.get(pk=run.pk)
    assert killed.status == AllocationRunStatus.RUNNING
    assert 2 <= killed.checkpoint < 8  # stopped half-way
    enrolment_round.refresh_from_db()
    assert enrolment_round.status == RoundStatus.OPEN  # not published half-written
    assert DrawEntry.objects.filter(round=enrolment_round).exists()

    time.sleep(settings.RUN_STALE_SECONDS + 0.5)
    with celery_worker(tmp_path, "rescuer", ALLOCATION_CHUNK_SIZE=CHUNK):
        assert runs.resume_stale_runs() == {"schooling.draw": [run.pk]}
        wait_for(
            lambda: AllocationRun.objects.filter(
                pk=run.pk, status=AllocationRunStatus.DONE
            ).exists(),
            timeout=300,
            what="the draw to be resumed and finished",
        )

    enrolment_round.refresh_from_db()
    assert enrolment_round.status == RoundStatus.ALLOCATED
    offers = Offer.objects.filter(round=enrolment_round)
    assert offers.count() == sum(SEATS.values())  # 0 lost
    assert not offers.values("application").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert DrawEntry.objects.filter(round=enrolment_round).count() == FAMILIES
    resumed = _result(enrolment_round)
    assert AllocationRun.objects.get(pk=run.pk).placed == sum(SEATS.values())

    # The same draw again, uninterrupted, in this process: the same offers and order.
    Offer.objects.filter(round=enrolment_round).delete()
    DrawEntry.objects.filter(round=enrolment_round).delete()
    AllocationRun.objects.filter(round=enrolment_round).delete()
    EnrolmentRound.objects.filter(pk=enrolment_round.pk).update(status=RoundStatus.OPEN)
    services.run_first_round(actor=education_all, round_id=enrolment_round.pk)

    assert _result(enrolment_round) == resumed
    forget_queued_messages()
