"""An allocation whose worker is SIGKILLed mid-run resumes by itself: beat hands the run back,
the same pairs are computed again and only the missing chunks are written. After it every unit
is offered once (0 lost, 0 duplicated), exactly as an uninterrupted allocation offers them, and
no household saw an offer of the run before it finished."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db.models import Count
from django.utils import timezone

from housing import selectors, services
from housing.models import (
    AllocationRun,
    AllocationRunStatus,
    ApplicationRound,
    HousingProject,
    HousingUnit,
    Offer,
    UnitType,
)
from portal import runs
from tests.housing.conftest import open_round, qualified
from tests.killed_worker import celery_worker, forget_queued_messages, kill, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

UNITS, HOUSEHOLDS = 6, 8
CHUNK = "1"  # one offer per chunk


def _pairs(project: HousingProject) -> set[tuple[int, int, str]]:
    return set(
        Offer.objects.filter(unit__project=project).values_list(
            "unit_id", "application_id", "status"
        )
    )


def test_an_allocation_killed_mid_run_resumes_and_offers_every_unit_once_as_uninterrupted(
    district_a, housing_a, address_a, police_a, rules_in_force, tmp_path, settings
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
    forget_queued_messages()
    settings.RUN_STALE_SECONDS = 2

    with celery_worker(
        tmp_path, "doomed", HEAVY_JOB_CHUNK_PAUSE_SECONDS="1", ALLOCATION_CHUNK_SIZE=CHUNK
    ) as doomed:
        assert services.allocate_round(actor=housing_a, round_id=housing_round.pk, queue=True) == 0
        run = AllocationRun.objects.get(round=housing_round)
        wait_for(
            lambda: AllocationRun.objects.filter(pk=run.pk, checkpoint__gte=2).exists(),
            timeout=300,
            what="the allocation to have written some chunks",
        )
        kill(doomed)

    killed = AllocationRun.objects.get(pk=run.pk)
    assert killed.status == AllocationRunStatus.RUNNING
    assert 2 <= killed.checkpoint < UNITS  # stopped half-way
    written = Offer.objects.filter(run=killed)
    assert written.exists()
    owners = {
        offer.application.case.applicant for offer in written.select_related("application__case")
    }
    assert not any(selectors.offers_of(owner).exists() for owner in owners)  # not shown yet

    time.sleep(settings.RUN_STALE_SECONDS + 0.5)
    with celery_worker(tmp_path, "rescuer", ALLOCATION_CHUNK_SIZE=CHUNK):
        assert runs.resume_stale_runs() == {"housing.allocation": [run.pk]}
        wait_for(
            lambda: AllocationRun.objects.filter(
                pk=run.pk, status=AllocationRunStatus.DONE
            ).exists(),
            timeout=300,
            what="the allocation to be resumed and finished",
        )

    offers = Offer.objects.filter(unit__project=project)
    assert offers.count() == UNITS == AllocationRun.objects.get(pk=run.pk).offers_made
    assert not offers.values("unit").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert not offers.values("application").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert all(selectors.offers_of(owner).exists() for owner in owners)
    resumed = _pairs(project)

    # The same allocation again, uninterrupted, in this process: the same pairs.
    Offer.objects.filter(unit__project=project).delete()
    AllocationRun.objects.filter(round=housing_round).delete()
    assert services.allocate_round(actor=housing_a, round_id=housing_round.pk) == UNITS

    assert _pairs(project) == resumed
    forget_queued_messages()
