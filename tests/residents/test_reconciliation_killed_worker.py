"""A reconciliation whose worker is SIGKILLed between its steps resumes by itself from its last
checkpoint: every discrepancy and field task once (0 lost, 0 duplicated)."""

from __future__ import annotations

import time

import pytest
from django.db.models import Count

from portal import runs
from residents.models import (
    Discrepancy,
    DiscrepancyKind,
    FeedChannel,
    FieldTask,
    ReconciliationRun,
    RunStatus,
    RunStep,
)
from residents.reconciliation import services as reconciliation
from tests.killed_worker import celery_worker, forget_queued_messages, kill, wait_for
from tests.residents.conftest import make_person, register
from tests.residents.test_reconciliation_runs import insurance, write_feed

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PERSONS = 40


def test_a_reconciliation_killed_mid_run_resumes_and_raises_everything_once(
    tmp_path, address_a, settings
):
    from tests import factories

    persons = []
    for i in range(PERSONS):
        user = factories.UserFactory(username=f"insured{i}")
        person = make_person(user, seq=i + 1, name=f"住户{i}")
        register(user, person, address_a)
        persons.append(person)
    path = write_feed(
        tmp_path, "social_insurance", [insurance(p, status="暂停缴费") for p in persons]
    )
    with open(path, "rb") as source:
        feed, _new = reconciliation.receive_feed(
            kind="social_insurance",
            source=source,
            original_name=path.name,
            channel=FeedChannel.COMMAND,
        )
    forget_queued_messages()
    settings.RUN_STALE_SECONDS = 2

    with celery_worker(tmp_path, "doomed", HEAVY_JOB_CHUNK_PAUSE_SECONDS="3") as doomed:
        run = reconciliation.start_run(feed_id=feed.pk)  # queued on commit
        wait_for(
            lambda: ReconciliationRun.objects.filter(
                pk=run.pk, status=RunStatus.RUNNING, step__in=[RunStep.LOADED, RunStep.MATCHED]
            ).exists(),
            timeout=90,
            what="the run to pass a checkpoint",
        )
        kill(doomed)

    stopped = ReconciliationRun.objects.get(pk=run.pk)
    assert stopped.status == RunStatus.RUNNING
    assert not Discrepancy.objects.exists()

    time.sleep(settings.RUN_STALE_SECONDS + 0.5)
    with celery_worker(tmp_path, "rescuer"):
        assert runs.resume_stale_runs() == {"residents.reconciliation": [run.pk]}
        wait_for(
            lambda: ReconciliationRun.objects.filter(pk=run.pk, status=RunStatus.FINISHED).exists(),
            timeout=90,
            what="the resumed run to finish",
        )

    found = Discrepancy.objects.filter(run_id=run.pk)
    assert found.filter(kind=DiscrepancyKind.PROBABLY_DEPARTED).count() == PERSONS  # 0 lost
    assert found.count() == PERSONS  # 0 duplicated
    assert not found.values("person").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert FieldTask.objects.count() == PERSONS
    assert ReconciliationRun.objects.get(pk=run.pk).attempts == 2
    forget_queued_messages()
