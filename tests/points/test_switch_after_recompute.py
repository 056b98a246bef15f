"""A new rule-set version comes into force only once its recompute has finished."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from points import selectors
from points.models import RecomputeRun, RunStatus
from points.services import ledger, rules
from tests.points.conftest import make_person, make_sheet
from tests.points.test_ledger import BASIC

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_today(zhongshan, admin_user):
    for i in range(3):
        ledger.score_sheet(
            sheet=make_sheet(make_person(seq=61 + 2 * i), **BASIC), rule_set=zhongshan
        )
    zhongshan.__class__.objects.filter(pk=zhongshan.pk).update(
        effective_from=timezone.localdate() - dt.timedelta(days=400)
    )
    draft = rules.new_version(actor=admin_user, rule_set_id=zhongshan.pk)
    run = rules.publish_rule_set(actor=admin_user, rule_set_id=draft.pk)
    return zhongshan, draft, run


def test_the_previous_version_stays_in_force_while_the_recompute_runs(published_today):
    previous, new, run = published_today
    assert new.effective_from <= timezone.localdate()

    assert selectors.rule_set_in_force() == previous
    RecomputeRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, done=1)
    assert selectors.rule_set_in_force() == previous


def test_the_new_version_is_in_force_once_every_score_is_written(published_today):
    _previous, new, run = published_today

    finished = ledger.run_recompute(run_id=run.pk)

    assert finished.status == RunStatus.DONE
    assert selectors.rule_set_in_force() == new


def test_a_failed_recompute_keeps_the_previous_version(published_today):
    previous, _new, run = published_today
    RecomputeRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED)
    assert selectors.rule_set_in_force() == previous
