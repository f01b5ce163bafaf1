"""A project's people registry as a workbook (项目人员名册, tool 6): one sheet per list the form
has (服务对象名册, 志愿者名册, 自治项目团队名册), each person with their volunteer hours across the
project's activities and their consent. The numbers are in full only for those who may read
them (``A.person_read_personal``), masked for the others; every export, either way, is recorded
in the audit log (``person.export``), so the caller commits after building it. The web page's
download and the API's ``people.xlsx`` both send this workbook."""
from __future__ import annotations

from core.models import PersonRole
from core.services.context import Ctx
from core.services.delivery import people
from core.services.delivery.common import hours_text

SHEETS = ((PersonRole.beneficiary, "服务对象名册"), (PersonRole.volunteer, "志愿者名册"), (PersonRole.team, "自治项目团队名册"))


def export(ctx: Ctx, project_id: int) -> tuple[bytes, str]:
    """The registry's workbook and its file name; records the export in the audit log."""
    from core.services.spreadsheets import Column, add_sheet, new_workbook, to_bytes  # late: openpyxl only when asked

    project, rows, full = people.registry(ctx, project_id)
    title = f"{project.title}项目人员名册"
    wb = new_workbook(title)
    columns = [Column("编号", "int"), Column("姓名"), Column("性别"), Column("身份证号码", width=22), Column("手机号码", width=14),
               Column("楼组/门牌"), Column("分工或服务内容", width=30), Column("特长"), Column("参加活动（次）", "int"),
               Column("志愿服务时长（小时）"), Column("本人同意"), Column("同意日期", "date"), Column("同意方式")]
    for role, name in SHEETS:
        mine = [v for v in rows if v.person.role == role.value]
        add_sheet(wb, name, columns, [
            [v.person.id, v.person.name, v.gender_label.zh if v.gender_label else "", v.id_number or "", v.mobile or "",
             v.person.address, v.person.duty, v.person.skills, v.activities, hours_text(v.hours_tenths),
             "是" if v.person.consent else "否", v.person.consent_on, v.person.consent_note] for v in mine],
            title=f"{title} · {name}", totals=False)
    data = to_bytes(wb)
    people.record_export(ctx, project, len(rows), full, "xlsx")
    return data, f"{title}.xlsx"
