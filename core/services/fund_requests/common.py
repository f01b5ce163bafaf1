"""What every part of the fund requests shares: the labels and the limits of what people type
(read by the API's input schemas too), the months requests are named by, and the guards each
writer runs first (the write lock, the caller's role, the reading of typed input).

Kept apart so that filing, acceptance, the batches and spending validate their input the same way
(the API's schemas and ``core.door.fields`` read the limits from the package, which re-exports
them). The write lock is explained in the package's doc ("Serialised writers").
"""
from __future__ import annotations

import re

from core.i18n import T, Text
from core.models import BudgetItem, FundRequest, OrgUnit, Project
from core.models.fund_request import OPEN_STATES, FundRequestState
from core.money import read_yuan
from core.permissions import Action
from core.services.context import Ctx
from core.services.projects import MAX_PROJECT_FEN
from core.violations import RuleError, Violation, Violations

REQUEST = T("资金申请", "fund request")
BATCH = T("月度汇总", "monthly batch")
# Limits of what people type, read by the API's input schemas too (one place each).
MIN_REASON = 5
TEXT_MAX = 500  # purpose, beneficiaries, notes, reasons, memos (their columns are String(500))
MONTH_PATTERN = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"  # YYYY-MM in the platform's years
MONTH = re.compile(MONTH_PATTERN)
YEARS = range(2000, 2101)
KEY_PATTERN = r"^[A-Za-z0-9_.:-]{1,80}$"  # an idempotency key of a request, an expense, a refund
VOUCHER_KIND = "voucher"  # the attachment kind of an expense's voucher (core's own, not a policy's)
VOUCHER_TYPES = ("application/pdf", "image/jpeg", "image/png")
# Requests whose money is counted against a budget item: still open, or paid out.
HOLDING_STATES = (*OPEN_STATES, FundRequestState.disbursed.value)


# ---------------------------------------------------------------- months


def this_month(ctx: Ctx) -> str:
    """The month it is today (Shanghai's), as fund requests name months."""
    return ctx.clock.today().strftime("%Y-%m")


def next_month(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year + mon // 12}-{mon % 12 + 1:02d}"


# ---------------------------------------------------------------- locking and guards


def _begin_write(ctx: Ctx) -> None:
    """On SQLite, take the database's write lock before reading what the decision depends on
    (see the package's doc); on PostgreSQL the rows are locked with FOR UPDATE instead."""
    session = ctx.session
    if session.get_bind().dialect.name == "sqlite":
        connection = session.connection()
        if not connection.connection.dbapi_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def _state_error(req: FundRequest, doing: Text) -> RuleError:
    label = req.state_enum.label
    return RuleError(Violation("wrong_state", T(
        f"资金申请#{req.id}当前状态为「{label.zh}」，不能{doing.zh}",
        f"Fund request #{req.id} is {label.en}; it cannot be {doing.en}"), field="state"), status=409)


def _require(ctx: Ctx, action: Action, unit: OrgUnit, message: Text) -> None:
    ctx.require(action, unit, message)


def _key(value) -> str | None:
    """An idempotency key as given (spaces around it dropped), None when none was given (an
    in-process caller), or the refusal naming the field."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not re.fullmatch(KEY_PATTERN, value.strip()):
        raise RuleError(Violation("invalid_idempotency_key", T(
            "请求编号（幂等键）应为1至80个字母、数字或 _.:- ", "The idempotency key must be 1-80 letters, digits or _.:-"),
            field="key"))
    return value.strip()


def _text(value, field_name: str, label: Text, *, required: bool, v: Violations, clause: Text | None = None) -> str:
    text = value.strip() if isinstance(value, str) else ("" if value is None else None)
    if text is None:
        v.add(Violation(f"invalid_{field_name}", T(f"「{label.zh}」应为文字", f"{label.en} must be text"), field=field_name))
        return ""
    if required and not text:
        v.add(Violation(f"{field_name}_required", T(f"请填写「{label.zh}」", f"{label.en} is required"),
                        field=field_name, clause=clause))
    elif len(text) > TEXT_MAX:
        v.add(Violation(f"{field_name}_too_long", T(f"「{label.zh}」最长{TEXT_MAX}个字", f"{label.en}: at most {TEXT_MAX} characters"),
                        field=field_name))
    return text


def _reason(value, field_name: str = "reason") -> str:
    reason = value.strip() if isinstance(value, str) else ""
    if len(reason) < MIN_REASON or len(reason) > TEXT_MAX:
        raise RuleError(Violation("reason_required", T(
            f"不通过时必须写明理由（{MIN_REASON}至{TEXT_MAX}个字），申请单位将看到该理由",
            f"A refusal needs a reason of {MIN_REASON} to {TEXT_MAX} characters; the applicant will read it"),
            field=field_name))
    return reason


def _amount(value, field_name: str = "amount") -> tuple[int | None, Violation | None]:
    """Yuan → fen (> 0), or the violation naming the field; never more than a project could hold."""
    return read_yuan(value, field_name, max_fen=MAX_PROJECT_FEN)


def _month(ctx: Ctx, value, v: Violations) -> str:
    month = (value or "").strip() if isinstance(value, str) or value is None else None
    if not month:
        return this_month(ctx)
    match = MONTH.fullmatch(month)
    if match is None or int(match.group(1)) not in YEARS:
        v.add(Violation("invalid_month", T("申请月份格式应为“年-月”，如 2023-05", "The month must be YYYY-MM, e.g. 2023-05"),
                        field="month"))
        return ""
    return month


def _budget_item(project: Project, value, v: Violations) -> BudgetItem | None:
    if value in (None, ""):
        return None
    item_id = int(value) if isinstance(value, str) and value.strip().isdigit() else value
    item = next((b for b in project.budget_items if isinstance(item_id, int) and not isinstance(item_id, bool)
                 and b.id == item_id), None)
    if item is None:
        v.add(Violation("budget_item_not_in_project", T(
            "所选预算明细不属于本项目，请从本项目的预算明细中选择",
            "The budget item chosen is not one of this project's items"), field="budget_item_id"))
    return item
