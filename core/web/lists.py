"""List exports (导出): what a list page shows, as Excel (.xlsx) or CSV (UTF-8 with a BOM, so
Excel opens Chinese): the projects list and the funds (``core.services.list_exports``), and the
review queue, the street office's month of fund requests, a monthly batch and the district
overview (``core.web.page_exports``). Each export reads through its page's own query or view
function with the page's filters, so it holds exactly what the reader sees there and is refused
as the page is; the projects' contacts and the requests' beneficiaries are masked for whoever may
not read them, and an export holding any is recorded as an export of personal data (the commit
after the file is built)."""
from __future__ import annotations

import io

from flask import Blueprint, send_file

from core.documents import lists as document
from core.i18n import T
from core.services import fund_requests as fund_request_service
from core.services import list_exports
from core.services.spreadsheets import XLSX_MIMETYPE
from core.violations import NotFound
from core.web import fund_requests, overview, page_exports, review
from core.web.context import ctx, int_arg, login_required
from core.web.projects import search_args

bp = Blueprint("lists", __name__, url_prefix="/t/<tenant>")
FORMATS = {"xlsx": XLSX_MIMETYPE, "csv": document.CSV_MIMETYPE}


def _send(c, table: list_exports.Table, fmt: str, stem_zh: str, stem_en: str, note: str = ""):
    if fmt not in FORMATS:
        raise NotFound(T("导出格式", "export format"), field="fmt")
    note = note or (list_exports.caption(table, c.locale) or T("", "")).render(c.locale)
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


# The office pages' tables (``core.web.page_exports``), each read through its page's own view.

@bp.get("/review/export.xlsx", defaults={"fmt": "xlsx"})
@bp.get("/review/export.csv", defaults={"fmt": "csv"})
@login_required
def review_queue(fmt: str):
    c = ctx()
    table = page_exports.review_table(c, review.queue_view(c, review.sort_arg()), c.locale)
    return _send(c, table, fmt, "待评审", "review-queue")


@bp.get("/fund-requests/export.xlsx", defaults={"fmt": "xlsx"})
@bp.get("/fund-requests/export.csv", defaults={"fmt": "csv"})
@login_required
def fund_requests_month(fmt: str):
    c = ctx()
    month = fund_requests.month_arg(c)
    requests = fund_requests.month_requests(c, month)
    table = page_exports.requests_table(c, requests, T(f"资金申请{month}", f"Fund requests {month}").render(c.locale),
                                        c.locale, what="fund_requests_month", asked={"month": month})
    return _send(c, table, fmt, f"资金申请{month}", f"fund-requests-{month}")


@bp.get("/fund-requests/batches/<int:batch_id>/export.xlsx", defaults={"fmt": "xlsx"})
@bp.get("/fund-requests/batches/<int:batch_id>/export.csv", defaults={"fmt": "csv"})
@login_required
def fund_request_batch(batch_id: int, fmt: str):
    c = ctx()
    batch, requests = fund_requests.batch_view(c, batch_id)
    street = batch.street_unit.name_in(c.locale)
    table = page_exports.requests_table(c, requests, f"{street} {batch.month}", c.locale, what="fund_request_batch",
                                        asked={"batch_id": batch.id}, summed=False)
    note = page_exports.batch_note(fund_request_service.batch_total(c, batch, requests), requests, c.locale)
    return _send(c, table, fmt, f"资金申请汇总{batch.month}", f"fund-request-batch-{batch.month}", note=note)


@bp.get("/overview/district/export.xlsx", defaults={"fmt": "xlsx"})
@bp.get("/overview/district/export.csv", defaults={"fmt": "csv"})
@login_required
def district(fmt: str):
    c = ctx()
    table = page_exports.district_table(c, overview.district_view(c), c.locale)
    return _send(c, table, fmt, "全区概览", "district-overview")
