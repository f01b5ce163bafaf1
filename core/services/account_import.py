"""Importing a unit's accounts in bulk from a spreadsheet (.xlsx) or a CSV file.

A street office with 275 neighbourhoods' staff to set up types a spreadsheet, not one form at a
time. The first row names the columns (Chinese or English, any order):

    用户名 (username) | 姓名 (name) | 角色 (role) | 单位代码 (unit, optional) | 邮箱 (email, optional)

A role is its Chinese label (居委会工作人员) or its key (neighbourhood_staff); a missing unit means
the unit the import is for, and a unit named must be it or one below it. Every row is ready
before anything is written: one bad row and nothing is imported, and the refusal lists every
problem as "第N行「列」：why", N the spreadsheet's own row number. The new accounts' one-time
passwords come back once, to be handed out; each is changed at its first sign-in.
"""
from __future__ import annotations

import csv
import io

from sqlalchemy import select

from core.i18n import T
from core.models import OrgUnit, User
from core.models.people import ROLE_LABELS
from core.permissions import A
from core.services import accounts
from core.services.context import Ctx
from core.violations import RuleError, Violation

MAX_ROWS = 2000
MAX_BYTES = 2 * 1024 * 1024
COLUMNS = {  # field: (the Chinese heading, every heading that names it)
    "username": ("用户名", {"用户名", "账号", "username"}),
    "display_name": ("姓名", {"姓名", "名称", "name", "display_name"}),
    "role": ("角色", {"角色", "role"}),
    "unit": ("单位代码", {"单位代码", "单位", "unit", "unit_code"}),
    "email": ("邮箱", {"邮箱", "电子邮箱", "email"}),
}
REQUIRED = ("username", "display_name", "role")
ROLE_BY_LABEL = {label.zh: role.value for role, label in ROLE_LABELS.items()}


def _problem(row: int | None, field: str | None, zh: str, en: str) -> Violation:
    where_zh = (f"第{row}行" if row else "") + (f"「{COLUMNS[field][0]}」列" if field else "")
    where_en = (f"row {row}" if row else "") + (f", column {COLUMNS[field][0]}" if field else "")
    return Violation("import_row", T(f"{where_zh}：{zh}" if where_zh else zh, f"{where_en}: {en}" if where_en else en),
                     field="file")


def read_rows(filename: str, data: bytes) -> list[list[str]]:
    """The file's cells as text, row by row (.xlsx: the first sheet; .csv: UTF-8, or GB18030 as
    Excel saves it on Chinese Windows)."""
    if len(data) > MAX_BYTES:
        raise RuleError(_problem(None, None, f"文件过大（最多{MAX_BYTES // 1024 // 1024}MB）",
                                 f"The file is too large (at most {MAX_BYTES // 1024 // 1024} MB)"))
    name = (filename or "").lower()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        from openpyxl import load_workbook
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
            return [["" if c is None else str(c).strip() for c in row] for row in sheet.iter_rows(values_only=True)]
        except Exception:  # noqa: BLE001 - any unreadable workbook is the same refusal
            raise RuleError(_problem(None, None, "无法读取该Excel文件，请另存为 .xlsx 后重试",
                                     "The workbook cannot be read: save it as .xlsx and try again")) from None
    if name.endswith(".csv") or not name:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    raise RuleError(_problem(None, None, "请上传 .xlsx 或 .csv 文件", "Upload an .xlsx or .csv file"))


def _columns(header: list[str]) -> dict[str, int]:
    found = {}
    for index, heading in enumerate(header):
        key = next((f for f, (_, names) in COLUMNS.items() if heading.strip().lower() in names), None)
        if key and key not in found:
            found[key] = index
    missing = [COLUMNS[f][0] for f in REQUIRED if f not in found]
    if missing:
        raise RuleError(_problem(1, None, f"缺少列：{'、'.join(missing)}（第一行应为列名：用户名、姓名、角色，可加单位代码、邮箱）",
                                 f"missing columns: {', '.join(missing)} (row 1 names the columns)"))
    return found


def import_accounts(ctx: Ctx, unit_id: int, file) -> list[tuple[User, str]]:
    """Create every account of the file at ``unit_id`` or below, or none; each with its
    one-time password (shown once)."""
    ctx.require(A.user_manage, None, T("只有区级或街道管理员可以导入账号", "Only district and street administrators import accounts"))
    unit = ctx.session.get(OrgUnit, unit_id)
    if unit is None or not ctx.can(A.user_manage, unit).allowed:
        raise RuleError(Violation("invalid_unit", T("没有该单位，或您不管理它", "No such unit, or you do not administer it"),
                                  field="unit_id"))
    rows = read_rows(getattr(file, "filename", "") or "", file.read())
    while rows and not any(rows[-1]):
        rows.pop()
    if len(rows) < 2:
        raise RuleError(_problem(None, None, "文件中没有账号（第一行为列名，从第二行起每行一个账号）",
                                 "The file holds no accounts (row 1 names the columns, one account per row after it)"))
    if len(rows) - 1 > MAX_ROWS:
        raise RuleError(_problem(None, None, f"一次最多导入{MAX_ROWS}个账号", f"At most {MAX_ROWS} accounts at a time"))
    cols = _columns(rows[0])
    below = {u.code: u for u in ctx.session.scalars(select(OrgUnit).where(OrgUnit.path.startswith(unit.path)))}
    problems, ready, taken = [], [], set()
    for number, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        cell = {f: (row[i] if i < len(row) else "") for f, i in cols.items()}
        role = ROLE_BY_LABEL.get(cell["role"], cell["role"])
        target = below.get(cell.get("unit") or "", unit if not cell.get("unit") else None)
        found = accounts.check_new_account(ctx, cell["username"], cell["display_name"], role, target,
                                           cell.get("email") or None, taken=taken)
        for v in found:
            field = {"display_name": "display_name", "unit_id": "unit", "role": "role", "email": "email"}.get(v.field, "username")
            if v.field == "unit_id" and cell.get("unit") and target is None:
                problems.append(_problem(number, "unit", f"单位代码「{cell['unit']}」不是{unit.name}或其下级单位",
                                         f"unit {cell['unit']} is not {unit.name_en or unit.name} or below it"))
            else:
                problems.append(_problem(number, field, v.message.zh, v.message.en))
        taken.add((cell["username"] or "").lower())
        ready.append((cell, role, target))
    if problems:
        raise RuleError(problems, status=422)
    with ctx.action("user.import"):
        return [accounts.add_account(ctx, c["username"], c["display_name"], role, target, c.get("email") or None)
                for c, role, target in ready]
