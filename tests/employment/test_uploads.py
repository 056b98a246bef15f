"""Worker lists: Excel or CSV (UTF-8, UTF-8 with BOM, GB18030), a reject report naming row and
field with every problem at once, one transaction per accepted row, valid rows kept."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import Workbook

from employment import services
from employment.models import Employment, WorkerUpload
from employment.services.uploads import MAX_ROWS, parse_date
from portal.errors import InvalidInput, NotFound
from residents.models import Person, Registration, Source
from tests.employment.conftest import bad_id, worker_id


def day(days_ago: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=days_ago)).isoformat()


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    return "\n".join(",".join(row) for row in rows).encode(encoding)


def starts(rows, *, dormitory: bool = False) -> list[list[str]]:
    heading = ["姓名", "身份证号", "入职日期", "岗位"] + (["宿舍编号"] if dormitory else [])
    return [heading, *rows]


def upload(user, employer, content: bytes, *, filename="workers.csv", action="start"):
    return services.upload_worker_list(
        actor=user, employer_id=employer.pk, action=action, filename=filename, content=content
    )


def test_valid_rows_are_kept_and_the_bad_row_is_reported_by_row_and_field(employer, employer_user):
    # Given: three rows, the second with a bad ID number AND a bad date.
    content = csv_bytes(
        starts(
            [
                ["赵磊", worker_id(41), day(2), "车工"],
                ["钱芳", bad_id(42), "2026-02-30", "质检"],
                ["孙伟", worker_id(43), day(3), ""],
            ]
        )
    )

    # When
    result = upload(employer_user, employer, content)

    # Then: two declared, the bad row reported with both problems, nothing of it written.
    assert (result.rows_total, result.rows_accepted, result.rows_rejected) == (3, 2, 1)
    assert {(p["row"], p["field"]) for p in result.problems} == {
        (3, "id_number"),
        (3, "start_date"),
    }
    assert Employment.objects.filter(upload=result).count() == 2
    assert not Person.objects.filter(name="钱芳").exists()
    stored = WorkerUpload.objects.get(pk=result.pk)
    assert stored.rows_accepted == 2
    assert len(stored.problems) == 2


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_each_encoding_chinese_spreadsheets_save(employer, employer_user, encoding):
    content = csv_bytes(starts([["周杰", worker_id(44), day(1), "搬运"]]), encoding)
    result = upload(employer_user, employer, content)
    assert result.rows_accepted == 1
    assert Employment.objects.get(upload=result).person.name == "周杰"


def test_an_excel_list_with_dates_as_cells_and_a_dormitory(employer, employer_user, dormitory):
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "入职日期", "宿舍编号"])
    sheet.append(["吴昊", worker_id(45), timezone.localdate() - dt.timedelta(days=2), dormitory.pk])
    sheet.append(["郑洁", worker_id(46), "2026/1/5", ""])
    sheet.append(["王强", "not a number", "yesterday", "宿舍A"])
    buffer = io.BytesIO()
    book.save(buffer)

    result = upload(employer_user, employer, buffer.getvalue(), filename="名单.xlsx")

    assert result.rows_accepted == 2
    assert {(p["row"], p["field"]) for p in result.problems} == {
        (4, "id_number"),
        (4, "start_date"),
        (4, "dormitory"),
    }
    housed = Employment.objects.get(person__name="吴昊")
    assert Registration.objects.get(pk=housed.registration_id).source == Source.EMPLOYER


def test_a_service_refusal_is_reported_on_its_row(employer, employer_user):
    # The same worker twice: the second row is refused by the declaration service.
    content = csv_bytes(
        starts([["赵磊", worker_id(47), day(2), ""], ["赵磊", worker_id(47), day(1), ""]])
    )
    result = upload(employer_user, employer, content)
    assert result.rows_accepted == 1
    assert [(p["row"], p["field"]) for p in result.problems] == [(3, "id_number")]


def test_a_list_of_ends(employer, employer_user):
    upload(employer_user, employer, csv_bytes(starts([["赵磊", worker_id(48), day(20), ""]])))
    content = csv_bytes(
        [["身份证号", "离职日期"], [worker_id(48), day(1)], [worker_id(49), day(1)]]
    )
    result = upload(employer_user, employer, content, action="end")
    assert result.rows_accepted == 1
    assert result.problems[0]["row"] == 3
    assert result.problems[0]["field"] == "id_number"
    assert Employment.objects.get(person__name="赵磊").end_date is not None


@pytest.mark.parametrize(
    ("filename", "content", "words"),
    [
        ("workers.txt", b"x", "Excel (.xlsx) or CSV"),
        ("workers.csv", "姓名,入职日期\n张三,2026-01-01".encode(), "missing"),
        ("workers.csv", "姓名,身份证号,入职日期\n".encode(), "no rows"),
        ("workers.xlsx", b"not a zip", "could not be read"),
    ],
)
def test_an_unreadable_file_is_refused_as_a_whole(
    employer, employer_user, filename, content, words
):
    with pytest.raises(InvalidInput) as refused:
        upload(employer_user, employer, content, filename=filename)
    assert words in refused.value.fields["file"][0]
    assert not WorkerUpload.objects.exists()


def test_another_employer_cannot_upload_for_this_one(employer, other_employer_user):
    with pytest.raises(NotFound):
        upload(
            other_employer_user, employer, csv_bytes(starts([["赵磊", worker_id(50), day(1), ""]]))
        )
    assert not Employment.objects.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-01", dt.date(2026, 3, 1)),
        ("2026/3/1", dt.date(2026, 3, 1)),
        ("2026年3月1日", dt.date(2026, 3, 1)),
        ("20260301", dt.date(2026, 3, 1)),
        ("2026-02-30", None),
        ("March", None),
    ],
)
def test_dates_in_the_forms_people_write(text, expected):
    assert parse_date(text) == expected


def test_a_list_longer_than_the_limit_is_refused_before_anything_is_written(
    employer, employer_user
):
    rows = [["赵磊", worker_id(60), day(1), ""]] * (MAX_ROWS + 1)
    with pytest.raises(InvalidInput) as refused:
        upload(employer_user, employer, csv_bytes(starts(rows)))
    assert "split the list" in refused.value.fields["file"][0]
    assert not WorkerUpload.objects.exists()
