"""A push whose worker stopped beating is marked interrupted and pushed again, once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from portal import runs
from portal.notices.models import PushRun, RunStatus, RunTrigger
from tests.notices.conftest import district_target, make_policy

pytestmark = pytest.mark.django_db


def test_a_stale_push_is_marked_interrupted_and_pushed_again(
    hr_staff, district_a, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.RUN_STALE_SECONDS = 60
    queued = []
    monkeypatch.setattr("portal.notices.tasks.push_policy.delay", lambda *args: queued.append(args))
    policy = make_policy(hr_staff, target=district_target(district_a))
    long_ago = timezone.now() - dt.timedelta(minutes=5)
    stale = PushRun.objects.create(
        policy=policy, trigger=RunTrigger.PUBLISH, on=timezone.localdate(), started_at=long_ago
    )
    live = PushRun.objects.create(
        policy=policy,
        trigger=RunTrigger.PUBLISH,
        on=timezone.localdate(),
        started_at=long_ago,
        heartbeat_at=timezone.now(),
    )

    with django_capture_on_commit_callbacks(execute=True):
        runs.resume_stale_runs()
        runs.resume_stale_runs()  # a second beat finds nothing more to do

    stale.refresh_from_db()
    live.refresh_from_db()
    assert stale.status == RunStatus.INTERRUPTED
    assert live.status == RunStatus.RUNNING
    assert queued == [(policy.pk, RunTrigger.PUBLISH)]
