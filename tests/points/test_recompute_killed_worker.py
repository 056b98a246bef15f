"""A points recompute whose worker is SIGKILLed mid-run resumes by itself: 0 lost, 0 duplicated.

Until it has finished, the version it computes is not in force: nobody is left without a score
under the version in force.
"""

from __future__ import annotations

import time

import psutil
import pytest
from django.db.models import Count

from points import selectors
from points.models import RecomputeRun, RunStatus, Score
from points.services import ledger, rules
from portal import runs
from tests.killed_worker import celery_worker, forget_queued_messages, kill, wait_for
from tests.points.conftest import make_person, make_sheet
from tests.points.test_ledger import BASIC

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PERSONS = 200


def test_a_recompute_killed_mid_run_resumes_and_writes_every_score_once(
    zhongshan, admin_user, tmp_path, settings
):
    for i in range(PERSONS):
        sheet = make_sheet(make_person(seq=i + 1), **BASIC)
        ledger.score_sheet(sheet=sheet, rule_set=zhongshan)
    draft = rules.new_version(actor=admin_user, rule_set_id=zhongshan.pk)
    draft.services.filter(service="school").update(threshold=70)
    forget_queued_messages()
    settings.RUN_STALE_SECONDS = 2

    with celery_worker(
        tmp_path,
        "doomed",
        POINTS_RECOMPUTE_CHUNK_SIZE="10",
        HEAVY_JOB_CHUNK_PAUSE_SECONDS="0.3",
    ) as doomed:
        run = rules.publish_rule_set(actor=admin_user, rule_set_id=draft.pk)  # queued on commit
        wait_for(
            lambda: RecomputeRun.objects.filter(pk=run.pk, done__gte=30).exists(),
            timeout=90,
            what="the recompute to be under way",
        )
        scoring = psutil.Process(doomed.pid).children(recursive=True)
        kill(doomed)
        # The scoring processes end with the worker that forked them.
        wait_for(
            lambda: not [p for p in scoring if p.is_running() and p.status() != "zombie"],
            timeout=30,
            what="the killed worker's scoring processes to end",
        )

    stopped = RecomputeRun.objects.get(pk=run.pk)
    assert stopped.status == RunStatus.RUNNING
    assert 0 < stopped.done < PERSONS
    assert selectors.rule_set_in_force() == zhongshan  # the new version waits for its scores

    time.sleep(settings.RUN_STALE_SECONDS + 0.5)  # the dead worker's heartbeat goes stale
    with celery_worker(tmp_path, "rescuer", POINTS_RECOMPUTE_CHUNK_SIZE="10"):
        assert runs.resume_stale_runs() == {"points.recompute": [run.pk]}  # what beat runs
        wait_for(
            lambda: RecomputeRun.objects.filter(pk=run.pk, status=RunStatus.DONE).exists(),
            timeout=90,
            what="the resumed recompute to finish",
        )

    finished = RecomputeRun.objects.get(pk=run.pk)
    entries = Score.objects.filter(rule_set=draft)
    assert finished.done == PERSONS
    assert entries.filter(is_current=True).count() == PERSONS  # 0 lost
    assert entries.count() == PERSONS  # 0 duplicated
    assert not entries.values("person").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert selectors.rule_set_in_force() == draft
    forget_queued_messages()
