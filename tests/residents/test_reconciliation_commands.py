"""Operators' entry points: the reconcile and make_feed commands, the watched folder, the Celery
tasks, and the demo city's run."""

from __future__ import annotations

import random
from io import StringIO

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from portal import demo
from residents import bulk, selectors, tasks
from residents.models import (
    Discrepancy,
    DiscrepancyKind,
    FeedChannel,
    FieldTask,
    ReconciliationRun,
    RunStatus,
)
from residents.reconciliation import demo as reconciliation_demo
from residents.reconciliation import generator, matching
from residents.reconciliation import services as reconciliation
from tests import factories
from tests.residents.test_reconciliation_runs import insurance, write_feed

NO_FAULTS = ["--gone", "0", "--elsewhere", "0", "--unknown", "0", "--no-id", "0", "--bad", "0"]


@pytest.fixture
def tenant(other_resident, address_a):
    from tests.residents.conftest import make_person, register

    person = make_person(other_resident, seq=25, name="王芳")
    register(other_resident, person, address_a)
    return person


def test_make_feed_writes_a_feed_of_the_registry_that_reconcile_runs_with_a_progress_bar(
    tmp_path, tenant
):
    path = tmp_path / "insurance.csv"
    call_command(
        "make_feed", "social_insurance", str(path), *NO_FAULTS, "--gone", "1", stdout=StringIO()
    )
    out = StringIO()

    call_command("reconcile", "social_insurance", str(path), stdout=out)

    run = ReconciliationRun.objects.get()
    assert run.status == RunStatus.FINISHED
    assert run.feed.channel == FeedChannel.COMMAND
    assert run.discrepancies_by_kind == {"probably_departed": 1}
    printed = out.getvalue()
    assert "[##############################] 100%" in printed
    assert "insurance.csv" in printed


def test_make_feed_makes_again_the_synthetic_population_bulk_loaded(tmp_path, city, grid_a):
    for _ in range(4):
        factories.AddressFactory(grid=grid_a)
    address_ids = generator.synthetic_address_ids()
    today = timezone.localdate()
    bulk.load_persons(count=40, seed=7, address_ids=address_ids, today=today, write=lambda s: None)
    path = tmp_path / "population.csv"
    call_command(
        "make_feed",
        "social_insurance",
        str(path),
        *NO_FAULTS,
        "--population-seed",
        "7",
        "--population",
        "40",
        stdout=StringIO(),
    )

    run = reconciliation.reconcile_file(path=path, kind="social_insurance")

    assert (run.rows_read, run.rows_rejected, run.rows_matched) == (40, 0, 40)
    assert run.discrepancy_total == 0


def test_a_synthetic_feed_with_faults_has_rejects_and_every_kind_it_was_asked_for(
    tmp_path, city, grid_a
):
    for _ in range(6):
        factories.AddressFactory(grid=grid_a)
    address_ids = generator.synthetic_address_ids()
    today = timezone.localdate()
    bulk.load_persons(count=400, seed=3, address_ids=address_ids, today=today, write=lambda s: None)
    path = tmp_path / "hukou.csv"
    with open(path, "wb") as out:
        generator.write_feed(
            out,
            kind="hukou",
            residents=generator.residents_from_seed(
                seed=3, count=400, address_ids=address_ids, today=today
            ),
            address_ids=address_ids,
            today=today,
            mix=generator.Mix(gone=0.1, elsewhere=0.1, unknown=0.1, no_id=0.1, bad=0.1),
        )

    run = reconciliation.reconcile_file(path=path, kind="hukou")

    assert run.rows_read == 400
    assert run.rows_rejected > 0
    assert run.rows_matched_by_name > 0
    assert set(run.discrepancies_by_kind) == {
        "probably_departed",
        "address_mismatch",
        "unregistered_resident",
    }


def test_reconcile_resumes_an_interrupted_run(tmp_path, tenant, monkeypatch):
    monkeypatch.setattr(matching, "find", _fail)
    path = write_feed(tmp_path, "social_insurance", [insurance(tenant, status="停保")])
    with pytest.raises(CommandError):
        call_command("reconcile", "social_insurance", str(path), "--no-progress", stdout=StringIO())
    run = ReconciliationRun.objects.get()
    assert run.status == RunStatus.INTERRUPTED

    monkeypatch.undo()
    call_command("reconcile", "--resume", str(run.pk), "--no-progress", stdout=StringIO())

    run.refresh_from_db()
    assert run.status == RunStatus.FINISHED


def _fail(*args, **kwargs):
    from portal.errors import InvalidInput

    raise InvalidInput("disk full")


def test_reconcile_refuses_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError):
        call_command("reconcile", "hotel", str(tmp_path / "missing.csv"), stdout=StringIO())


def test_the_watched_folder_is_picked_up_once(tmp_path, tenant, django_capture_on_commit_callbacks):
    inbox = tmp_path / "inbox"
    (inbox / "social_insurance").mkdir(parents=True)
    (inbox / "hotel").mkdir()
    write_feed(inbox / "social_insurance", "social_insurance", [insurance(tenant)], name="a.csv")
    write_feed(inbox / "hotel", "hotel", [], name="b.csv.part")
    write_feed(inbox / "hotel", "hotel", [], name="c.csv", header=["姓名"])

    with django_capture_on_commit_callbacks() as callbacks:
        call_command("reconcile", "--watch", str(inbox), stdout=StringIO())
        call_command("reconcile", "--watch", str(inbox), stdout=StringIO())

    run = ReconciliationRun.objects.get()
    assert (run.status, run.feed.channel, run.feed.original_name) == (
        RunStatus.QUEUED,
        FeedChannel.FOLDER,
        "a.csv",
    )
    assert len(callbacks) == 1
    assert (inbox / "social_insurance" / "processed" / "a.csv").exists()
    assert not (inbox / "social_insurance" / "a.csv").exists()
    assert (inbox / "hotel" / "b.csv.part").exists()
    assert (inbox / "hotel" / "refused" / "c.csv").exists()


def test_the_folder_task_reads_the_configured_inbox(settings, tmp_path, tenant):
    assert tasks.collect_feeds() == 0
    settings.RECONCILIATION_INBOX = str(tmp_path)
    (tmp_path / "social_insurance").mkdir()
    write_feed(tmp_path / "social_insurance", "social_insurance", [insurance(tenant)])

    assert tasks.collect_feeds() == 1


def test_the_worker_task_runs_once_and_a_redelivery_changes_nothing(tmp_path, tenant):
    path = write_feed(tmp_path, "social_insurance", [insurance(tenant, status="停保")])
    with open(path, "rb") as source:
        feed, _ = reconciliation.receive_feed(
            kind="social_insurance", source=source, original_name="a.csv", channel="command"
        )
    run = reconciliation.start_run(feed_id=feed.pk, enqueue=False)

    assert tasks.reconcile_feed(run.pk) == RunStatus.FINISHED
    before = (Discrepancy.objects.count(), FieldTask.objects.count())
    assert tasks.reconcile_feed(run.pk) == RunStatus.FINISHED
    assert (Discrepancy.objects.count(), FieldTask.objects.count()) == before


def test_the_worker_task_leaves_a_run_another_worker_holds(tmp_path, tenant):
    path = write_feed(tmp_path, "social_insurance", [insurance(tenant)])
    with open(path, "rb") as source:
        feed, _ = reconciliation.receive_feed(
            kind="social_insurance", source=source, original_name="a.csv", channel="command"
        )
    run = reconciliation.start_run(feed_id=feed.pk, enqueue=False)
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", [reconciliation.LOCK_CLASS, feed.pk])
        assert tasks.reconcile_feed(run.pk) == "in_progress"


def test_the_demo_city_has_a_finished_run_on_officer1s_task_list(db, settings):
    settings.DEMO_MODE = True
    ctx = demo.SeedContext(
        rng=random.Random(2026),
        options={"seed": 2026, "persons": 0, "addresses_per_grid": None},
        write=lambda line: None,
    )
    for step in demo.steps():
        if step.name in ("areas", "accounts", "residents"):
            step.step(ctx)

    reconciliation_demo.seed(ctx)
    reconciliation_demo.seed(ctx)

    run = ReconciliationRun.objects.get()
    assert run.status == RunStatus.FINISHED
    assert run.rows_rejected == 2
    assert run.rows_matched_by_name == 1
    assert set(run.discrepancies_by_kind) == {
        "probably_departed",
        "address_mismatch",
        "unregistered_resident",
    }
    officer = ctx.made["users"]["officer1"]
    raised = selectors.open_field_tasks_of(officer).filter(
        source="reconciliation", source_ref__in=DiscrepancyKind.values
    )
    assert set(raised.values_list("source_ref", flat=True)) == set(run.discrepancies_by_kind)
    assert raised.count() == run.discrepancy_total


def test_stalled_runs_are_handed_back_and_runs_a_worker_holds_are_left(
    tmp_path, tenant, django_capture_on_commit_callbacks
):
    runs = []
    for period in ("2026-09", "2026-10"):
        path = write_feed(tmp_path, "social_insurance", [insurance(tenant, period=period)])
        with open(path, "rb") as source:
            feed, _ = reconciliation.receive_feed(
                kind="social_insurance", source=source, original_name="a.csv", channel="command"
            )
        runs.append(reconciliation.start_run(feed_id=feed.pk, enqueue=False))
    held = runs[1].feed_id
    with (
        psycopg.connect(**connection.get_connection_params(), autocommit=True) as other,
        django_capture_on_commit_callbacks() as callbacks,
    ):
        other.execute("SELECT pg_advisory_lock(%s, %s)", [reconciliation.LOCK_CLASS, held])
        resumed = tasks.resume_reconciliation_runs()

    assert resumed == 1
    assert len(callbacks) == 1
