"""Postings: each appends entries under the fund's lock, after the rules pass, once per key.

Retries are answered with the entry already posted under the same idempotency key (see the
package doc)."""
from __future__ import annotations

import uuid
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.i18n import T, Text
from core.models import Attachment, EntryKind, Fund, LedgerEntry, Project
from core.models.ledger import HOLD_KINDS
from core.services.context import Ctx
from core.services.ledger.funds import _label, get_fund
from core.services.ledger.inputs import _amount, _key, _memo
from core.services.ledger.locking import _lock, _State, _state
from core.services.ledger.rules import CLAIMS_RULE, PROJECT_RULES, _breaches
from core.violations import NotFound, RuleError, Violation


# ---------------------------------------------------------------- idempotency


def _replayed(ctx: Ctx, key: str, entry_id: int | None, expected: dict) -> LedgerEntry | None:
    """The entry already posted under ``key``, if it is the same request; a refusal if not."""
    if entry_id is None:
        return None
    existing = ctx.session.get(LedgerEntry, entry_id)
    if all(getattr(existing, k) == v for k, v in expected.items()):
        return existing
    raise _conflict(key, existing)


def _conflict(key: str, existing: LedgerEntry | None) -> RuleError:
    which = f"（#{existing.id}）" if existing is not None else ""
    return RuleError(Violation("idempotency_conflict", T(
        f"请求编号「{key}」已用于另一笔记账{which}，请换一个编号",
        f"The idempotency key '{key}' was already used for a different posting {which}".rstrip()),
        field="key"), status=409)


def _insert(ctx: Ctx, action: str, entries: list[LedgerEntry], key: str) -> None:
    """Write the entries. The key was checked under the fund's lock; only a posting to another
    fund with the same key, at the same moment, can still collide with it. That is answered
    with a 409 too (the session must then be rolled back, as after any refusal)."""
    with ctx.action(action):
        ctx.session.add_all(entries)
        try:
            ctx.session.flush()
        except IntegrityError as exc:
            if "idempotency_key" not in str(exc.orig):
                raise
            raise _conflict(key, None) from None


# ---------------------------------------------------------------- postings


def _check_project(ctx: Ctx, fund: Fund, project_id) -> None:
    project = ctx.session.get(Project, project_id) if isinstance(project_id, int) and not isinstance(project_id, bool) else None
    if project is None:
        raise NotFound(T("项目", "project"), field="project_id")
    if not project.applicant_unit.is_within(fund.org_unit):
        raise RuleError(Violation("project_outside_fund", T(
            f"项目「{project.title}」不属于「{fund.name}」所在单位（{fund.org_unit.name}）的辖区",
            f"The project '{project.title}' is not within the fund's unit ({fund.org_unit.name_en or fund.org_unit.name})"),
            field="project_id"))


def _verify_voucher(ctx: Ctx, attachment_id, project_id: int | None) -> None:
    att = ctx.session.get(Attachment, attachment_id) if isinstance(attachment_id, int) and not isinstance(attachment_id, bool) else None
    if att is None:
        raise NotFound(T("凭证附件", "voucher attachment"), field="voucher_attachment_id")
    if project_id is not None and att.project_id != project_id:
        raise RuleError(Violation("voucher_other_project", T("凭证附件不属于该项目", "The voucher belongs to another project"),
                                  field="voucher_attachment_id"))


def _problems(fund: Fund, state: _State, project_id: int | None, column: str, signed: int,
              kind: EntryKind, amount: int) -> list[Violation]:
    label = _label(fund)
    problems = _breaches(label, state.fund, state.fund.plus(column, signed), kind, amount)
    if not problems and column not in HOLD_KINDS:
        # What the fund holds for *other* projects' claims is not this posting's to take; the
        # project's own hold is (an approval turns it into the commitment).
        own = state.project.held if state.project is not None else 0
        before = replace(state.fund, hold=state.fund.hold - own)
        problems = _breaches(label, before, before.plus(column, signed), kind, amount, (CLAIMS_RULE,))
    if project_id is not None:
        problems += _breaches(f"{label}·项目#{project_id}", state.project, state.project.plus(column, signed),
                              kind, amount, PROJECT_RULES)
    return problems


def _post(ctx: Ctx, kind: EntryKind, fund_id: int, amount_fen, key, *, project_id: int | None = None,
          memo: str = "", voucher_attachment_id: int | None = None, pledge_id: int | None = None,
          fund_request_id: int | None = None) -> LedgerEntry:
    amount = _amount(amount_fen)
    key = _key(key)
    memo = _memo(memo)
    # What can be checked without the lock is checked before it, to keep the lock short.
    if project_id is not None or voucher_attachment_id is not None:
        fund = get_fund(ctx, fund_id)
        if project_id is not None:
            _check_project(ctx, fund, project_id)
        if voucher_attachment_id is not None:
            _verify_voucher(ctx, voucher_attachment_id, project_id)
    fund = _lock(ctx, [fund_id])[0]
    state = _state(ctx, fund, project_id=project_id, key=key)
    expected = dict(fund_id=fund.id, kind=kind.value, amount_fen=amount, project_id=project_id,
                    pledge_id=pledge_id, fund_request_id=fund_request_id)
    if (done := _replayed(ctx, key, state.key_entry_id, expected)) is not None:
        return done  # a retry of a request already posted
    problems = _problems(fund, state, project_id, kind.value, amount, kind, amount)
    if problems:
        raise RuleError(problems)
    entry = LedgerEntry(fund_id=fund.id, kind=kind.value, amount_fen=amount, project_id=project_id,
                        actor_id=ctx.actor.id, memo=memo, idempotency_key=key,
                        voucher_attachment_id=voucher_attachment_id, pledge_id=pledge_id,
                        fund_request_id=fund_request_id)
    _insert(ctx, f"ledger.{kind.value}", [entry], key)
    return entry


def allocate(ctx: Ctx, fund_id: int, amount_fen: int, key: str, *, memo: str = "",
             project_id: int | None = None, pledge_id: int | None = None) -> LedgerEntry:
    """Put money into a fund (the year's line, the pool's budget, a received pledge: then
    ``pledge_id`` names the pledge it honours)."""
    return _post(ctx, EntryKind.allocation, fund_id, amount_fen, key, memo=memo, project_id=project_id,
                 pledge_id=pledge_id)


def commit(ctx: Ctx, fund_id: int, amount_fen: int, project_id: int | None, key: str, *, memo: str = "",
           pledge_id: int | None = None) -> LedgerEntry:
    """Promise money (a project's approval; ``pledge_id``: the claim whose money it is). Refused
    beyond the cap or the allocations, or into money held for other projects' claims."""
    return _post(ctx, EntryKind.commitment, fund_id, amount_fen, key, project_id=project_id, memo=memo,
                 pledge_id=pledge_id)


def hold(ctx: Ctx, fund_id: int, amount_fen: int, project_id: int, pledge_id: int, key: str, *,
         memo: str = "") -> LedgerEntry:
    """Set money aside for the project the pledge ``pledge_id`` claims (see the package doc)."""
    _require_id(pledge_id, T("认捐", "pledge"), "pledge_id")
    _require_id(project_id, T("项目", "project"), "project_id")
    return _post(ctx, EntryKind.hold, fund_id, amount_fen, key, project_id=project_id, memo=memo, pledge_id=pledge_id)


def release_hold(ctx: Ctx, fund_id: int, amount_fen: int, project_id: int, pledge_id: int, key: str, *,
                 memo: str = "") -> LedgerEntry:
    """End (part of) a hold: the claimed project was decided or withdrawn."""
    _require_id(pledge_id, T("认捐", "pledge"), "pledge_id")
    _require_id(project_id, T("项目", "project"), "project_id")
    return _post(ctx, EntryKind.hold_release, fund_id, amount_fen, key, project_id=project_id, memo=memo,
                 pledge_id=pledge_id)


def _require_id(value, what: Text, field: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise NotFound(what, field=field)


def release(ctx: Ctx, fund_id: int, amount_fen: int, project_id: int | None, key: str, *, memo: str = "") -> LedgerEntry:
    """Undo (part of) a commitment that has not been disbursed."""
    return _post(ctx, EntryKind.release, fund_id, amount_fen, key, project_id=project_id, memo=memo)


def disburse(ctx: Ctx, fund_id: int, amount_fen: int, project_id: int | None, key: str, *, memo: str = "",
             fund_request_id: int | None = None) -> LedgerEntry:
    """Pay out committed money (answering ``fund_request_id``, when a request asked for it)."""
    return _post(ctx, EntryKind.disbursement, fund_id, amount_fen, key, project_id=project_id, memo=memo,
                 fund_request_id=fund_request_id)


def expense(ctx: Ctx, fund_id: int, amount_fen: int, project_id: int | None, key: str, *,
            voucher_attachment_id: int | None = None, memo: str = "", fund_request_id: int | None = None) -> LedgerEntry:
    """Record spending of disbursed money, with its voucher when there is one (and the fund
    request whose money it spends, so the final accounts can set it against a budget item)."""
    return _post(ctx, EntryKind.expense, fund_id, amount_fen, key, project_id=project_id, memo=memo,
                 voucher_attachment_id=voucher_attachment_id, fund_request_id=fund_request_id)


def refund(ctx: Ctx, fund_id: int, amount_fen: int, project_id: int | None, key: str, *, memo: str = "",
           fund_request_id: int | None = None) -> LedgerEntry:
    """Return disbursed, unspent money to the fund."""
    return _post(ctx, EntryKind.refund, fund_id, amount_fen, key, project_id=project_id, memo=memo,
                 fund_request_id=fund_request_id)


def transfer(ctx: Ctx, from_fund_id: int, to_fund_id: int, amount_fen: int, key: str, *, memo: str = "",
             project_id: int | None = None) -> tuple[LedgerEntry, LedgerEntry]:
    """Move uncommitted money between two funds of the tenant: a paired out/in, one transfer id."""
    amount = _amount(amount_fen)
    key = _key(key)
    memo = _memo(memo)
    source, target = get_fund(ctx, from_fund_id, "from_fund_id"), get_fund(ctx, to_fund_id, "to_fund_id")
    if source.id == target.id:
        raise RuleError(Violation("transfer_same_fund", T("不能在同一资金内调拨", "A transfer needs two different funds"),
                                  field="to_fund_id"))
    if project_id is not None:
        _check_project(ctx, source, project_id)
        _check_project(ctx, target, project_id)
    _lock(ctx, [source.id, target.id])
    state = _state(ctx, source, key=key)
    kind = EntryKind.transfer_out
    expected = dict(fund_id=source.id, kind=kind.value, amount_fen=amount, project_id=project_id)
    if (out := _replayed(ctx, key, state.key_entry_id, expected)) is not None:
        incoming = ctx.session.scalars(select(LedgerEntry).where(
            LedgerEntry.transfer_id == out.transfer_id, LedgerEntry.kind == EntryKind.transfer_in.value)).one()
        if incoming.fund_id != target.id:
            raise _conflict(key, out)  # the same key, another destination
        return out, incoming
    # An incoming transfer only raises the target's allocation, which no rule bounds.
    problems = _problems(source, state, None, kind.value, amount, kind, amount)
    if problems:
        raise RuleError(problems)
    tid = str(uuid.uuid4())
    common = dict(amount_fen=amount, project_id=project_id, actor_id=ctx.actor.id, memo=memo, transfer_id=tid)
    out = LedgerEntry(fund_id=source.id, kind=kind.value, idempotency_key=key, **common)
    incoming = LedgerEntry(fund_id=target.id, kind=EntryKind.transfer_in.value, idempotency_key=None, **common)
    _insert(ctx, "ledger.transfer", [out, incoming], key)
    return out, incoming
