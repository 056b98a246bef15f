"""Nightly reconciliation: feeds checked, matched to the registry and turned into field tasks."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from stdnum.cn import ric

from residents import idnumber, selectors, services
from residents.models import (
    Discrepancy,
    DiscrepancyKind,
    FeedUpload,
    FieldTask,
    InsuranceMonth,
    Permit,
    ReconciliationRun,
    RejectedRow,
    RejectReason,
    RunStatus,
    RunStep,
    TaskKind,
    TaskStatus,
    VisitOutcome,
)
from residents.reconciliation import feeds, loader, matching
from residents.reconciliation import services as reconciliation
from tests import factories
from tests.residents.conftest import make_person, register

OTHER_CITY = "440300"
HERE = "330302"  # a county of the test city (330300)
UNKNOWN = factories.make_id_number(birth=dt.date(1988, 6, 1), seq=91, region="110105")


def write_feed(
    tmp_path: Path,
    kind: str,
    rows: list[list[object]],
    *,
    name: str = "feed.csv",
    encoding: str = "utf-8",
    header: list[str] | None = None,
) -> Path:
    """A CSV feed with the kind's documented header (or `header`)."""
    path = tmp_path / name
    with open(path, "w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header or [c.header for c in feeds.kind_of(kind).columns])
        writer.writerows(rows)
    return path


def reconcile(tmp_path: Path, kind: str, rows: list[list[object]], **kwargs) -> ReconciliationRun:
    rerun = kwargs.pop("rerun", False)
    path = write_feed(tmp_path, kind, rows, **kwargs)
    return reconciliation.reconcile_file(path=path, kind=kind, rerun=rerun)


def insurance(person, *, place=HERE, status="正常缴费", address="", period="2026-10"):
    return [person.id_number, person.name, "", address, place, status, period]


def home(person) -> int:
    return selectors.current_registration(person).address_id


def found(run: ReconciliationRun) -> set[tuple[str, int, int | None]]:
    return {(d.kind, d.address_id, d.person_id) for d in run.discrepancies.all()}


@pytest.fixture
def tenant(other_resident, address_a):
    """王芳, registered eight months ago at address_a in grid_a (officer_a's grid)."""
    person = make_person(other_resident, seq=25, name="王芳")
    register(other_resident, person, address_a)
    return person


@pytest.fixture
def address_a2(grid_a):
    return factories.AddressFactory(grid=grid_a)


@pytest.fixture
def address_b(grid_b):
    return factories.AddressFactory(grid=grid_b)


# --- the keyed hash in SQL ------------------------------------------------------------------


@pytest.mark.parametrize("key", ["short-key", "k" * 64, "a much longer key " * 8])
def test_the_keyed_hash_computed_in_sql_is_the_registrys(db, settings, key):
    settings.ID_NUMBER_HASH_KEY = key
    numbers = ["11010519491231002X", "440524188001010014", "360426199101010071"]
    ipad, opad = loader.hmac_pads()
    with connection.cursor() as cursor:
        for number in numbers:
            cursor.execute(
                "SELECT " + loader.keyed_hash_sql("%(n)s::text"),
                {"n": number, "ipad": ipad, "opad": opad},
            )
            assert cursor.fetchone()[0] == idnumber.keyed_hash(number)


# --- discrepancy kinds ------------------------------------------------------------------------


def test_insurance_stopped_here_marks_a_registered_person_probably_departed(tmp_path, tenant):
    run = reconcile(tmp_path, "social_insurance", [insurance(tenant, status="暂停缴费")])

    assert run.status == RunStatus.FINISHED
    assert found(run) == {(DiscrepancyKind.PROBABLY_DEPARTED, home(tenant), tenant.pk)}
    assert run.discrepancies_by_kind == {DiscrepancyKind.PROBABLY_DEPARTED: 1}


def test_insurance_started_in_another_city_marks_probably_departed(tmp_path, tenant):
    run = reconcile(tmp_path, "social_insurance", [insurance(tenant, place=OTHER_CITY)])

    assert found(run) == {(DiscrepancyKind.PROBABLY_DEPARTED, home(tenant), tenant.pk)}


def test_insurance_paid_here_at_the_registered_address_raises_nothing(tmp_path, tenant):
    run = reconcile(tmp_path, "social_insurance", [insurance(tenant, address=home(tenant))])

    assert run.status == RunStatus.FINISHED
    assert (run.rows_read, run.rows_rejected, run.rows_matched) == (1, 0, 1)
    assert found(run) == set()
    assert not FieldTask.objects.exists()


def test_no_utility_use_marks_everyone_registered_there_probably_departed(
    tmp_path, tenant, me, resident, address_a
):
    register(resident, me, address_a)
    run = reconcile(tmp_path, "utilities", [[address_a.pk, "", "", "2026-10", "0"]])

    assert found(run) == {
        (DiscrepancyKind.PROBABLY_DEPARTED, address_a.pk, tenant.pk),
        (DiscrepancyKind.PROBABLY_DEPARTED, address_a.pk, me.pk),
    }


def test_steady_utility_use_where_nobody_is_registered_is_an_unregistered_resident(
    tmp_path, tenant, address_a, address_a2
):
    run = reconcile(
        tmp_path,
        "utilities",
        [
            [address_a.pk, "", "", "2026-09", "120"],
            [address_a2.pk, "", "", "2026-09", "80"],
            [address_a2.pk, "", "", "2026-10", "95.5"],
        ],
    )

    assert found(run) == {(DiscrepancyKind.UNREGISTERED_RESIDENT, address_a2.pk, None)}
    assert run.discrepancies.get().rows == 2


def test_a_long_hotel_stay_of_someone_the_registry_does_not_know_is_an_unregistered_resident(
    tmp_path, address_a2
):
    today = timezone.localdate()
    long_ago = today - dt.timedelta(days=40)
    run = reconcile(
        tmp_path,
        "hotel",
        [
            [UNKNOWN, "赵客", "", address_a2.pk, f"{long_ago:%Y-%m-%d}", ""],
            [
                factories.make_id_number(birth=dt.date(1990, 1, 2), seq=93, region="110105"),
                "钱客",
                "",
                address_a2.pk,
                f"{today - dt.timedelta(days=3):%Y-%m-%d}",
                f"{today - dt.timedelta(days=1):%Y-%m-%d}",
            ],
        ],
    )

    discrepancy = run.discrepancies.get()
    assert (discrepancy.kind, discrepancy.address, discrepancy.person) == (
        DiscrepancyKind.UNREGISTERED_RESIDENT,
        address_a2,
        None,
    )
    assert discrepancy.observed_name == "赵客"
    assert run.rows_matched == 0


def test_a_hukou_move_in_at_another_address_is_an_address_mismatch_raised_where_they_live(
    tmp_path, tenant, address_a, address_b
):
    run = reconcile(
        tmp_path,
        "hukou",
        [[tenant.id_number, tenant.name, "", "迁入", "2026-10-08", address_b.pk]],
    )

    discrepancy = run.discrepancies.get()
    assert (discrepancy.kind, discrepancy.address, discrepancy.person) == (
        DiscrepancyKind.ADDRESS_MISMATCH,
        address_b,
        tenant,
    )
    assert discrepancy.registered_address == address_a


def test_a_hukou_move_out_marks_probably_departed(tmp_path, tenant):
    run = reconcile(
        tmp_path, "hukou", [[tenant.id_number, tenant.name, "", "迁出", "2026-10-08", ""]]
    )

    assert found(run) == {(DiscrepancyKind.PROBABLY_DEPARTED, home(tenant), tenant.pk)}


def test_a_permit_running_out_within_30_days_is_raised_while_the_holder_is_still_here(
    tmp_path, permit, me, time_machine
):
    time_machine.move_to(
        dt.datetime.combine(permit.valid_until - dt.timedelta(days=20), dt.time(9)), tick=False
    )
    run = reconcile(tmp_path, "social_insurance", [insurance(me)])

    assert found(run) == {(DiscrepancyKind.PERMIT_EXPIRING, permit.address_id, me.pk)}


def test_a_permit_running_out_later_raises_nothing(tmp_path, permit, me, time_machine):
    time_machine.move_to(
        dt.datetime.combine(permit.valid_until - dt.timedelta(days=45), dt.time(9)), tick=False
    )
    run = reconcile(tmp_path, "social_insurance", [insurance(me)])

    assert found(run) == set()


def test_a_permit_holder_no_longer_registered_is_raised_at_the_permit_address(tmp_path, permit, me):
    """Registrations ended outside the portal (records of the old system) leave such permits:
    the departure service itself cancels the permit."""
    me.registrations.update(end_date=timezone.localdate())
    run = reconcile(tmp_path, "social_insurance", [insurance(me)])

    assert found(run) == {(DiscrepancyKind.PERMIT_UNREGISTERED, permit.address_id, me.pk)}
    assert Permit.objects.get(pk=permit.pk).status == "valid"


def test_a_row_without_an_id_number_is_matched_by_name_birth_date_and_address(
    tmp_path, tenant, address_a
):
    run = reconcile(
        tmp_path,
        "social_insurance",
        [["", "王芳", f"{tenant.birth_date:%Y-%m-%d}", address_a.pk, HERE, "停保", "2026-10"]],
    )

    assert (run.rows_matched, run.rows_matched_by_name) == (1, 1)
    assert found(run) == {(DiscrepancyKind.PROBABLY_DEPARTED, address_a.pk, tenant.pk)}


def test_a_legacy_15_digit_number_is_matched(tmp_path, db, resident, address_a):
    person = services.create_own_person(
        actor=resident, name="老号码", id_number="110105491231002", phone="13800138000"
    )
    register(resident, person, address_a)
    run = reconcile(
        tmp_path,
        "social_insurance",
        [["110105491231002", "老号码", "", "", HERE, "停保", "2026-10"]],
    )

    assert run.rows_matched == 1
    assert found(run) == {(DiscrepancyKind.PROBABLY_DEPARTED, address_a.pk, person.pk)}


def test_dates_in_the_common_written_forms_are_read(tmp_path, address_a2):
    forms = ["2026/9/1", "2026年9月1日", "20260901", "2026-09-01 08:30:00", "2026.09.01"]
    rows = [
        [
            factories.make_id_number(birth=dt.date(1990, 1, 2), seq=101 + 2 * i, region="110105"),
            f"客{i}",
            "",
            address_a2.pk,
            form,
            "2026-10-20",
        ]
        for i, form in enumerate(forms)
    ]
    run = reconcile(tmp_path, "hotel", rows)

    assert run.rows_rejected == 0
    assert run.discrepancies.get().rows == len(forms)


# --- the reject report -------------------------------------------------------------------------


def test_rows_that_fail_validation_are_kept_with_their_reason_and_never_stop_the_run(
    tmp_path, tenant, address_a
):
    good = tenant.id_number
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    rows = [
        insurance(tenant, status="停保"),
        [wrong_check, "王芳", "", "", HERE, "正常缴费", "2026-10"],
        [good, "王芳", "", "999999", HERE, "正常缴费", "2026-10"],
        [good, "王芳", "", "", HERE, "正常缴费", "2026-13"],
        [good, "王芳", "", "", HERE, "不知道", "2026-10"],
        [good, "王芳", "", "", "", "正常缴费", "2026-10"],
        [good, "王芳", "", "", "33AB", "正常缴费", "2026-10"],
        ["", "无名", "", "", HERE, "正常缴费", "2026-10"],
        [good, "王芳", "", "", HERE],
    ]
    run = reconcile(tmp_path, "social_insurance", rows)

    assert run.status == RunStatus.FINISHED
    assert (run.rows_read, run.rows_rejected, run.rows_matched) == (9, 8, 1)
    report = {r.row_no: (r.reason, r.column, r.value) for r in RejectedRow.objects.filter(run=run)}
    assert report == {
        2: (RejectReason.BAD_ID_NUMBER, "公民身份号码", wrong_check),
        3: (RejectReason.UNKNOWN_ADDRESS, "居住地址编码", "999999"),
        4: (RejectReason.BAD_DATE, "缴费年月", "2026-13"),
        5: (RejectReason.BAD_CHOICE, "缴费状态", "不知道"),
        6: (RejectReason.MISSING_VALUE, "参保地", ""),
        7: (RejectReason.BAD_DIVISION, "参保地", "33AB"),
        8: (RejectReason.NO_IDENTITY, "公民身份号码", ""),
        9: (RejectReason.WRONG_COLUMNS, "", ""),
    }
    bad_id = RejectedRow.objects.get(run=run, row_no=2)
    assert bad_id.raw["公民身份号码"] == wrong_check
    assert bad_id.raw["缴费状态"] == "正常缴费"
    assert RejectedRow.objects.get(run=run, row_no=9).raw == {"line": f"{good},王芳,,,{HERE}"}
    assert found(run) == {(DiscrepancyKind.PROBABLY_DEPARTED, address_a.pk, tenant.pk)}


def test_an_id_number_with_an_impossible_birth_date_is_rejected(tmp_path, db):
    body = "11010520991231002"  # born in 2099
    number = body + ric.calc_check_digit(body + "0")
    run = reconcile(
        tmp_path, "social_insurance", [[number, "未来", "", "", HERE, "正常缴费", "2026-10"]]
    )

    assert RejectedRow.objects.get(run=run).reason == RejectReason.BAD_ID_NUMBER


def test_bytes_that_are_not_text_in_the_files_encoding_reject_only_their_row(tmp_path, tenant):
    path = write_feed(tmp_path, "social_insurance", [insurance(tenant, status="停保")])
    with open(path, "ab") as out:
        out.write(b"\xff\xfe\xfd,x,,,330302,\xe6\xad\xa3,2026-10\n")
    run = reconciliation.reconcile_file(path=path, kind="social_insurance", encoding="utf-8")

    assert (run.rows_read, run.rows_rejected) == (2, 1)
    assert RejectedRow.objects.get(run=run).reason == RejectReason.BAD_ENCODING


def test_a_file_without_a_required_column_is_refused_when_received(tmp_path, tenant):
    header = ["身份证号", "姓名", "参保地", "缴费年月"]
    path = write_feed(
        tmp_path,
        "social_insurance",
        [[tenant.id_number, tenant.name, HERE, "2026-10"]],
        header=header,
    )

    with pytest.raises(feeds.FeedUnreadable) as refused:
        reconciliation.reconcile_file(path=path, kind="social_insurance")

    assert "缴费状态" in str(refused.value.message)
    assert not FeedUpload.objects.exists()
    assert not list((Path(settings.UPLOAD_ROOT) / "feeds").rglob("*.*"))


def test_a_feed_received_under_older_column_rules_fails_its_run_with_the_reason(
    tmp_path, tenant, monkeypatch
):
    path = write_feed(tmp_path, "social_insurance", [insurance(tenant)])
    with open(path, "rb") as source:
        feed, _ = reconciliation.receive_feed(
            kind="social_insurance", source=source, original_name="a.csv", channel="command"
        )
    stricter = dataclasses.replace(
        feeds.SOCIAL_INSURANCE,
        columns=(
            *feeds.SOCIAL_INSURANCE.columns,
            feeds.Column("usage", ("用工人数",), feeds.NUMBER, "用工人数", required=True),
        ),
    )
    monkeypatch.setitem(feeds.KINDS, "social_insurance", stricter)
    run = reconciliation.start_run(feed_id=feed.pk, enqueue=False)

    run = reconciliation.execute_run(run_id=run.pk)

    assert run.status == RunStatus.FAILED
    assert "用工人数" in run.error
    assert not Discrepancy.objects.exists()


def test_columns_are_found_by_any_of_their_names_in_any_order(tmp_path, tenant):
    header = ["period", "payment_status", "name", "id_number", "insured_place", "单位名称"]
    run = reconcile(
        tmp_path,
        "social_insurance",
        [["202610", "stopped", tenant.name, tenant.id_number.lower(), HERE, "某公司"]],
        header=header,
    )

    assert found(run) == {(DiscrepancyKind.PROBABLY_DEPARTED, home(tenant), tenant.pk)}


# --- encodings and formats ---------------------------------------------------------------------


def test_a_gb18030_file_is_detected_and_read(tmp_path, tenant, address_a):
    path = write_feed(
        tmp_path,
        "social_insurance",
        [
            [
                "",
                "王芳",
                f"{tenant.birth_date:%Y-%m-%d}",
                address_a.pk,
                HERE,
                "暂停缴费",
                "2026年10月",
            ]
        ],
        encoding="gb18030",
    )
    assert path.read_bytes().decode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")

    run = reconciliation.reconcile_file(path=path, kind="social_insurance")

    assert run.feed.encoding == "gb18030"
    assert run.rows_rejected == 0
    assert found(run) == {(DiscrepancyKind.PROBABLY_DEPARTED, address_a.pk, tenant.pk)}


def test_a_utf8_file_with_a_byte_order_mark_is_read(tmp_path, tenant):
    path = write_feed(
        tmp_path, "social_insurance", [insurance(tenant, status="停保")], encoding="utf-8-sig"
    )
    run = reconciliation.reconcile_file(path=path, kind="social_insurance")

    assert run.feed.encoding == "utf-8-sig"
    assert run.rows_rejected == 0
    assert run.rows_matched == 1


def test_a_json_lines_feed_in_gb18030_is_read(tmp_path, tenant, address_b):
    lines = [
        {
            "公民身份号码": tenant.id_number,
            "姓名": "王芳",
            "迁移类型": "迁入",
            "迁移日期": "2026-10-08",
            "地址编码": address_b.pk,
        },
        {"公民身份号码": tenant.id_number, "姓名": "王芳", "迁移类型": "迁入"},
        ["not", "an", "object"],
    ]
    path = tmp_path / "hukou.jsonl"
    path.write_bytes(
        "\n".join(json.dumps(x, ensure_ascii=False) for x in lines).encode("gb18030") + b"\n{bad"
    )
    run = reconciliation.reconcile_file(path=path, kind="hukou")

    assert run.feed.format == "jsonl"
    assert run.feed.encoding == "gb18030"
    assert run.rows_read == 4
    assert {r.row_no: r.reason for r in run.rejected_rows.all()} == {
        2: RejectReason.MISSING_VALUE,
        3: RejectReason.BAD_JSON,
        4: RejectReason.BAD_JSON,
    }
    assert found(run) == {(DiscrepancyKind.ADDRESS_MISMATCH, address_b.pk, tenant.pk)}


def test_quoted_fields_with_commas_and_line_breaks_are_one_row(tmp_path, tenant):
    path = tmp_path / "quoted.csv"
    header = ",".join(c.header for c in feeds.kind_of("social_insurance").columns)
    path.write_text(
        f'{header},单位名称\n{tenant.id_number},"王,芳",,,{HERE},停保,2026-10,"某某\n公司"\n',
        encoding="utf-8",
    )
    run = reconciliation.reconcile_file(path=path, kind="social_insurance")

    assert (run.rows_read, run.rows_rejected) == (1, 0)
    assert run.discrepancies.get().observed_name == "王,芳"


# --- runs: idempotent, resumable, one at a time ----------------------------------------------


def test_the_same_file_sent_twice_is_one_feed_and_changes_nothing(tmp_path, tenant):
    first = reconcile(tmp_path, "social_insurance", [insurance(tenant, status="停保")])
    before = (
        FeedUpload.objects.count(),
        ReconciliationRun.objects.count(),
        Discrepancy.objects.count(),
        FieldTask.objects.count(),
    )

    second = reconcile(tmp_path, "social_insurance", [insurance(tenant, status="停保")])

    assert second == first
    assert (
        FeedUpload.objects.count(),
        ReconciliationRun.objects.count(),
        Discrepancy.objects.count(),
        FieldTask.objects.count(),
    ) == before


def test_a_rerun_finds_the_same_discrepancies_and_raises_no_new_task(tmp_path, tenant, address_b):
    rows = [
        insurance(tenant, status="停保"),
        [UNKNOWN, "赵客", "", address_b.pk, HERE, "正常缴费", "2026-10"],
    ]
    first = reconcile(tmp_path, "social_insurance", rows)
    tasks = set(FieldTask.objects.values_list("pk", flat=True))

    again = reconcile(tmp_path, "social_insurance", rows, rerun=True)

    assert again != first
    assert found(again) == found(first)
    assert again.discrepancies_by_kind == first.discrepancies_by_kind
    assert (first.tasks_raised, again.tasks_raised) == (2, 0)
    assert set(FieldTask.objects.values_list("pk", flat=True)) == tasks
    assert {d.task_id for d in again.discrepancies.all()} == tasks


def _fail_after(monkeypatch, module, name, *, calls: int = 1):
    """Make module.name raise after it has run `calls` times, as a worker killed there would."""
    real = getattr(module, name)
    seen = {"n": 0}

    def failing(*args, **kwargs):
        result = real(*args, **kwargs)
        seen["n"] += 1
        if seen["n"] >= calls:
            raise RuntimeError("worker killed")
        return result

    monkeypatch.setattr(module, name, failing)


def test_an_error_in_the_middle_of_the_write_phase_leaves_the_old_state(
    tmp_path, tenant, monkeypatch
):
    _fail_after(monkeypatch, matching, "raise_tasks")
    path = write_feed(tmp_path, "social_insurance", [insurance(tenant, status="停保")])

    with pytest.raises(RuntimeError):
        reconciliation.reconcile_file(path=path, kind="social_insurance")

    run = ReconciliationRun.objects.get()
    assert (run.status, run.step) == (RunStatus.INTERRUPTED, RunStep.MATCHED)
    assert "worker killed" in run.error
    assert not FieldTask.objects.exists()
    assert not Discrepancy.objects.exists()

    monkeypatch.undo()
    resumed = reconciliation.execute_run(run_id=run.pk)

    assert (resumed.status, resumed.attempts) == (RunStatus.FINISHED, 2)
    assert found(resumed) == {(DiscrepancyKind.PROBABLY_DEPARTED, home(tenant), tenant.pk)}
    assert FieldTask.objects.count() == 1


def test_an_error_while_loading_restarts_the_load_on_resume(tmp_path, tenant, monkeypatch):
    monkeypatch.setattr(feeds, "BLOCK_ROWS", 1)
    _fail_after(monkeypatch, loader, "copy_block", calls=2)
    rows = [insurance(tenant, status="停保"), insurance(tenant, status="停保")]
    path = write_feed(tmp_path, "social_insurance", rows)

    with pytest.raises(RuntimeError):
        reconciliation.reconcile_file(path=path, kind="social_insurance")
    run = ReconciliationRun.objects.get()
    assert (run.status, run.step) == (RunStatus.INTERRUPTED, RunStep.NEW)

    monkeypatch.undo()
    resumed = reconciliation.execute_run(run_id=run.pk)

    assert resumed.status == RunStatus.FINISHED
    assert (resumed.rows_read, resumed.rows_rejected) == (2, 0)
    assert resumed.discrepancies.get().rows == 2


def test_a_run_left_running_by_a_dead_worker_resumes_after_its_checkpoint(
    tmp_path, tenant, monkeypatch
):
    def die(*args, **kwargs):
        raise SystemExit("worker process killed")

    monkeypatch.setattr(matching, "find", die)
    path = write_feed(tmp_path, "social_insurance", [insurance(tenant, status="停保")])
    with pytest.raises(SystemExit):
        reconciliation.reconcile_file(path=path, kind="social_insurance")
    run = ReconciliationRun.objects.get()
    assert (run.status, run.step) == (RunStatus.RUNNING, RunStep.MATCHED)

    monkeypatch.undo()
    monkeypatch.setattr(loader, "copy_block", _must_not_reload)
    resumed = reconciliation.execute_run(run_id=run.pk)

    assert (resumed.status, resumed.attempts) == (RunStatus.FINISHED, 2)
    assert resumed.discrepancy_total == 1


def _must_not_reload(*args, **kwargs):
    raise AssertionError("a resumed run loaded the file again")


def test_a_second_worker_is_refused_while_another_holds_the_feed(tmp_path, tenant):
    path = write_feed(tmp_path, "social_insurance", [insurance(tenant, status="停保")])
    with open(path, "rb") as source:
        feed, _ = reconciliation.receive_feed(
            kind="social_insurance", source=source, original_name="x.csv", channel="command"
        )
    run = reconciliation.start_run(feed_id=feed.pk, enqueue=False)
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", [reconciliation.LOCK_CLASS, feed.pk])
        with pytest.raises(reconciliation.RunInProgress):
            reconciliation.execute_run(run_id=run.pk)
        other.execute("SELECT pg_advisory_unlock(%s, %s)", [reconciliation.LOCK_CLASS, feed.pk])
    run.refresh_from_db()
    assert (run.status, run.attempts) == (RunStatus.QUEUED, 0)
    assert reconciliation.execute_run(run_id=run.pk).status == RunStatus.FINISHED


def test_a_social_insurance_run_keeps_its_months_only_after_another_has_kept_its_own(
    tmp_path, tenant
):
    # given another run's write phase holding the insurance months
    path = write_feed(tmp_path, "social_insurance", [insurance(tenant)])
    with open(path, "rb") as source:
        feed, _ = reconciliation.receive_feed(
            kind="social_insurance", source=source, original_name="x.csv", channel="command"
        )
    run = reconciliation.start_run(feed_id=feed.pk, enqueue=False)
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s, 0)", [matching.INSURANCE_MONTHS_LOCK])
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '300ms'")
        # when this run reaches its write phase, then it waits (here: until the timeout)
        with pytest.raises(OperationalError):
            reconciliation.execute_run(run_id=run.pk)
        assert not InsuranceMonth.objects.filter(person=tenant).exists()
        other.execute("SELECT pg_advisory_unlock(%s, 0)", [matching.INSURANCE_MONTHS_LOCK])
    # and once the other is done it keeps its months
    assert reconciliation.execute_run(run_id=run.pk).status == RunStatus.FINISHED
    assert InsuranceMonth.objects.filter(person=tenant, run=run).count() == 1


def test_a_feed_has_one_active_run_at_a_time(tmp_path, tenant):
    path = write_feed(tmp_path, "social_insurance", [insurance(tenant)])
    with open(path, "rb") as source:
        feed, _ = reconciliation.receive_feed(
            kind="social_insurance", source=source, original_name="x.csv", channel="command"
        )
    first = reconciliation.start_run(feed_id=feed.pk, enqueue=False)

    assert reconciliation.start_run(feed_id=feed.pk, enqueue=False, rerun=True) == first
    with pytest.raises(IntegrityError), transaction.atomic():
        ReconciliationRun.objects.create(feed=feed, run_on=first.run_on, created_at=timezone.now())


def test_a_new_run_is_handed_to_a_worker_after_commit(
    tmp_path, tenant, django_capture_on_commit_callbacks
):
    path = write_feed(tmp_path, "social_insurance", [insurance(tenant)])
    with open(path, "rb") as source:
        feed, _ = reconciliation.receive_feed(
            kind="social_insurance", source=source, original_name="x.csv", channel="folder"
        )

    with django_capture_on_commit_callbacks() as callbacks:
        reconciliation.start_run(feed_id=feed.pk)

    assert len(callbacks) == 1


# --- field tasks ---------------------------------------------------------------------------


def test_discrepancies_land_on_the_task_list_of_the_addresss_grid_officers(
    tmp_path, tenant, officer_a, grid_b
):
    other_officer = factories.officer(grids=[grid_b], username="officer_b")
    run = reconcile(tmp_path, "social_insurance", [insurance(tenant, status="停保")])

    task = selectors.open_field_tasks_of(officer_a).get()
    assert (task.kind, task.person, task.address_id) == (
        TaskKind.VERIFY_DISCREPANCY,
        tenant,
        home(tenant),
    )
    assert (task.source, task.source_ref) == ("reconciliation", DiscrepancyKind.PROBABLY_DEPARTED)
    assert task.due_date == run.run_on + dt.timedelta(days=14)
    assert task.note
    assert run.discrepancies.get().task == task
    assert not selectors.open_field_tasks_of(other_officer).exists()


def test_one_open_task_per_person_and_kind_whatever_feed_finds_it(tmp_path, tenant):
    insurance_run = reconcile(tmp_path, "social_insurance", [insurance(tenant, status="停保")])
    hukou_run = reconcile(
        tmp_path,
        "hukou",
        [[tenant.id_number, tenant.name, "", "迁出", "2026-10-08", ""]],
        name="hukou.csv",
    )

    task = FieldTask.objects.get()
    assert insurance_run.discrepancies.get().task == task
    assert hukou_run.discrepancies.get().task == task
    assert hukou_run.tasks_raised == 0


def test_a_visit_closes_the_task_and_settles_the_discrepancy(tmp_path, tenant, officer_a):
    run = reconcile(tmp_path, "social_insurance", [insurance(tenant, status="停保")])
    discrepancy = run.discrepancies.get()
    assert not discrepancy.is_settled

    services.record_visit(
        actor=officer_a,
        client_id=uuid.uuid4(),
        address_id=discrepancy.address_id,
        outcome=VisitOutcome.DONE,
        present=[tenant.pk],
        task_findings={discrepancy.task_id: "租户在住，已核实"},
    )

    discrepancy.refresh_from_db()
    assert discrepancy.is_settled
    assert discrepancy.task.status == TaskStatus.CLOSED
    assert not selectors.open_field_tasks_of(officer_a).exists()


def test_after_a_visit_closed_the_task_the_next_feed_raises_a_new_one(tmp_path, tenant, officer_a):
    first = reconcile(tmp_path, "social_insurance", [insurance(tenant, status="停保")])
    services.record_visit(
        actor=officer_a,
        client_id=uuid.uuid4(),
        address_id=home(tenant),
        outcome=VisitOutcome.DONE,
        present=[tenant.pk],
        task_findings={first.discrepancies.get().task_id: "租户在住，已核实"},
    )

    later = reconcile(
        tmp_path,
        "social_insurance",
        [insurance(tenant, status="停保", period="2026-11")],
        name="next-month.csv",
    )

    assert later.tasks_raised == 1
    assert later.discrepancies.get().task.status == TaskStatus.OPEN


def test_a_task_a_visit_closes_while_the_run_writes_still_carries_the_discrepancy(
    tmp_path, tenant, officer_a, monkeypatch
):
    real = matching.raise_tasks

    def raise_then_visit(cursor, **kwargs):
        raised = real(cursor, **kwargs)
        task = FieldTask.objects.get()
        services.record_visit(
            actor=officer_a,
            client_id=uuid.uuid4(),
            address_id=task.address_id,
            outcome=VisitOutcome.DONE,
            present=[tenant.pk],
            task_findings={task.pk: "租户在住，已核实"},
        )
        return raised

    monkeypatch.setattr(matching, "raise_tasks", raise_then_visit)
    run = reconcile(tmp_path, "social_insurance", [insurance(tenant, status="停保")])

    assert run.status == RunStatus.FINISHED
    assert run.discrepancies.get().task.status == TaskStatus.CLOSED


def test_a_run_whose_staging_a_database_crash_emptied_loads_the_file_again(
    tmp_path, tenant, monkeypatch
):
    monkeypatch.setattr(matching, "match", _fail_now)
    rows = [insurance(tenant, status="停保"), ["123", "王芳", "", "", HERE, "停保", "2026-10"]]
    path = write_feed(tmp_path, "social_insurance", rows)
    with pytest.raises(RuntimeError):
        reconciliation.reconcile_file(path=path, kind="social_insurance")
    run = ReconciliationRun.objects.get()
    assert (run.step, run.rows_rejected) == (RunStep.LOADED, 1)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {loader.rows_table(run.pk)}")

    monkeypatch.undo()
    resumed = reconciliation.execute_run(run_id=run.pk)

    assert resumed.status == RunStatus.FINISHED
    assert (resumed.rows_read, resumed.rows_rejected) == (2, 1)
    assert RejectedRow.objects.filter(run=run).count() == 1
    assert resumed.discrepancy_total == 1


def _fail_now(*args, **kwargs):
    raise RuntimeError("worker killed")
