"""Two answers sent at the same moment by the same resident leave one response."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from portal.surveys import services
from portal.surveys.models import Answer, Response
from tests.surveys.test_services import answers_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_two_submits_at_once_leave_one_response(survey, me):
    answers = answers_for(survey, text="同时提交")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit():
        try:
            barrier.wait()
            services.submit_response(actor=me.user, survey_id=survey.pk, answers=answers)
            outcomes.append("ok")
        except services.AlreadyAnswered:
            outcomes.append("already answered")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already answered", "ok"]
    assert Response.objects.filter(survey=survey).count() == 1
    assert Answer.objects.filter(response__survey=survey).count() == 4
