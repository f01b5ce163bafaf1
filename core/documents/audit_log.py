"""The audit log as a workbook (.xlsx), as the audit page's "导出" link sends it: the entries the
reader's filter shows, in the words of the page (``core.services.audit_view``), one row per
entry: 时间 (Shanghai), 操作人, 操作, 对象, 单位, 修改内容 (one change a line). The export is
itself recorded in the log by the service that read the rows (``audit_log.for_export``)."""
from __future__ import annotations

from core.i18n import T
from core.services.audit_view import EntryView

COLUMNS = (T("时间", "When"), T("操作人", "Who"), T("操作", "Action"), T("对象", "What"), T("单位", "Unit"),
           T("修改内容", "Changes"))


def change_lines(view: EntryView, locale: str = "zh") -> str:
    """The entry's changes as lines of text: 状态：评审中 → 已立项."""
    colon = ": " if locale.startswith("en") else "："
    lines = []
    for c in view.changes:
        if c.before is not None and c.after is not None:
            lines.append(f"{c.label}{colon}{c.before} → {c.after}")
        else:
            lines.append(f"{c.label}{colon}{c.after if c.after is not None else c.before}")
    return "\n".join(lines)


def workbook(views: list[EntryView], total: int, locale: str = "zh") -> bytes:
    """The entries as .xlsx; when the filter matched more than were written, the sheet's title
    says how many of how many."""
    from core.services.spreadsheets import Column, add_sheet, new_workbook, to_bytes  # late: openpyxl only when asked

    en = locale.startswith("en")
    title = "Audit log" if en else "审计日志"
    if total > len(views):
        title += (f" (the newest {len(views)} of {total})" if en else f"（最新 {len(views)} 条，共 {total} 条）")
    wb = new_workbook(title)
    widths = (18, 16, 18, 30, 16, 60)
    columns = [Column(label.render(locale), width=w) for label, w in zip(COLUMNS, widths)]
    add_sheet(wb, "Audit log" if en else "审计日志", columns,
              [[v.at, v.actor, v.action, v.thing, v.unit, change_lines(v, locale)] for v in views],
              title=title, totals=False)
    return to_bytes(wb)
