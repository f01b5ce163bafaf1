"""The chart of the district's money view: horizontal stacked bars, one per street: spent,
disbursed-not-spent, committed-not-disbursed, held for claimed projects not decided yet,
remaining; together what the street may commit in all. This computes the geometry and the words (a title, and a description for screen readers
that says every figure); the page's template draws it as inline SVG, with no script and no
chart library. The amounts stay integer fen; only the pixel widths are floats. Colours are
presentation attributes, which the page's content security policy (no inline style) allows.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.i18n import T, Text
from core.money import money_text
from core.services import money_overview

OWN_FUNDS = T("（本级）", " (own funds)")
COLOURS = {"spent": "#1d7a46", "disbursed_unspent": "#7cc79b", "committed_undisbursed": "#f0b429",
           "held": "#a58bd0", "available": "#c9d6e8"}
WIDTH, LABEL_W, TOTAL_W = 960, 190, 190
BAR_AREA = WIDTH - LABEL_W - TOTAL_W - 20
ROW_H, BAR_H, LEGEND_H = 40, 24, 22


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
    legend: list[tuple[str, Text, str, int, int]]  # key, label, colour, x, y
    head_y: int  # the column heading's baseline, above the first bar
    title: str
    desc: str


def street_label(g: money_overview.StreetMoney, lang: str) -> str:
    """A street's name in ``lang``; the funds held above the streets say so."""
    return g.unit.name_in(lang) + (OWN_FUNDS.render(lang) if g.own_level else "")


def chart(o: money_overview.MoneyOverview, lang: str) -> Chart:
    """The chart of the overview ``o``, its words in ``lang``."""
    def tr(text: Text) -> str:
        return text.render(lang)

    figures = [(street_label(g, lang), g.totals) for g in o.groups]
    # The legend first: it wraps onto a second line where the words are long (English), and
    # the bars start below it.
    legend, lx, ly = [], LABEL_W, 8
    for key, label in money_overview.SEGMENT_LABELS.items():
        width = 22 + _text_width(tr(label)) + 24
        if lx > LABEL_W and lx + width > WIDTH:
            lx, ly = LABEL_W, ly + LEGEND_H
        legend.append((key, label, COLOURS[key], lx, ly))
        lx += width
    top = ly + 36
    biggest = max((sum(max(v, 0) for _, v in t.segments()) for _, t in figures), default=0)
    bars = []
    for i, (name, t) in enumerate(figures):
        x, segments = float(LABEL_W), []
        for key, fen in t.segments():
            width = (max(fen, 0) * BAR_AREA / biggest) if biggest else 0.0
            segments.append(Segment(key, money_overview.SEGMENT_LABELS[key], fen, round(x, 2), round(width, 2), COLOURS[key]))
            x += width
        y = top + i * ROW_H
        bars.append(Bar(name, y, y + BAR_H / 2 + 5, t.may_commit, segments))
    title = tr(T(f"{o.year}年度各街道资金使用情况", f"Money by street, {o.year}"))
    comma, semicolon, colon = (tr(T("，", ", ")), tr(T("；", "; ")), tr(T("：", ": ")))
    parts = []
    for name, t in figures:
        shown = comma.join(f"{tr(money_overview.SEGMENT_LABELS[k])} {tr(money_text(v))}" for k, v in t.segments())
        parts.append(f"{name}{colon}{shown}")
    desc = semicolon.join(parts) or tr(T("暂无资金", "no funds"))
    return Chart(WIDTH, top + max(len(bars), 1) * ROW_H + 10, LABEL_W, BAR_AREA, WIDTH - TOTAL_W + 10, BAR_H, bars,
                 legend, top - 6, title, desc)


def _text_width(text: str, size: int = 13) -> int:
    """Roughly how wide ``text`` is drawn (a Chinese character is about one em, Latin half)."""
    return int(sum(size if ord(ch) > 0x2E7F else size * 0.6 for ch in text))
