"""One heartbeat and one resumer for every heavy-job run (portal.runs), in process."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from points.models import RecomputeRun, RuleSet, RunKind, RunStatus
from portal import runs
from portal.celery import app

pytestmark = pytest.mark.django_db


@pytest.fixture
def recompute_run(db):
    from tests.conftest import _ensure_reference_data

    _ensure_reference_data()  # a transactional test's flush may have emptied the rule sets
    rule_set = RuleSet.objects.filter(status="published").first()
    assert rule_set is not None
    return RecomputeRun.objects.create(
        rule_set=rule_set, kind=RunKind.RECOMPUTE, status=RunStatus.RUNNING
    )


def test_beat_resumes_stale_runs_every_minute():
    entry = app.conf.beat_schedule["portal.resume_stale_runs"]
    assert entry["task"] == "portal.resume_stale_runs"
    assert entry["schedule"] == 60.0


def test_every_resumable_run_is_registered():
    assert set(runs.registered()) >= {
        "points.recompute",
        "residents.reconciliation",
        "notices.push",
        "schooling.draw",
        "housing.allocation",
    }


def test_a_run_beaten_for_by_a_live_worker_cannot_be_claimed(recompute_run, settings):
    settings.RUN_STALE_SECONDS = 60
    assert runs.claim(RecomputeRun, recompute_run.pk)
    assert not runs.claim(RecomputeRun, recompute_run.pk)


def test_a_run_whose_heartbeat_is_stale_can_be_claimed(recompute_run, settings):
    settings.RUN_STALE_SECONDS = 60
    RecomputeRun.objects.filter(pk=recompute_run.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(seconds=61)
    )
    assert runs.claim(RecomputeRun, recompute_run.pk)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_heartbeat_keeps_beating_while_the_job_works_and_releases_after(
    recompute_run, settings
):
    settings.RUN_HEARTBEAT_SECONDS = 0.2
    with runs.heartbeat(RecomputeRun, recompute_run.pk):
        first = RecomputeRun.objects.get(pk=recompute_run.pk).heartbeat_at
        time.sleep(0.7)
        later = RecomputeRun.objects.get(pk=recompute_run.pk).heartbeat_at
    assert later > first
    assert RecomputeRun.objects.get(pk=recompute_run.pk).heartbeat_at is None


def test_only_stale_runs_are_handed_back(
    recompute_run, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.RUN_STALE_SECONDS = 60
    queued = []
    monkeypatch.setattr("points.tasks.recompute.delay", queued.append)
    live = RecomputeRun.objects.create(
        rule_set=recompute_run.rule_set,
        kind=RunKind.RECOMPUTE,
        status=RunStatus.RUNNING,
        heartbeat_at=timezone.now(),
    )
    RecomputeRun.objects.filter(pk=recompute_run.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(minutes=5)
    )
    done = RecomputeRun.objects.create(
        rule_set=recompute_run.rule_set, kind=RunKind.RECOMPUTE, status=RunStatus.DONE
    )

    with django_capture_on_commit_callbacks(execute=True):
        resumed = runs.resume_stale_runs()

    assert resumed["points.recompute"] == [recompute_run.pk]
    assert queued == [recompute_run.pk]
    assert live.pk not in queued
    assert done.pk not in queued
