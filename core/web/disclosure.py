"""Public disclosure pages (村(居)务公开) and the district's money view.

Anyone may read: ``/disclosure`` (choose a unit and a year), ``/disclosure/units/<id>`` (its
approved projects' sources, approvals, disbursements and spending, and its funds),
``/disclosure/projects/<id>``, the printable congress report ``.../report`` and its Excel file.
District and street administrators: ``/money``, per street and per fund, with a chart drawn
here as inline SVG (no script, no chart library) and an Excel export.

The project page gets a short section (``disclosure_panel``, given through
``core.web.project_panels``) linking to the project's disclosure once it is approved.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from flask import Blueprint, render_template, request, send_file, url_for

from core.i18n import T, Text
from core.models import Project
from core.money import money_text
from core.plugin_host.contributions import Panel
from core.services import disclosure, ledger, money_overview
from core.services.context import Ctx
from core.services.ledger import YEARS
from core.services.spreadsheets import XLSX_MIMETYPE
from core.web.context import ctx, login_required
from core.web.templating import tr, unit_name

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
    return _xlsx(disclosure.report_workbook(d), f"{d.unit.name}{d.year}年度资金公开.xlsx")


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
    o = money_overview.overview(ctx(), _year())
    return render_template("pages/disclosure/money.html", o=o, chart=chart(o), group_name=group_label)


@bp.get("/money.xlsx")
@login_required
def money_xlsx():
    o = money_overview.overview(ctx(), _year())
    return _xlsx(money_overview.workbook(o), f"{o.year}年度各街道资金使用情况.xlsx")


# -- the chart -----------------------------------------------------------------------------------
# Horizontal stacked bars, one per street: spent, disbursed-not-spent, committed-not-disbursed,
# remaining; together what the street may commit in all. The amounts stay integer fen; only
# the pixel widths are floats. Colours are presentation attributes, which the page's content
# security policy (no inline style) allows.

COLOURS = {"spent": "#1d7a46", "disbursed_unspent": "#7cc79b", "committed_undisbursed": "#f0b429",
           "available": "#c9d6e8"}
WIDTH, LABEL_W, TOTAL_W = 960, 190, 190
BAR_AREA = WIDTH - LABEL_W - TOTAL_W - 20
ROW_H, BAR_H, TOP = 40, 24, 44


@dataclass(frozen=True)
class Segment:
    key: str
    label: Text
    fen: int
    x: float
    width: float
    colour: str


@dataclass(frozen=True)
class Bar:
    name: str
    y: float
    text_y: float
    total_fen: int
    segments: list[Segment]


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_w: int
    bar_area: int
    total_x: int
    bar_h: int
    bars: list[Bar]
    legend: list[tuple[str, Text, str, int]]  # key, label, colour, x
    title: str
    desc: str


def group_label(g: money_overview.StreetMoney) -> str:
    """A street's name in the page's language; the funds held above the streets say so."""
    return unit_name(g.unit) + (tr(T("（本级）", " (own funds)")) if g.own_level else "")


def chart(o: money_overview.MoneyOverview) -> Chart:
    figures = [(group_label(g), g.totals) for g in o.groups]
    biggest = max((sum(max(v, 0) for _, v in t.segments()) for _, t in figures), default=0)
    bars = []
    for i, (name, t) in enumerate(figures):
        x, segments = float(LABEL_W), []
        for key, fen in t.segments():
            width = (max(fen, 0) * BAR_AREA / biggest) if biggest else 0.0
            segments.append(Segment(key, money_overview.SEGMENT_LABELS[key], fen, round(x, 2), round(width, 2), COLOURS[key]))
            x += width
        y = TOP + i * ROW_H
        bars.append(Bar(name, y, y + BAR_H / 2 + 5, t.committed + t.available, segments))
    legend, lx = [], LABEL_W
    for key, label in money_overview.SEGMENT_LABELS.items():
        legend.append((key, label, COLOURS[key], lx))
        lx += 22 + _text_width(tr(label)) + 24
    title = tr(T(f"{o.year}年度各街道资金使用情况", f"Money by street, {o.year}"))
    comma, semicolon, colon = (tr(T("，", ", ")), tr(T("；", "; ")), tr(T("：", ": ")))
    parts = []
    for name, t in figures:
        shown = comma.join(f"{tr(money_overview.SEGMENT_LABELS[k])} {tr(money_text(v))}" for k, v in t.segments())
        parts.append(f"{name}{colon}{shown}")
    desc = semicolon.join(parts) or tr(T("暂无资金", "no funds"))
    return Chart(WIDTH, TOP + max(len(bars), 1) * ROW_H + 10, LABEL_W, BAR_AREA, WIDTH - TOTAL_W + 10, BAR_H, bars,
                 legend, title, desc)


def _text_width(text: str, size: int = 13) -> int:
    """Roughly how wide ``text`` is drawn (a Chinese character is about one em, Latin half)."""
    return int(sum(size if ord(ch) > 0x2E7F else size * 0.6 for ch in text))
