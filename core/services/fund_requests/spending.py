"""What happens to a request's money once paid out: the applicant's spending, each expense with
its voucher (凭证/发票, an attachment of the project), and refunds of what is unspent to the funds it came
from; and the vouchers of a project's requests, as its pages show them.

Never more than the request paid out and has not spent; an idempotency key makes a retry of
either safe: the same key with the same amount, memo (and voucher's content) returns what was
recorded the first time, with anything else it is a 409. The request's row lock serialises two
attempts at once; the ledger's unique (tenant, key) constraint backs it.
"""
from __future__ import annotations

import hashlib
import uuid
from typing import BinaryIO

from sqlalchemy import select

from core.i18n import T, Text
from core.models import Attachment, EntryKind, FundRequest, LedgerEntry
from core.models.fund_request import FundRequestState
from core.money import money_text
from core.permissions import A, Action
from core.services import funding, ledger
from core.services.closed import refuse_if_closed
from core.services.context import Ctx
from core.services.fund_requests.common import (
    VOUCHER_KIND, VOUCHER_TYPES, _amount, _begin_write, _key, _require, _state_error, _text)
from core.services.fund_requests.money import RequestMoney, request_money
from core.services.fund_requests.reading import get_request
from core.violations import RuleError, Violation, Violations


def _money_of_request(ctx: Ctx, req: FundRequest) -> tuple[list, RequestMoney]:
    """The project's funds (locked, in plan order) and this request's money in them."""
    funds = funding.approved_funding(ctx, req.project)
    if funds:
        ledger.lock_funds(ctx, [f.id for f, _ in funds])
    return [f for f, _ in funding.approved_funding(ctx, req.project)], request_money(ctx, req.project_id).get(req.id, RequestMoney())


def _key_token(key) -> str:
    """The key's part of the entries' keys: the caller's key, or (an in-process caller that
    cannot repeat itself, without one) a fresh one."""
    return _key(key) or uuid.uuid4().hex


def _replayed(ctx: Ctx, prefix: str) -> list[LedgerEntry]:
    return list(ctx.session.scalars(select(LedgerEntry).where(LedgerEntry.idempotency_key.startswith(prefix, autoescape=True))
                                    .order_by(LedgerEntry.id)))


def _replay(ctx: Ctx, done: list[LedgerEntry], fen: int, key: str, memo: str, digest: str | None = None) -> list[LedgerEntry]:
    """A retry under a key already used: what was recorded then, if it asks the same (amount,
    memo as recorded, the voucher's content); a key sent again with other input is a conflict,
    not a silent replay. The input is read first: a retry is refused for what any request
    would be refused for."""
    voucher = ctx.session.get(Attachment, done[0].voucher_attachment_id) if done[0].voucher_attachment_id else None
    same = (sum(e.amount_fen for e in done) == fen and done[0].memo == memo
            and (digest is None or (voucher is not None and voucher.sha256 == digest)))
    if not same:
        raise RuleError(Violation("idempotency_conflict", T(
            f"请求编号「{key}」已用于另一笔内容不同的登记（金额、说明或凭证不同）；新的登记请换一个编号（刷新页面即可）",
            f"The key '{key}' was already used for a different record (another amount, memo or voucher); "
            f"record a new one under a new key"), field="key"), status=409)
    return done


# What a closed project refuses, in words (``core.services.closed``).
CLOSED_DOING = {"expense": T("登记支出", "record spending"), "refund": T("登记退回", "record a refund")}


def _disbursed_request(ctx: Ctx, request_id: int, action: Action, who: Text, kind: str, doing: Text, key: str | None):
    """What recording an expense and a refund share: the request locked, the caller's role, a
    retry's earlier entries (the same key), and a request that has been disbursed. Returns
    (request, the entries' key prefix, the entries already recorded under ``key`` or [])."""
    _begin_write(ctx)
    req = get_request(ctx, request_id, for_update=True)
    _require(ctx, action, req.project.applicant_unit, who)
    prefix = f"fund_request:{req.id}:{kind}:{_key_token(key)}:"
    done = _replayed(ctx, prefix) if key else []
    if not done:  # a retry of what was recorded before the close answers as it did then
        refuse_if_closed(ctx, req.project, CLOSED_DOING[kind])
    if not done and req.state != FundRequestState.disbursed.value:
        raise _state_error(req, doing)
    return req, prefix, done or []


def record_expense(ctx: Ctx, request_id: int, *, amount, memo: str = "", voucher=None, storage=None,
                   key: str | None = None) -> list[LedgerEntry]:
    """The applicant records spending of a disbursed request's money, with its voucher (stored
    as an attachment of the project): ``voucher`` is the upload as it came (werkzeug's
    ``FileStorage``, or anything with a ``filename`` and a ``stream``). Never more than the
    request paid out and is unspent. ``key`` makes a retry safe: the same key returns what was
    recorded the first time."""
    voucher_filename = getattr(voucher, "filename", None)
    voucher_stream: BinaryIO | None = getattr(voucher, "stream", None)
    req, prefix, done = _disbursed_request(
        ctx, request_id, A.fund_request_file, T("只有申请单位可以登记支出", "Only the applicant may record spending"),
        "expense", T("登记支出（须先拨付）", "spent (it must be disbursed first)"), key)
    v = Violations()
    fen, problem = _amount(amount)
    v.add(problem)
    memo = _text(memo, "memo", T("支出说明", "Description"), required=True, v=v)
    if voucher_stream is None or not voucher_filename:
        v.add(Violation("voucher_required", T("请上传凭证/发票（PDF、JPG 或 PNG）", "Upload the voucher (PDF, JPG or PNG)"),
                        field="voucher"))
    v.raise_if_blocking()
    data, content_type = storage.read_upload(voucher_stream, voucher_filename, VOUCHER_TYPES, field="voucher")
    text = f"资金申请#{req.id}：{memo}"[:ledger.MEMO_MAX]
    if done:
        return _replay(ctx, done, fen, key, text, hashlib.sha256(data).hexdigest())
    funds, money = _money_of_request(ctx, req)
    if fen > money.unspent:
        raise RuleError(Violation("over_request_disbursed", T(
            f"支出 {money_text(fen).zh} 超出该申请已拨付未支出的金额：已拨付 {money_text(money.disbursed_total).zh}，"
            f"已支出 {money_text(money.spent_total).zh}，尚可支出 {money_text(money.unspent).zh}",
            f"Spending {money_text(fen).en} exceeds what this request paid out and is unspent: disbursed "
            f"{money_text(money.disbursed_total).en}, spent {money_text(money.spent_total).en}, {money_text(money.unspent).en} left"),
            field="amount"))
    stored_key, digest = storage.save(ctx.tenant_id, data)
    name = voucher_filename.replace("\\", "/").rsplit("/", 1)[-1].strip()[-255:] or "voucher"
    with ctx.action("fund_request.voucher"):
        voucher = Attachment(project_id=req.project_id, kind=VOUCHER_KIND, filename=name, content_type=content_type,
                             size=len(data), sha256=digest, storage_key=stored_key, uploaded_by_id=ctx.actor.id)
        ctx.session.add(voucher)
    entries, left = [], fen
    for fund in funds:
        take = min(left, money.disbursed.get(fund.id, 0) - money.spent.get(fund.id, 0))
        if take > 0:
            entries.append(ledger.expense(ctx, fund.id, take, req.project_id, f"{prefix}{fund.id}", memo=text,
                                          voucher_attachment_id=voucher.id, fund_request_id=req.id))
            left -= take
    return entries


def record_refund(ctx: Ctx, request_id: int, *, amount, memo: str = "", key: str | None = None) -> list[LedgerEntry]:
    """Unspent money of a disbursed request goes back to its funds (the last-drawn fund first)."""
    req, prefix, done = _disbursed_request(
        ctx, request_id, A.fund_request_refund,
        T("只有申请单位或街道社区自治办可以登记退回", "Only the applicant or the street office may record a refund"),
        "refund", T("登记退回（须先拨付）", "refunded (it must be disbursed first)"), key)
    v = Violations()
    fen, problem = _amount(amount)
    v.add(problem)
    memo = _text(memo, "memo", T("退回说明", "Description"), required=False, v=v)
    v.raise_if_blocking()
    text = (f"资金申请#{req.id}退回" + (f"：{memo}" if memo else ""))[:ledger.MEMO_MAX]
    if done:
        return _replay(ctx, done, fen, key, text)
    funds, money = _money_of_request(ctx, req)
    if fen > money.unspent:
        raise RuleError(Violation("over_request_unspent", T(
            f"退回 {money_text(fen).zh} 超出该申请已拨付未支出的金额 {money_text(money.unspent).zh}",
            f"Refunding {money_text(fen).en} exceeds the {money_text(money.unspent).en} this request paid out and has not spent"),
            field="amount"))
    entries, left = [], fen
    for fund in reversed(funds):
        take = min(left, money.disbursed.get(fund.id, 0) - money.spent.get(fund.id, 0))
        if take > 0:
            entries.append(ledger.refund(ctx, fund.id, take, req.project_id, f"{prefix}{fund.id}",
                                         memo=text, fund_request_id=req.id))
            left -= take
    return entries


def vouchers(ctx: Ctx, project_id: int) -> dict[int, list[tuple[LedgerEntry, Attachment | None]]]:
    """Per request of the project, its expense entries with their vouchers, oldest first."""
    rows = ctx.session.execute(select(LedgerEntry, Attachment)
                               .outerjoin(Attachment, Attachment.id == LedgerEntry.voucher_attachment_id)
                               .where(LedgerEntry.project_id == project_id, LedgerEntry.kind == EntryKind.expense.value,
                                      LedgerEntry.fund_request_id.is_not(None))
                               .order_by(LedgerEntry.id)).all()
    out: dict[int, list] = {}
    for entry, att in rows:
        out.setdefault(entry.fund_request_id, []).append((entry, att))
    return out
