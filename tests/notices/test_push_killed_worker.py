"""A policy push whose worker is SIGKILLed mid-run is pushed again by itself: every qualifying
resident gets the notice once (0 lost, 0 duplicated)."""

from __future__ import annotations

import time

import pytest
from django.db.models import Count

from portal import runs
from portal.notices import tasks
from portal.notices.models import PolicyNotice, PushRun, RunStatus
from tests.killed_worker import celery_worker, forget_queued_messages, kill, wait_for
from tests.notices.conftest import RENT, district_target, make_policy
from tests.notices.test_push_services import resident_at

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PERSONS = 30


def test_a_push_killed_mid_run_is_pushed_again_and_reaches_everyone_once(
    hr_staff, district_a, address_a, tmp_path, settings
):
    for _ in range(PERSONS):
        resident_at(address_a)
    policy = make_policy(hr_staff, target=district_target(district_a), publish=True, **RENT)
    forget_queued_messages()
    settings.RUN_STALE_SECONDS = 2

    with celery_worker(tmp_path, "doomed", HEAVY_JOB_CHUNK_PAUSE_SECONDS="5") as doomed:
        tasks.push_policy.delay(policy.pk)
        wait_for(
            lambda: PushRun.objects.filter(policy=policy, heartbeat_at__isnull=False).exists(),
            timeout=90,
            what="the push to be under way",
        )
        time.sleep(1)  # inside its one transaction, the audience staged
        kill(doomed)

    killed = PushRun.objects.get(policy=policy)
    assert killed.status == RunStatus.RUNNING
    assert not PolicyNotice.objects.exists()  # its transaction died with it

    time.sleep(settings.RUN_STALE_SECONDS + 0.5)
    with celery_worker(tmp_path, "rescuer"):
        assert runs.resume_stale_runs() == {"notices.push": [killed.pk]}
        wait_for(
            lambda: PushRun.objects.filter(policy=policy, status=RunStatus.DONE).exists(),
            timeout=90,
            what="the push to be made again",
        )

    notices = PolicyNotice.objects.filter(policy=policy)
    assert notices.count() == PERSONS  # 0 lost, 0 duplicated
    assert not notices.values("person").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert PushRun.objects.get(pk=killed.pk).status == RunStatus.INTERRUPTED
    forget_queued_messages()
