"""A due item's report as a workbook (.xlsx), as the item page's "Excel" link and the API's
``report.xlsx`` send it: one document a street office prints or passes on. Sheet 报告 holds the
form's fields (label, value) and what the platform knew (money), sheet 明细 each row of a list of
rows (a town's report: one row per pilot, its money beside what the town wrote). The version is
the latest one (the draft while it is being written)."""
from __future__ import annotations

from core.forms import FieldSpec, describe
from core.i18n import Text
from core.models import DueItem, ObligationReport
from core.services.obligations import prefill


def _label(field, name: str) -> str:
    label = field.metadata.get("label")
    return label.zh if isinstance(label, Text) else name


def _shown(spec: FieldSpec, value) -> str:
    """A stored value as the sheet shows it (choice labels, lists joined, 是/否)."""
    if value is None or value == "" or value == []:
        return ""
    labels = {c.value: c.label.zh for c in spec.choices}
    if isinstance(value, (list, tuple)):
        return "、".join(labels.get(str(v), str(v)) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return labels.get(str(value), str(value))


def filename(item: DueItem) -> str:
    return f"{item.owner_unit.name}-{item.obligation.label_zh}-{item.period.label_zh}.xlsx"


def workbook(item: DueItem, form, report: ObligationReport | None, facts: dict) -> bytes:
    from core.services.spreadsheets import Column, add_sheet, new_workbook, to_bytes  # late: openpyxl only when asked

    body = (report.body if report is not None else {}) or {}
    known = (report.facts if report is not None and report.facts else facts) or {}
    title = f"{item.owner_unit.name} · {item.obligation.label_zh}（{item.period.label_zh}）"
    wb = new_workbook(title)
    rows_fields = {name for name, f in form().fields.items() if prefill.row_fields(f) != ([], [])}
    lines = [["应交单位", item.owner_unit.name], ["所报期间", f"{item.period.starts_on} — {item.period.ends_on}"],
             ["到期日", item.period.due_on.isoformat()],
             ["版本", f"第{report.number}版（{report.state}）" if report is not None else "尚未填写"]]
    for spec in describe(form):
        if spec.name in rows_fields:
            continue
        lines.append([spec.label.zh, _shown(spec, body.get(spec.name))])
    money = known.get("money") or {}
    for label, key in (("已承诺（元）", "committed_fen"), ("已拨付（元）", "disbursed_fen"), ("已支出（元）", "spent_fen")):
        if key in money:
            lines.append([label, f"{money[key] / 100:,.2f}"])
    add_sheet(wb, "报告", [Column("项目"), Column("内容", width=80)], lines, title=title, totals=False)
    by_project = {p["project_id"]: p for p in known.get("projects") or []}
    for name in rows_fields:
        f = form().fields[name]
        readonly, editable = prefill.row_fields(f)
        nested = f.inner.schema.fields
        key = f.metadata.get("key")
        columns = [Column(_label(nested[n], n)) for n in readonly + editable]
        with_money = key == "project_id" and bool(by_project)
        if with_money:
            columns += [Column("已承诺（元）", "yuan", total=True), Column("已支出（元）", "yuan", total=True)]
        rows = []
        for row in body.get(name) or []:
            values = [row.get(n, "") for n in readonly + editable]
            if with_money:
                p = by_project.get(row.get(key), {})
                values += [p.get("committed_fen", 0), p.get("spent_fen", 0)]
            rows.append(values)
        add_sheet(wb, "明细", columns, rows, title=f"{title} · {_label(f, name)}")
    return to_bytes(wb)
