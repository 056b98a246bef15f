"""Tables as Excel workbooks (.xlsx, openpyxl): the filters that made the table in the header
rows, then the column headings and the rows."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from portal.dashboard.selectors import Table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(table: Table) -> bytes:
    """One sheet: the title, each filter as `name | value`, when it was made, a blank row,
    the headings (bold) and the rows."""
    book = Workbook()
    sheet = book.active
    sheet.title = table.name[:31]
    sheet.append([table.title])
    sheet["A1"].font = Font(bold=True, size=14)
    for name, value in table.filters:
        sheet.append([name, value])
    sheet.append([_("Exported"), date_format(timezone.localtime(), "Y-m-d H:i")])
    sheet.append([])
    sheet.append(list(table.columns))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append(list(row))
    sheet.column_dimensions["A"].width = 28
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
