"""Reading feed files: encodings, formats, headers and rows the reader cannot read."""

from __future__ import annotations

import codecs
import io

import pytest

from residents.models import FeedFormat, RejectReason
from residents.reconciliation import feeds

HEADER = "公民身份号码,姓名,出生日期,居住地址编码,参保地,缴费状态,缴费年月\n"


def reading(text: str, *, kind: str = "social_insurance", fmt: str = FeedFormat.CSV):
    binary = io.BytesIO(text.encode("utf-8"))
    return feeds.read(feeds.open_text(binary, "utf-8"), kind=feeds.kind_of(kind), fmt=fmt)


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        ("身份证号,姓名\n".encode(), "utf-8"),
        (codecs.BOM_UTF8 + "身份证号".encode(), "utf-8-sig"),
        ("身份证号,姓名\n".encode("gb18030"), "gb18030"),
        (b"id_number,name\n", "utf-8"),
        ("身份证号".encode()[:-1], "utf-8"),  # cut in the middle of a character
    ],
)
def test_the_encoding_is_read_from_the_start_of_the_file(content, encoding):
    assert feeds.detect_encoding(content) == encoding


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("a.csv", "csv"), ("a.JSONL", "jsonl"), ("a.ndjson", "jsonl"), ("a.txt", "csv")],
)
def test_the_format_is_read_from_the_file_name(name, fmt):
    assert feeds.detect_format(name) == fmt


def test_each_record_is_passed_on_with_its_row_number_and_the_unreadable_ones_with_a_problem():
    read = reading(
        HEADER
        + "110105194912310021,李四,,,330302,正常缴费,2026-10\n"
        + "\n"
        + "110105194912310021,李四\n"
        + '110105194912310021,"李,四",,,330302,正常缴费,2026-10\n'
    )

    text = "".join(read.blocks)

    assert read.rows == 3
    assert text.splitlines() == [
        "1,,110105194912310021,李四,,,330302,正常缴费,2026-10",
        f'2,{RejectReason.WRONG_COLUMNS.value},"110105194912310021,李四",,,,,,',
        '3,,"110105194912310021","李,四","","","330302","正常缴费","2026-10"',
    ]


def test_the_header_is_matched_by_any_accepted_name_and_unknown_columns_are_kept_aside():
    read = reading("PERIOD, 单位名称 ,ID_Number,payment_status,insured_place,name\n")

    assert read.layout.fields == {
        "event_date": "c1",
        "id_number": "c3",
        "status": "c4",
        "place": "c5",
        "name": "c6",
    }
    assert read.layout.columns[1] == ("c2", "单位名称")


def test_a_header_without_a_required_column_cannot_be_reconciled():
    with pytest.raises(feeds.FeedUnreadable) as refused:
        reading("身份证号,姓名,参保地\n")

    assert "缴费状态" in str(refused.value.message)
    assert "缴费年月" in str(refused.value.message)


def test_a_column_named_twice_cannot_be_reconciled():
    with pytest.raises(feeds.FeedUnreadable):
        reading("身份证号,公民身份号码,姓名,参保地,缴费状态,缴费年月\n")


def test_an_empty_file_cannot_be_reconciled():
    with pytest.raises(feeds.FeedUnreadable):
        reading("\n\n")


def test_json_lines_are_passed_on_in_the_declared_column_order():
    read = reading(
        '{"姓名": "李四", "迁移类型": "迁出", "身份证号": "110105194912310021", "x": [1]}\n'
        '{"迁移日期": 20261008}\n'
        '"just a string"\n',
        kind="hukou",
        fmt=FeedFormat.JSONL,
    )

    lines = "".join(read.blocks).splitlines()

    assert lines[0] == '1,,"110105194912310021","李四",,"迁出",,'
    assert lines[1] == '2,,,,,,"20261008",'
    assert lines[2].startswith(f"3,{RejectReason.BAD_JSON.value},")
