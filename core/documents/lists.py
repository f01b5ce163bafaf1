"""A list's table (``core.services.list_exports.Table``) as a file: an Excel workbook (.xlsx, built
by ``core.services.spreadsheets``: bold frozen header, yuan as exact decimals in ``#,##0.00``,
days as dates, a 合计 row) or CSV.

The CSV is UTF-8 with a byte-order mark, because Excel opens a BOM-less UTF-8 file as the
system's code page and shows Chinese as mojibake. Amounts are plain decimals with two places
("4800.50", no thousands separator, so a program reads them back as numbers), days are ISO dates
(which Excel and every program read as dates). Text a spreadsheet would run as a formula (a
title typed as "=1+1" or "@SUM(...)") is written as text in both formats."""
from __future__ import annotations

import csv
import datetime as dt
import io

from core.money import fen_to_yuan
from core.services import spreadsheets as xl
from core.services.list_exports import Table

CSV_MIMETYPE = "text/csv; charset=utf-8"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def workbook(table: Table, *, title: str = "", note: str = "") -> bytes:
    wb = xl.new_workbook(title or table.name)
    ws = xl.add_sheet(wb, table.name, table.columns, table.rows, title=title or table.name)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if cell.data_type == "f":  # typed text, never a formula the reader's Excel would run
                cell.data_type = "s"
    if note:
        ws.append([xl.printable(note)])
    return xl.to_bytes(wb)


def _csv_value(kind: str, value):
    if value is None or value == "":
        return ""
    if kind == "yuan" and isinstance(value, int) and not isinstance(value, bool):
        return str(fen_to_yuan(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return str(value)


def csv_bytes(table: Table, *, note: str = "") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.title for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_value(c.kind, v) for c, v in zip(table.columns, row)])
    if note:
        writer.writerow([note])
    return out.getvalue().encode("utf-8-sig")
