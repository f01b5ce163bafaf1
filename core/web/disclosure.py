"""Public disclosure pages (村(居)务公开) and the district's money view.

Anyone may read: ``/disclosure`` (choose a unit and a year), ``/disclosure/units/<id>`` (its
approved projects' sources, approvals, disbursements and spending, and its funds),
``/disclosure/projects/<id>``, the printable congress report ``.../report`` and its Excel file.
District and street administrators: ``/money``, per street and per fund, with a chart
(``core.documents.money_chart``) drawn as inline SVG and an Excel export. The workbooks are
``core.documents``', the same files the API sends.

The project page gets a short section (``disclosure_panel``, given through
``core.web.project_panels``) linking to the project's disclosure once it is approved.
"""
from __future__ import annotations

import io

from flask import Blueprint, render_template, request, send_file, url_for

from core.documents import disclosure_report, money_chart, money_report
from core.models import Project
from core.plugin_host.contributions import Panel
from core.services import disclosure, ledger, money_overview
from core.services.context import Ctx
from core.services.ledger import YEARS
from core.services.spreadsheets import XLSX_MIMETYPE
from core.web.context import ctx, login_required

bp = Blueprint("disclosure", __name__, url_prefix="/t/<tenant>")


def _year() -> int | None:
    """``?year=`` when it is a year the platform knows; anything else means "the default"."""
    raw = (request.args.get("year") or "").strip()
    return int(raw) if raw.isdigit() and int(raw) in YEARS else None


def _xlsx(data: bytes, filename: str):
    return send_file(io.BytesIO(data), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=filename)


# -- public disclosure ---------------------------------------------------------------------------

@bp.get("/disclosure")
def index():
    c = ctx()
    year, years = disclosure.choose_year(c, _year())
    return render_template("pages/disclosure/index.html", year=year, years=years,
                           roots=disclosure.unit_choices(c, year))


@bp.get("/disclosure/units/<int:unit_id>")
def unit(unit_id: int):
    d = disclosure.unit_disclosure(ctx(), unit_id, _year())
    return render_template("pages/disclosure/unit.html", d=d)


@bp.get("/disclosure/units/<int:unit_id>/report")
def report(unit_id: int):
    d = disclosure.unit_disclosure(ctx(), unit_id, _year())
    return render_template("pages/disclosure/report.html", d=d, made_on=ctx().clock.today())


@bp.get("/disclosure/units/<int:unit_id>/report.xlsx")
def report_xlsx(unit_id: int):
    d = disclosure.unit_disclosure(ctx(), unit_id, _year())
    return _xlsx(disclosure_report.report_workbook(d), f"{d.unit.name}{d.year}年度资金公开.xlsx")


@bp.get("/disclosure/projects/<int:project_id>")
def project(project_id: int):
    d = disclosure.project_disclosure(ctx(), project_id)
    return render_template("pages/disclosure/project.html", p=d)


def disclosure_panel(c: Ctx, project: Project) -> Panel | None:
    """On an approved project's page: what it was given, paid and spent, and the way to the
    full public disclosure."""
    if not disclosure.is_disclosed(project):
        return None
    balances = ledger.project_balances(c, project.id).values()
    return Panel("pages/disclosure/_project_panel.html", {
        "url": url_for("web.disclosure.project", project_id=project.id),
        "committed": sum(b.committed for b in balances), "disbursed": sum(b.disbursed for b in balances),
        "spent": sum(b.spent for b in balances)}, order=80)


# -- the district's money view ---------------------------------------------------------------------

@bp.get("/money")
@login_required
def money():
    c = ctx()
    o = money_overview.overview(c, _year())
    return render_template("pages/disclosure/money.html", o=o, chart=money_chart.chart(o, c.locale),
                           group_name=lambda g: money_chart.street_label(g, c.locale))


@bp.get("/money.xlsx")
@login_required
def money_xlsx():
    o = money_overview.overview(ctx(), _year())
    return _xlsx(money_report.workbook(o), f"{o.year}年度各街道资金使用情况.xlsx")
