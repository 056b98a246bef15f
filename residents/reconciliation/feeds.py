"""The department feeds the registry is reconciled against, and reading a feed file as a stream.

A feed kind declares its columns: the names a department's file may give each one (Chinese
first, as the department's system exports them, then English), the type of its values and
whether the file must have it. It also says what one row means for the registry (the row's
`signal`, an SQL expression over the row's checked values):

- social insurance (人社, one row per insured person and month): paying in this city shows
  the person is here; stopped, or insured in another city, shows they have probably left;
- utilities (水电气, one row per meter and period): usage at an address, read per address:
  none at an address where persons are registered, or steady use where nobody is;
- hukou moves (公安户籍): a move into this city at an address shows the person lives there,
  a move out shows they have left;
- hotel stays (旅馆住宿登记): a stay of 30 nights or more shows the guest lives at the hotel;
- telecom (通信运营商, one row per subscriber and month): the area where the subscriber's phone
  was seen most that month; seen only outside the city shows they have probably left, seen in
  the city shows they are here (an area is not an address, so it places nobody at a door).

Addresses are the portal's standard addresses, given by their code (the `id` of
/api/v1/addresses/). Files are CSV with a header row, or JSON lines (one object a line, keys
named like the CSV header), in UTF-8 (with or without a byte-order mark) or GB18030, told
apart by reading the start of the file.

Reading never holds a file whole: CSV text is passed on to PostgreSQL's own CSV parser in
blocks, each record prefixed with its row number; only records with quotes are parsed here.
A record that cannot be read (the wrong number of fields, bytes that are not text in the
file's encoding, a line that is not a JSON object) is passed on as an empty row carrying its
problem, so it lands in the reject report in its place and never stops the run.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import IO

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import DepartmentCode
from portal.errors import InvalidInput
from residents.models import FeedFormat, FeedKindCode, RejectReason

PERSON = "person"
ADDRESS = "address"

# Value types of a column; loader.py turns each into a checked SQL value.
ID_NUMBER = "id_number"
TEXT = "text"
DATE = "date"
MONTH = "month"  # a date, or a year and month (the first of the month)
ADDRESS_CODE = "address_code"
DIVISION = "division"  # a 6- or 12-digit administrative division code
NUMBER = "number"
CHOICE = "choice"

# The checked values every kind maps its columns to (the staging table's normalised columns).
FIELDS = (
    "id_number",
    "name",
    "birth_date",
    "address",
    "event_date",
    "end_date",
    "status",
    "place",
    "usage",
)

SNIFF_BYTES = 1 << 20
BLOCK_ROWS = 50_000


@dataclass(frozen=True)
class Column:
    """One declared column of a feed kind."""

    field: str  # one of FIELDS
    headers: tuple[str, ...]  # names a file may give it; the first is the documented one
    type: str
    label: object  # what the reject report calls it
    required: bool = False  # the file must have the column
    mandatory: bool = False  # every row must have a value
    choices: Mapping[str, str] = field(default_factory=dict)  # file value -> stored value

    @property
    def header(self) -> str:
        return self.headers[0]


@dataclass(frozen=True)
class FeedKind:
    """One kind of department feed: its columns and what one of its rows tells the registry."""

    code: str
    label: object
    department: str | None  # the sending department, where the portal knows it
    level: str  # PERSON: rows are about persons; ADDRESS: about addresses
    columns: tuple[Column, ...]
    # SQL over the checked values (a.status, a.place_here, a.event_date, a.end_date and the
    # parameter %(run_day)s): 'here', 'gone' or NULL.
    signal: str = "NULL"
    params: Mapping[str, object] = field(default_factory=dict)

    def column(self, field_name: str) -> Column | None:
        return next((c for c in self.columns if c.field == field_name), None)


PAYING, STOPPED = "paying", "stopped"
MOVE_IN, MOVE_OUT = "in", "out"

ID_COLUMN = Column(
    "id_number", ("公民身份号码", "身份证号", "id_number"), ID_NUMBER, _("ID number")
)
NAME_COLUMN = Column("name", ("姓名", "name"), TEXT, _("name"))
BIRTH_COLUMN = Column("birth_date", ("出生日期", "birth_date"), DATE, _("birth date"))

SOCIAL_INSURANCE = FeedKind(
    code=FeedKindCode.SOCIAL_INSURANCE,
    label=FeedKindCode.SOCIAL_INSURANCE.label,
    department=DepartmentCode.HUMAN_RESOURCES,
    level=PERSON,
    columns=(
        replace(ID_COLUMN, required=True),
        replace(NAME_COLUMN, required=True),
        BIRTH_COLUMN,
        Column("address", ("居住地址编码", "address_code"), ADDRESS_CODE, _("address code")),
        Column(
            "place",
            ("参保地", "参保地区划代码", "insured_place"),
            DIVISION,
            _("place of insurance"),
            required=True,
            mandatory=True,
        ),
        Column(
            "status",
            ("缴费状态", "payment_status"),
            CHOICE,
            _("payment status"),
            required=True,
            mandatory=True,
            choices={
                "正常缴费": PAYING,
                "正常": PAYING,
                "参保缴费": PAYING,
                "paying": PAYING,
                "暂停缴费": STOPPED,
                "停保": STOPPED,
                "终止": STOPPED,
                "终止缴费": STOPPED,
                "stopped": STOPPED,
            },
        ),
        Column(
            "event_date",
            ("缴费年月", "period"),
            MONTH,
            _("period paid"),
            required=True,
            mandatory=True,
        ),
    ),
    signal=f"CASE WHEN a.status = '{STOPPED}' OR NOT a.place_here THEN 'gone' ELSE 'here' END",
)

UTILITIES = FeedKind(
    code=FeedKindCode.UTILITIES,
    label=FeedKindCode.UTILITIES.label,
    department=None,
    level=ADDRESS,
    columns=(
        Column(
            "address",
            ("地址编码", "address_code"),
            ADDRESS_CODE,
            _("address code"),
            required=True,
            mandatory=True,
        ),
        Column(
            "id_number", ("户主身份证号", "holder_id_number"), ID_NUMBER, _("account holder's ID")
        ),
        Column("name", ("户主姓名", "holder_name"), TEXT, _("account holder's name")),
        Column(
            "event_date",
            ("抄表年月", "period"),
            MONTH,
            _("period read"),
            required=True,
            mandatory=True,
        ),
        Column("usage", ("用量", "usage"), NUMBER, _("usage"), required=True, mandatory=True),
    ),
    # Average usage per period read at one address: at most `vacant_max` means nobody lives
    # there, at least `occupied_min` that somebody does.
    params={"vacant_max": 1, "occupied_min": 10},
)

HUKOU = FeedKind(
    code=FeedKindCode.HUKOU,
    label=FeedKindCode.HUKOU.label,
    department=DepartmentCode.PUBLIC_SECURITY,
    level=PERSON,
    columns=(
        replace(ID_COLUMN, required=True),
        replace(NAME_COLUMN, required=True),
        BIRTH_COLUMN,
        Column(
            "status",
            ("迁移类型", "move"),
            CHOICE,
            _("kind of move"),
            required=True,
            mandatory=True,
            choices={"迁入": MOVE_IN, "in": MOVE_IN, "迁出": MOVE_OUT, "out": MOVE_OUT},
        ),
        Column(
            "event_date",
            ("迁移日期", "move_date"),
            DATE,
            _("date of the move"),
            required=True,
            mandatory=True,
        ),
        Column("address", ("地址编码", "address_code"), ADDRESS_CODE, _("address code")),
    ),
    signal=f"CASE a.status WHEN '{MOVE_OUT}' THEN 'gone' WHEN '{MOVE_IN}' THEN 'here' END",
)

HOTEL = FeedKind(
    code=FeedKindCode.HOTEL,
    label=FeedKindCode.HOTEL.label,
    department=DepartmentCode.PUBLIC_SECURITY,
    level=PERSON,
    columns=(
        replace(ID_COLUMN, required=True),
        replace(NAME_COLUMN, required=True),
        BIRTH_COLUMN,
        Column(
            "address",
            ("旅馆地址编码", "hotel_address_code"),
            ADDRESS_CODE,
            _("hotel address code"),
            required=True,
            mandatory=True,
        ),
        Column(
            "event_date",
            ("入住日期", "check_in"),
            DATE,
            _("check-in date"),
            required=True,
            mandatory=True,
        ),
        Column("end_date", ("退房日期", "check_out"), DATE, _("check-out date")),
    ),
    # A guest still staying, or who stayed, `long_stay_nights` or more lives there.
    signal=(
        "CASE WHEN coalesce(a.end_date, %(run_day)s) - a.event_date >= %(long_stay_nights)s "
        "THEN 'here' END"
    ),
    params={"long_stay_nights": 30},
)

TELECOM = FeedKind(
    code=FeedKindCode.TELECOM,
    label=FeedKindCode.TELECOM.label,
    department=None,
    level=PERSON,
    columns=(
        replace(ID_COLUMN, required=True),
        replace(NAME_COLUMN, required=True),
        BIRTH_COLUMN,
        Column(
            "place",
            ("常驻区域代码", "area_code"),
            DIVISION,
            _("area where the phone was seen"),
            required=True,
            mandatory=True,
        ),
        Column(
            "event_date",
            ("统计年月", "month"),
            MONTH,
            _("month seen"),
            required=True,
            mandatory=True,
        ),
    ),
    signal="CASE WHEN a.place_here THEN 'here' ELSE 'gone' END",
)

KINDS: dict[str, FeedKind] = {
    k.code: k for k in (SOCIAL_INSURANCE, UTILITIES, HUKOU, HOTEL, TELECOM)
}


def kind_of(code: str) -> FeedKind:
    try:
        return KINDS[code]
    except KeyError:
        message = gettext("Unknown kind of feed.")
        raise InvalidInput(message, code="unknown_feed_kind", fields={"kind": [message]}) from None


# --- reading a file ----------------------------------------------------------------------------


class FeedUnreadable(InvalidInput):
    """The file as a whole cannot be reconciled (no header, a required column missing)."""

    default_code = "feed_unreadable"


def detect_encoding(head: bytes) -> str:
    """'utf-8-sig' with a byte-order mark, 'utf-8' when the start decodes as UTF-8, else 'gb18030'.

    GB18030 text is almost never valid UTF-8 (its two-byte characters pair a lead byte
    0x81-0xFE with trail bytes UTF-8 does not allow there), and plain ASCII is both.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def detect_format(name: str) -> str:
    lowered = name.lower()
    if lowered.endswith((".jsonl", ".ndjson", ".json")):
        return FeedFormat.JSONL
    return FeedFormat.CSV


def open_text(binary: IO[bytes], encoding: str) -> io.TextIOWrapper:
    """The file as text; bytes that are not text in `encoding` read as U+FFFD (and are rejected)."""
    return io.TextIOWrapper(binary, encoding=encoding, errors="replace", newline=None)


@dataclass(frozen=True)
class Layout:
    """Where each declared field is in the staging table: its column, and the file's name for it.

    `columns` lists the staging table's data columns (c1, c2, ...) with the name the file gave
    each (the file's header for CSV, the kind's documented names for JSON lines).
    """

    columns: tuple[tuple[str, str], ...]
    fields: Mapping[str, str]  # declared field -> staging column


def _header_layout(kind: FeedKind, header: list[str]) -> Layout:
    names = [h.strip().lstrip("\ufeff") for h in header]
    columns = tuple((f"c{i + 1}", name) for i, name in enumerate(names))
    positions: dict[str, str] = {}
    missing: list[str] = []
    for column in kind.columns:
        found = [i for i, name in enumerate(names) if name.lower() in _lowered(column.headers)]
        if len(found) > 1:
            raise FeedUnreadable(
                gettext("The column %(column)s appears more than once in the header.")
                % {"column": column.header}
            )
        if found:
            positions[column.field] = f"c{found[0] + 1}"
        elif column.required:
            missing.append(column.header)
    if missing:
        raise FeedUnreadable(
            gettext("The file lacks the columns: %(columns)s.") % {"columns": "、".join(missing)}
        )
    return Layout(columns=columns, fields=positions)


def _lowered(names: tuple[str, ...]) -> set[str]:
    return {n.lower() for n in names}


def json_layout(kind: FeedKind) -> Layout:
    columns = tuple((f"c{i + 1}", c.header) for i, c in enumerate(kind.columns))
    return Layout(
        columns=columns, fields={c.field: f"c{i + 1}" for i, c in enumerate(kind.columns)}
    )


def _csv_quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _problem_line(row_no: int, reason: str, raw: str, width: int) -> str:
    """An empty CSV record carrying its problem and the raw text (cut short) in the first column."""
    return f"{row_no},{reason},{_csv_quote(raw[:500])}{',' * (width - 1)}\n"


@dataclass
class Reading:
    """A feed being read: its layout (known once the header is read) and how far it has got."""

    layout: Layout
    blocks: Iterator[str]  # CSV text for COPY ... (FORMAT csv), BLOCK_ROWS records at a time
    rows: int = 0


def read_csv(text: io.TextIOWrapper, kind: FeedKind) -> Reading:
    """Read the header, then yield the data records as CSV text, each prefixed by row number and
    problem (empty when readable): `row_no,problem,c1,...,cN`."""
    header_line = _next_record(text)
    while header_line is not None and not header_line.strip():
        header_line = _next_record(text)
    if header_line is None:
        raise FeedUnreadable(gettext("The file is empty."))
    header = next(csv.reader([header_line]))
    layout = _header_layout(kind, header)
    reading = Reading(layout=layout, blocks=iter(()))
    reading.blocks = _csv_blocks(text, reading, width=len(header))
    return reading


def _next_record(text: io.TextIOWrapper) -> str | None:
    """The next CSV record: one line, or several where a quoted field holds line breaks."""
    line = text.readline()
    if not line:
        return None
    while line.count('"') % 2 == 1:
        more = text.readline()
        if not more:
            break
        line += more
    return line


def _csv_blocks(text: io.TextIOWrapper, reading: Reading, *, width: int) -> Iterator[str]:
    commas = width - 1
    block: list[str] = []
    row_no = 0
    bad_text = RejectReason.BAD_ENCODING.value
    bad_shape = RejectReason.WRONG_COLUMNS.value
    readline = text.readline
    while True:
        line = readline()
        if not line:
            break
        if '"' in line:
            while line.count('"') % 2 == 1:
                more = readline()
                if not more:
                    break
                line += more
        stripped = line.rstrip("\n")
        if not stripped.strip():
            continue
        row_no += 1
        if "\ufffd" in stripped or "\x00" in stripped:
            block.append(_problem_line(row_no, bad_text, stripped.replace("\x00", ""), width))
        elif '"' in stripped:
            try:
                fields = next(csv.reader([stripped], strict=True))
            except csv.Error:
                fields = []
            if len(fields) == width:
                block.append(f"{row_no},," + ",".join(_csv_quote(f) for f in fields) + "\n")
            else:
                block.append(_problem_line(row_no, bad_shape, stripped, width))
        elif stripped.count(",") == commas:
            block.append(f"{row_no},,{stripped}\n")
        else:
            block.append(_problem_line(row_no, bad_shape, stripped, width))
        if len(block) >= BLOCK_ROWS:
            reading.rows = row_no
            yield "".join(block)
            block = []
    reading.rows = row_no
    if block:
        yield "".join(block)


def read_jsonl(text: io.TextIOWrapper, kind: FeedKind) -> Reading:
    """Yield the rows of a JSON-lines file as CSV text in the kind's declared column order."""
    layout = json_layout(kind)
    reading = Reading(layout=layout, blocks=iter(()))
    reading.blocks = _jsonl_blocks(text, reading, kind)
    return reading


def _json_value(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise ValueError


def _jsonl_blocks(text: io.TextIOWrapper, reading: Reading, kind: FeedKind) -> Iterator[str]:
    width = len(kind.columns)
    keys = [tuple(h.lower() for h in c.headers) for c in kind.columns]
    block: list[str] = []
    row_no = 0
    for line in text:
        stripped = line.strip()
        if not stripped:
            continue
        row_no += 1
        if "\ufffd" in stripped or "\x00" in stripped:
            block.append(
                _problem_line(
                    row_no, RejectReason.BAD_ENCODING.value, stripped.replace("\x00", ""), width
                )
            )
        else:
            try:
                obj = json.loads(stripped)
                if not isinstance(obj, dict):
                    raise ValueError
                lowered = {str(k).lower(): v for k, v in obj.items()}
                values = []
                for names in keys:
                    value = next((lowered[n] for n in names if n in lowered), None)
                    values.append(_json_value(value))
            except ValueError:
                block.append(_problem_line(row_no, RejectReason.BAD_JSON.value, stripped, width))
            else:
                cells = ("" if v is None else _csv_quote(v.replace("\x00", "")) for v in values)
                block.append(f"{row_no},," + ",".join(cells) + "\n")
        if len(block) >= BLOCK_ROWS:
            reading.rows = row_no
            yield "".join(block)
            block = []
    reading.rows = row_no
    if block:
        yield "".join(block)


def read(text: io.TextIOWrapper, *, kind: FeedKind, fmt: str) -> Reading:
    """Start reading a feed opened with open_text: the header now, the rows as they are asked for."""
    if fmt == FeedFormat.JSONL:
        return read_jsonl(text, kind)
    return read_csv(text, kind)
