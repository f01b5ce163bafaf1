"""List exports (导出): what a list page shows, as Excel (.xlsx) or CSV (UTF-8 with a BOM, so
Excel opens Chinese). Each export reads through its page's own query (``core.services.list_exports``)
with the page's filters, so it holds exactly what the reader sees there; the projects list's
contacts are masked for whoever may not read them, and an export holding any is recorded as an
export of personal data (the commit after the file is built)."""
from __future__ import annotations

import io

from flask import Blueprint, send_file

from core.documents import lists as document
from core.i18n import T
from core.services import list_exports
from core.services.spreadsheets import XLSX_MIMETYPE
from core.violations import NotFound
from core.web.context import ctx, int_arg, login_required
from core.web.projects import search_args

bp = Blueprint("lists", __name__, url_prefix="/t/<tenant>")
FORMATS = {"xlsx": XLSX_MIMETYPE, "csv": document.CSV_MIMETYPE}


def _send(c, table: list_exports.Table, fmt: str, stem_zh: str, stem_en: str):
    if fmt not in FORMATS:
        raise NotFound(T("导出格式", "export format"), field="fmt")
    note = (list_exports.caption(table, c.locale) or T("", "")).render(c.locale)
    data = document.workbook(table, note=note) if fmt == "xlsx" else document.csv_bytes(table, note=note)
    c.commit()  # the record of an export of personal data, if the table held any
    stem = stem_en if c.locale == "en" else stem_zh
    return send_file(io.BytesIO(data), mimetype=FORMATS[fmt], as_attachment=True,
                     download_name=f"{stem}-{c.clock.today():%Y%m%d}.{fmt}")


@bp.get("/projects/export.xlsx", defaults={"fmt": "xlsx"})
@bp.get("/projects/export.csv", defaults={"fmt": "csv"})
@login_required
def projects(fmt: str):
    c = ctx()
    search, _ = search_args(c)
    return _send(c, list_exports.projects_table(c, search, c.locale), fmt, "项目列表", "projects")


@bp.get("/funds/export.xlsx", defaults={"fmt": "xlsx"})
@bp.get("/funds/export.csv", defaults={"fmt": "csv"})
@login_required
def funds(fmt: str):
    c = ctx()
    year = int_arg("year") or c.clock.today().year
    return _send(c, list_exports.funds_table(c, year, c.locale), fmt, f"资金{year}", f"funds-{year}")
