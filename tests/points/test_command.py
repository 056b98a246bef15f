"""`manage.py points_recompute`: the operator's way to run or resume the job."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from points.models import RecomputeRun, RunStatus, Score
from points.services import ledger, rules
from tests.points.conftest import make_person, make_sheet


def test_the_command_recomputes_under_the_rules_in_force(zhongshan):
    for i in range(3):
        make_sheet(make_person(seq=61 + 2 * i), education=["bachelor"], has_permit=True)
    out = StringIO()
    call_command("points_recompute", "--chunk-size", "2", stdout=out)
    run = RecomputeRun.objects.get()
    assert (run.status, run.done, run.written) == (RunStatus.DONE, 3, 3)
    assert Score.objects.filter(rule_set=zhongshan, is_current=True).count() == 3
    assert str(run.pk) in out.getvalue()


def test_the_command_previews_a_draft(zhongshan, admin_user):
    make_sheet(make_person(seq=71), education=["bachelor"], has_permit=True, work_years_city=2)
    draft = rules.new_version(actor=admin_user, rule_set_id=zhongshan.pk)
    out = StringIO()
    call_command("points_recompute", "--rule-set", str(draft.pk), "--preview", stdout=out)
    assert "school" in out.getvalue()
    assert not Score.objects.exists()


def test_the_command_refuses_to_recompute_under_a_draft(zhongshan, admin_user):
    draft = rules.new_version(actor=admin_user, rule_set_id=zhongshan.pk)
    with pytest.raises(CommandError):
        call_command("points_recompute", "--rule-set", str(draft.pk), stdout=StringIO())


def test_the_command_resumes_a_failed_run(zhongshan):
    make_sheet(make_person(seq=81), education=["bachelor"])
    run = RecomputeRun.objects.create(rule_set=zhongshan, kind="recompute")
    ledger._fail(run.pk, RuntimeError("worker lost"))
    call_command("points_recompute", "--run", str(run.pk), stdout=StringIO())
    run.refresh_from_db()
    assert (run.status, run.done) == (RunStatus.DONE, 1)
