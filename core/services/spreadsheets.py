"""Excel workbooks (.xlsx) for reports people print or pass on: one table per sheet.

Each sheet is one table: the header in row 1 (Chinese, bold, frozen), one row per item, and
optionally a closing 合计 row. Amounts are kept as integer fen until the cell is written,
then written as exact ``Decimal`` yuan (never a float) in the ``#,##0.00`` format, so a
spreadsheet sums them to the fen. Column widths follow the longest text (a Chinese character
counts double). The title goes into the print header, so the table itself stays one block
that a program can read back.

Every workbook the platform hands out is built here (the disclosure report, the money overview,
a project's final accounts), and ``XLSX_MIMETYPE`` is the one spelling of its media type that
pages, the API and uploads use. openpyxl is imported only when a workbook is built or a cell
cleaned, so importing the constant costs nothing.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Sequence

from core.money import fen_to_yuan, format_yuan

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

YUAN_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
TOTAL_LABEL = "合计"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_WIDTH = 60
HEADER_COLOUR = "E8EFF9"  # the header row's fill
# Excel refuses these characters in a sheet's name.
BAD_SHEET_CHARS = set('[]:*?/\\')


@dataclass(frozen=True)
class Column:
    """One column of a sheet. ``kind``: "text", "yuan" (the row gives integer fen), "int" or
    "date". ``total``: sum this column in the 合计 row (yuan and int columns)."""

    title: str
    kind: str = "text"
    total: bool = False
    width: int | None = None


def new_workbook(title: str = "") -> Workbook:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)  # every sheet is added by add_sheet, in order
    wb.properties.title = printable(title)
    wb.properties.creator = "Tongxin"
    return wb


def _width(value) -> int:
    text = value if isinstance(value, str) else str(value)
    longest = max((sum(2 if ord(ch) > 0x2E7F else 1 for ch in line) for line in text.splitlines() or [""]), default=0)
    return longest


def printable(value):
    """Text as a cell may hold it: the control characters the xlsx format cannot store (what a
    pasted form may carry) are dropped, rather than failing the whole export."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _cell_value(column: Column, value):
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return printable(value)
    if column.kind == "yuan":
        if isinstance(value, (bool, float)) or not isinstance(value, int):
            raise TypeError(f"column {column.title!r} takes integer fen, got {value!r}")
        return fen_to_yuan(value)  # a Decimal: written to the file exactly
    if column.kind == "date" and isinstance(value, dt.datetime):
        return value.date()
    return value


def _sheet_name(name: str) -> str:
    clean = "".join("_" if ch in BAD_SHEET_CHARS else ch for ch in printable(name)).strip() or "Sheet"
    return clean[:31]


def add_sheet(wb: Workbook, name: str, columns: Sequence[Column], rows: Iterable[Sequence], *,
              title: str = "", totals: bool = True, total_label: str = TOTAL_LABEL) -> Worksheet:
    """Append a sheet holding one table. ``rows`` are sequences in column order (yuan columns
    as integer fen). With ``totals``, a 合计 row (``total_label``, in the first column) sums the
    columns marked ``total`` (computed here in fen, so the sum is exact, not a formula a reader
    would have to evaluate)."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(_sheet_name(name))
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor=HEADER_COLOUR)
    widths = [_width(c.title) for c in columns]
    ws.append([printable(c.title) for c in columns])
    for cell in ws[1]:
        cell.font = bold
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    sums = [0] * len(columns)
    count = 0
    for row in rows:
        row = list(row)
        if len(row) != len(columns):
            raise ValueError(f"sheet {name!r}: a row has {len(row)} values for {len(columns)} columns")
        count += 1
        values = [_cell_value(c, v) for c, v in zip(columns, row)]
        ws.append(values)
        for i, (c, raw) in enumerate(zip(columns, row)):
            if c.total and isinstance(raw, int) and not isinstance(raw, bool):
                sums[i] += raw
            if values[i] is not None:
                shown = format_yuan(raw) if c.kind == "yuan" else values[i]
                widths[i] = max(widths[i], _width(shown))
    if totals and any(c.total for c in columns):
        total_row = [printable(total_label)] + [None] * (len(columns) - 1)
        for i, c in enumerate(columns):
            if c.total:
                total_row[i] = fen_to_yuan(sums[i]) if c.kind == "yuan" else sums[i]
                widths[i] = max(widths[i], _width(format_yuan(sums[i]) if c.kind == "yuan" else total_row[i]))
        ws.append(total_row)
        for cell in ws[ws.max_row]:
            cell.font = bold
    for i, c in enumerate(columns, start=1):
        letter = get_column_letter(i)
        if c.kind == "yuan":
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = YUAN_FORMAT
        elif c.kind == "date":
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = DATE_FORMAT
        ws.column_dimensions[letter].width = c.width or min(MAX_WIDTH, max(8, widths[i - 1] + 2))
    ws.freeze_panes = "A2"
    if title:
        # Printed on every page; "&" starts a header code (&P: page number), "&&" is a plain one.
        ws.oddHeader.center.text = printable(title).replace("&", "&&")
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return ws


def to_bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
