"""The one place workbooks are built (core/services/spreadsheets.py): a table per sheet, exact
yuan, a total row in the caller's words, text a pasted form may carry kept printable (also in
the sheet's title and its printed header), and the .xlsx media type importable without
loading openpyxl. No database."""
from __future__ import annotations

import io
import subprocess
import sys
from decimal import Decimal

from openpyxl import load_workbook

from core.services.spreadsheets import XLSX_MIMETYPE, Column, add_sheet, new_workbook, to_bytes


def test_a_sheet_holds_one_table_with_its_total_in_the_callers_words():
    wb = new_workbook("A&B\x07 report")
    ws = add_sheet(wb, "Sheet/1", [Column("Name"), Column("Amount (yuan)", "yuan", total=True)],
                   [["first\x01", 10_050], ["second", 1]], title="A&B\x07 report", total_label="Total")
    assert ws.oddHeader.center.text == "A&&B report"  # "&&" prints one "&"; "&B" would toggle bold
    book = load_workbook(io.BytesIO(to_bytes(wb)))
    assert book.sheetnames == ["Sheet_1"] and book.properties.title == "A&B report"
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == ("Name", "Amount (yuan)") and rows[1][0] == "first"
    assert rows[-1][0] == "Total" and Decimal(str(rows[-1][1])) == Decimal("100.51")
    assert book.active["B4"].number_format == "#,##0.00"


def test_the_media_type_is_importable_without_openpyxl():
    code = ("import sys; from core.services.spreadsheets import XLSX_MIMETYPE; import core.services.storage; "
            "print('openpyxl' in sys.modules, XLSX_MIMETYPE)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", XLSX_MIMETYPE] and XLSX_MIMETYPE.endswith("spreadsheetml.sheet")
