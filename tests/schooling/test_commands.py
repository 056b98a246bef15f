"""Operator commands: the draw from the command line, lapsing offers."""

from __future__ import annotations

from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from schooling import services
from schooling.models import Offer, OfferStatus, RoundStatus, Tenure
from tests.schooling.conftest import after, enter


def test_the_draw_and_lapsing_from_the_command_line(
    enrolment_round, schools, address_a, police_a, education_a, education_all
):
    enter(
        enrolment_round,
        username="cli",
        address=address_a,
        police=police_a,
        reviewer=education_a,
        choices=[schools["X"]],
        tenure=Tenure.OTHER,
    )
    services.commit_lottery_seed(actor=education_all, round_id=enrolment_round.pk)
    out = StringIO()

    with time_machine.travel(after(enrolment_round.preference_closes), tick=False):
        with pytest.raises(CommandError):
            call_command("school_draw", str(enrolment_round.pk), "--as", "edu_a", stdout=out)
        call_command("school_draw", str(enrolment_round.pk), "--as", "edu_all", stdout=out)
    with time_machine.travel(after(enrolment_round.offer_deadline), tick=False):
        call_command("expire_school_offers", stdout=out)

    enrolment_round.refresh_from_db()
    assert enrolment_round.status == RoundStatus.ALLOCATED
    assert Offer.objects.get().status == OfferStatus.EXPIRED


def test_a_queued_draw_is_handed_to_a_batch_worker_and_publishes_nothing_yet(
    enrolment_round,
    schools,
    address_a,
    police_a,
    education_a,
    education_all,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    from schooling import tasks
    from schooling.models import AllocationRun, AllocationRunStatus

    enter(
        enrolment_round,
        username="cli",
        address=address_a,
        police=police_a,
        reviewer=education_a,
        choices=[schools["X"]],
        tenure=Tenure.OTHER,
    )
    services.commit_lottery_seed(actor=education_all, round_id=enrolment_round.pk)
    queued = []
    monkeypatch.setattr(tasks.run_draw, "delay", queued.append)

    with time_machine.travel(after(enrolment_round.preference_closes), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            call_command(
                "school_draw",
                str(enrolment_round.pk),
                "--as",
                "edu_all",
                "--queue",
                stdout=StringIO(),
            )
        with pytest.raises(CommandError):  # one draw at a time
            call_command(
                "school_draw", str(enrolment_round.pk), "--as", "edu_all", stdout=StringIO()
            )

    run = AllocationRun.objects.get(round=enrolment_round)
    assert queued == [run.pk]
    assert run.status == AllocationRunStatus.RUNNING
    enrolment_round.refresh_from_db()
    assert enrolment_round.status == RoundStatus.OPEN
    assert not Offer.objects.exists()

    with time_machine.travel(after(enrolment_round.preference_closes), tick=False):
        tasks.run_draw(run.pk)  # what the worker does

    enrolment_round.refresh_from_db()
    assert enrolment_round.status == RoundStatus.ALLOCATED
    assert Offer.objects.count() == 1
    assert AllocationRun.objects.get(pk=run.pk).status == AllocationRunStatus.DONE
