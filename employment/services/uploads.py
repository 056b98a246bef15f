"""Worker lists: an employer uploads its workers' starts or ends as a spreadsheet.

Excel (.xlsx, read with openpyxl) or CSV (UTF-8, with or without a byte-order mark, or
GB18030 as Chinese spreadsheet programs save it). The first row names the columns, in
Chinese or English (COLUMNS). Every row is checked; a row with problems is reported with its
row number and the field of each problem, all of them at once; every valid row is declared
through the same service as a single declaration, in its own transaction, so the valid rows
are kept and a rejected row leaves nothing behind. The upload row keeps the counts and the
reject report.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from employment.models import WorkerUpload
from employment.services import workers
from portal.accounts.models import User
from portal.errors import ApplicationError, InvalidInput
from residents import services as resident_services

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 500

# field -> the column headings that name it (compared without spaces, case-insensitively)
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "name"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "id_number", "idnumber"),
    "start_date": ("入职日期", "到岗日期", "start_date", "startdate"),
    "end_date": ("离职日期", "离岗日期", "end_date", "enddate"),
    "job_title": ("岗位", "job_title", "job"),
    "dormitory": ("宿舍编号", "宿舍", "dormitory"),
}
REQUIRED = {
    WorkerUpload.Action.START: ("name", "id_number", "start_date"),
    WorkerUpload.Action.END: ("id_number", "end_date"),
}
FIELD_LABELS = {
    "name": gettext_lazy("Name"),
    "id_number": gettext_lazy("ID number"),
    "start_date": pgettext_lazy("employment", "Start date"),
    "end_date": pgettext_lazy("employment", "End date"),
    "job_title": gettext_lazy("Job"),
    "dormitory": gettext_lazy("Dormitory number"),
    "": gettext_lazy("Row"),
}
DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_date(value: Any) -> dt.date | None:
    """A date from a cell: an Excel date, or text such as 2026-03-01, 2026/3/1, 2026年3月1日."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for pattern in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                return None
    return None


def _rows_of_xlsx(content: bytes) -> list[list[Any]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise _file_error(_("This file could not be read as an Excel workbook (.xlsx).")) from exc
    try:
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _rows_of_csv(content: bytes) -> list[list[Any]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return [list(row) for row in csv.reader(io.StringIO(text))]
    raise _file_error(_("This file is not in UTF-8 or GB18030 text: save it again as CSV."))


def _file_error(message: str) -> InvalidInput:
    return InvalidInput(message, code="bad_file", fields={"file": [message]})


def read_rows(*, filename: str, content: bytes) -> list[list[Any]]:
    """The rows of an uploaded list (the heading row first), or InvalidInput about the file."""
    if len(content) > MAX_BYTES:
        raise _file_error(_("The file is larger than 5 MB."))
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        rows = _rows_of_xlsx(content)
    elif name.endswith(".csv"):
        rows = _rows_of_csv(content)
    else:
        raise _file_error(_("Please upload an Excel (.xlsx) or CSV file."))
    return [row for row in rows if any(_text(cell) for cell in row)]


def _columns(heading: list[Any], action: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(heading):
        key = re.sub(r"\s+", "", _text(cell)).lower()
        for field, names in COLUMNS.items():
            if key in names and field not in found:
                found[field] = index
    missing = [field for field in REQUIRED[action] if field not in found]
    if missing:
        raise _file_error(
            _("The first row must name the columns; missing: %(columns)s.")
            % {"columns": "、".join(str(FIELD_LABELS[field]) for field in missing)}
        )
    return found


def _cell(row: list[Any], columns: dict[str, int], field: str) -> Any:
    index = columns.get(field)
    if index is None or index >= len(row):
        return None
    return row[index]


def _problems(number: int, exc: ApplicationError) -> list[dict[str, Any]]:
    if not exc.fields:
        return [{"row": number, "field": "", "message": str(exc.message)}]
    return [
        {"row": number, "field": field if field in FIELD_LABELS else "", "message": str(message)}
        for field, messages in exc.fields.items()
        for message in messages
    ]


def _declare_row(
    *,
    actor: User,
    employer_id: int,
    action: str,
    row: list[Any],
    columns: dict[str, int],
    upload: WorkerUpload,
) -> None:
    """Declare one row, or raise InvalidInput naming every problem of the row."""
    errors: dict[str, list[str]] = {}
    date_field = "start_date" if action == WorkerUpload.Action.START else "end_date"
    raw_date = _cell(row, columns, date_field)
    day = parse_date(raw_date)
    if day is None:
        errors[date_field] = [
            _("This is not a date: write it as 2026-03-01.")
            if _text(raw_date)
            else _("Please enter a date.")
        ]
    dormitory_id = None
    raw_dormitory = _text(_cell(row, columns, "dormitory"))
    if raw_dormitory:
        if raw_dormitory.isdigit():
            dormitory_id = int(raw_dormitory)
        else:
            errors["dormitory"] = [_("Please enter the dormitory's number from your list.")]
    if action == WorkerUpload.Action.START:
        try:
            resident_services.check_declared_person(
                name=_text(_cell(row, columns, "name")),
                id_number=_text(_cell(row, columns, "id_number")),
            )
        except InvalidInput as exc:
            errors.update(exc.fields)
        if errors:
            raise InvalidInput(fields=errors)
        workers.declare_worker_start(
            actor=actor,
            employer_id=employer_id,
            name=_text(_cell(row, columns, "name")),
            id_number=_text(_cell(row, columns, "id_number")),
            start_date=day,
            job_title=_text(_cell(row, columns, "job_title")),
            dormitory_id=dormitory_id,
            upload=upload,
        )
        return
    employment = None
    try:
        employment = workers.current_employment(
            actor=actor,
            employer_id=employer_id,
            id_number=_text(_cell(row, columns, "id_number")),
            name=_text(_cell(row, columns, "name")),
        )
    except InvalidInput as exc:
        errors.update(exc.fields)
    if errors:
        raise InvalidInput(fields=errors)
    workers.declare_worker_end(actor=actor, employment_id=employment.pk, end_date=day)


def upload_worker_list(
    *, actor: User, employer_id: int, action: str, filename: str, content: bytes
) -> WorkerUpload:
    """Declare every valid row of an uploaded worker list; keep a report of the rejected rows.

    Refused as a whole only when the file itself cannot be read (format, encoding, size,
    missing columns, too many rows) or the employer is not the actor's verified enterprise.
    """
    if action not in WorkerUpload.Action.values:
        raise InvalidInput(fields={"action": [_("Please choose starts or ends.")]})
    rows = read_rows(filename=filename, content=content)
    if len(rows) < 2:
        raise _file_error(_("The file has no rows of workers under the heading row."))
    if len(rows) - 1 > MAX_ROWS:
        raise _file_error(
            _("At most %(max)s workers per file: please split the list.") % {"max": MAX_ROWS}
        )
    columns = _columns(rows[0], action)
    with transaction.atomic():
        employer = workers.lock_verified_employer(actor, employer_id)
        upload = WorkerUpload.objects.create(
            employer=employer,
            action=action,
            filename=(filename or "")[-200:],
            uploaded_by=actor,
            uploaded_at=timezone.now(),
            rows_total=len(rows) - 1,
        )
    accepted = 0
    problems: list[dict[str, Any]] = []
    for number, row in enumerate(rows[1:], start=2):
        try:
            _declare_row(
                actor=actor,
                employer_id=employer_id,
                action=action,
                row=row,
                columns=columns,
                upload=upload,
            )
        except ApplicationError as exc:
            problems.extend(_problems(number, exc))
        else:
            accepted += 1
    WorkerUpload.objects.filter(pk=upload.pk).update(rows_accepted=accepted, problems=problems)
    upload.rows_accepted = accepted
    upload.problems = problems
    return upload
