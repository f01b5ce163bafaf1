"""Reconciliation: prove, from the entries alone, that every fund's books are in order.

For each fund of a tenant it replays the entries one by one in the order they were written
(independently of the SQL aggregate that ``ledger.balances`` uses) and proves that:

1. the replayed sums equal the derived balances the platform shows;
2. no balance (allocated, committed, disbursed, spent) is ever negative along the way;
3. spent ≤ disbursed ≤ committed ≤ allocated, and committed ≤ the cap, per fund and the first
   three per project;
4. every correction names an existing, correctable entry of the same fund, and no entry is
   corrected by more than its amount;
5. every transfer_out has exactly one transfer_in of the same amount in another fund, and
   vice versa;
6. holds (a claim's money set aside for its project, ``core.services.holds``): what is held is
   never negative, per fund and per project; every hold names a pledge that claims that
   project in that fund; and nothing is still held for a project that has been decided or
   withdrawn (an approval turns its holds into commitments, a rejection or a withdrawal
   releases them).

Holds are not bounded by the allocations: a claim holds its money before it arrives, so a
fund's available balance (``min(allocated, cap) − committed − held``) may be below zero and
is reported as it is.

The database already refuses updates and deletes of entries; reconciliation is how an auditor
(or a nightly job) shows the books were not tampered with by someone who could get around that.
Call ``read_snapshot`` first on a fresh session so every query sees the same moment.
"""
from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.i18n import T, Text
from core.models import EntryKind, Fund, FundKind, LedgerEntry, OrgUnit, Pledge, Project
from core.money import format_yuan, money_text
from core.services.context import Ctx
from core.services.holds import UNDECIDED
from core.services.ledger import COLUMNS, NOT_CORRECTABLE, Balance, balances

TRANSFERS = (EntryKind.transfer_out.value, EntryKind.transfer_in.value)
HOLDS = (EntryKind.hold.value, EntryKind.hold_release.value)
# Checked along the way: none of these may ever go below zero.
RUNNING = ("allocated", "committed", "disbursed", "spent", "held")
LABELS = {
    "allocated": T("到位", "allocated"), "committed": T("已承诺", "committed"),
    "disbursed": T("已拨付", "disbursed"), "spent": T("已支出", "spent"), "cap_fen": T("上限", "cap"),
    "held": T("认领预留", "held for claims"),
}
# (smaller, larger): the chain 0 ≤ spent ≤ disbursed ≤ committed ≤ allocated, committed ≤ cap.
CHAIN = (("spent", "disbursed"), ("disbursed", "committed"), ("committed", "allocated"), ("committed", "cap_fen"))
PROJECT_CHAIN = CHAIN[:2]


@dataclass
class FundReconciliation:
    fund_id: int
    unit: str
    name: str
    kind: str
    year: int
    tier: str | None
    balance: Balance
    problems: list[Text] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def read_snapshot(session: Session) -> None:
    """Make the session's following reads one consistent snapshot (call before any query).

    PostgreSQL: a REPEATABLE READ transaction. SQLite: an explicit (deferred) BEGIN, since
    pysqlite would otherwise run each SELECT outside a transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    else:
        connection = session.connection()
        if not connection.connection.dbapi_connection.in_transaction:
            connection.exec_driver_sql("BEGIN")


def _cell(fen: int | None) -> str:
    """An amount in the report's table: the number alone (the heading names the column), — for none."""
    return "—" if fen is None else format_yuan(fen)


def reconcile(ctx: Ctx) -> list[FundReconciliation]:
    """Reconcile every fund of the ctx's tenant: three queries (funds, aggregates, entries), then
    the replay in memory."""
    funds = list(ctx.session.execute(
        select(Fund, OrgUnit.name).join(OrgUnit, OrgUnit.id == Fund.org_unit_id).order_by(Fund.id)))
    derived = balances(ctx)
    rows = list(ctx.session.execute(select(
        LedgerEntry.id, LedgerEntry.fund_id, LedgerEntry.kind, LedgerEntry.amount_fen, LedgerEntry.project_id,
        LedgerEntry.corrects_id, LedgerEntry.transfer_id, LedgerEntry.pledge_id).order_by(LedgerEntry.id)))
    by_id = {r.id: r for r in rows}
    results = {f.id: FundReconciliation(f.id, unit, f.name, f.kind, f.year, f.tier, derived.get(f.id, Balance(f.id, f.cap_fen)))
              for f, unit in funds}
    replay = {f.id: Balance(f.id, f.cap_fen) for f, _ in funds}
    per_project: dict[tuple[int, int], Balance] = defaultdict(Balance)
    went_negative: dict[int, set[str]] = defaultdict(set)
    corrected: dict[int, int] = defaultdict(int)
    transfers: dict[str, list] = defaultdict(list)
    held_rows: list = []

    for r in rows:
        result = results.get(r.fund_id)
        if result is None:  # the foreign key makes this impossible; say so if it happens anyway
            continue
        column, signed = r.kind, r.amount_fen
        if r.kind == EntryKind.correction.value:
            original = by_id.get(r.corrects_id)
            if original is None or original.fund_id != r.fund_id:
                result.problems.append(T(f"更正条目#{r.id}指向的条目#{r.corrects_id}不存在或不属于本资金",
                                         f"correction #{r.id} names entry #{r.corrects_id}, which is missing or in another fund"))
                continue
            if original.kind in NOT_CORRECTABLE:
                result.problems.append(T(f"更正条目#{r.id}指向不可更正的条目#{original.id}（{original.kind}）",
                                         f"correction #{r.id} names #{original.id}, a {original.kind}, which cannot be corrected"))
                continue
            corrected[original.id] += r.amount_fen
            column, signed = original.kind, -r.amount_fen
        if r.kind in TRANSFERS:
            transfers[r.transfer_id].append(r)
        if r.kind in HOLDS:
            held_rows.append(r)
        replay[r.fund_id] = replay[r.fund_id].plus(column, signed)
        b = replay[r.fund_id]
        for name in RUNNING:
            if getattr(b, name) < 0 and name not in went_negative[r.fund_id]:
                went_negative[r.fund_id].add(name)
                result.problems.append(T(f"条目#{r.id}之后{LABELS[name].zh}为负数（{money_text(getattr(b, name)).zh}）",
                                         f"{LABELS[name].en} is negative after entry #{r.id} ({money_text(getattr(b, name)).en})"))
        if r.project_id is not None:
            key = (r.fund_id, r.project_id)
            per_project[key] = per_project[key].plus(column, signed)

    for original_id, total in corrected.items():
        original = by_id[original_id]
        if total > original.amount_fen:
            results[original.fund_id].problems.append(T(
                f"条目#{original_id}被更正 {money_text(total).zh}，超过其金额 {money_text(original.amount_fen).zh}",
                f"entry #{original_id} is corrected by {money_text(total).en}, more than its {money_text(original.amount_fen).en}"))

    for tid, halves in transfers.items():
        outs = [h for h in halves if h.kind == EntryKind.transfer_out.value]
        ins = [h for h in halves if h.kind == EntryKind.transfer_in.value]
        ok = (len(outs) == 1 and len(ins) == 1 and outs[0].amount_fen == ins[0].amount_fen
              and outs[0].fund_id != ins[0].fund_id)
        if not ok:
            for h in halves:
                results[h.fund_id].problems.append(T(
                    f"调拨{tid}不成对：条目#{h.id}（{h.kind}，{money_text(h.amount_fen).zh}）缺少金额相同的另一半",
                    f"transfer {tid} is unpaired: entry #{h.id} ({h.kind}, {money_text(h.amount_fen).en}) lacks its matching half"))

    for fund_id, result in results.items():
        mine = replay[fund_id]
        if mine.sums() != result.balance.sums():
            diff = [(c, money_text(getattr(mine, c)), money_text(getattr(result.balance, c)))
                    for c in COLUMNS if getattr(mine, c) != getattr(result.balance, c)]
            result.problems.append(T("逐条累加与汇总余额不符：" + "，".join(f"{c}: {a.zh} ≠ {b.zh}" for c, a, b in diff),
                                     "entries do not add up to the balances: " + ", ".join(f"{c}: {a.en} ≠ {b.en}" for c, a, b in diff)))
        _chain(result.problems, mine, CHAIN, T("", ""))
    for (fund_id, project_id), b in per_project.items():
        _chain(results[fund_id].problems, b, PROJECT_CHAIN, T(f"项目#{project_id}：", f"project #{project_id}: "))
    _holds(ctx, results, held_rows, per_project)
    return list(results.values())


def _holds(ctx: Ctx, results: dict[int, FundReconciliation], rows: list, per_project: dict[tuple[int, int], Balance]) -> None:
    """Item 6 of the module doc: holds name their claims, and end when the project is decided."""
    claims = {p.id: (p.fund_id, p.project_id) for p in ctx.session.execute(
        select(Pledge.id, Pledge.fund_id, Pledge.project_id).where(Pledge.id.in_({r.pledge_id for r in rows if r.pledge_id})))}
    for r in rows:
        if claims.get(r.pledge_id) != (r.fund_id, r.project_id):
            results[r.fund_id].problems.append(T(
                f"预留条目#{r.id}所指的认捐#{r.pledge_id}并未以本资金认领项目#{r.project_id}",
                f"hold entry #{r.id} names pledge #{r.pledge_id}, which does not claim project #{r.project_id} from this fund"))
    held = {key: b.held for key, b in per_project.items() if b.held}
    states = dict(ctx.session.execute(select(Project.id, Project.state).where(Project.id.in_({p for _, p in held}))).all())
    for (fund_id, project_id), amount in held.items():
        if amount < 0:
            results[fund_id].problems.append(T(f"项目#{project_id}：认领预留为负数（{money_text(amount).zh}）",
                                               f"project #{project_id}: held for claims is negative ({money_text(amount).en})"))
        elif states.get(project_id) not in UNDECIDED:
            results[fund_id].problems.append(T(
                f"项目#{project_id}已不在评审中（{states.get(project_id)}），仍有认领预留 {money_text(amount).zh} 未解除",
                f"project #{project_id} is no longer under review ({states.get(project_id)}) but {money_text(amount).en} is still held for it"))


def _chain(problems: list[Text], b: Balance, chain, prefix: Text) -> None:
    for small, large in chain:
        limit = getattr(b, large)
        if limit is not None and getattr(b, small) > limit:
            problems.append(T(
                f"{prefix.zh}{LABELS[small].zh} {money_text(getattr(b, small)).zh} 超过{LABELS[large].zh} {money_text(limit).zh}",
                f"{prefix.en}{LABELS[small].en} {money_text(getattr(b, small)).en} exceeds {LABELS[large].en} {money_text(limit).en}"))


# ---------------------------------------------------------------- the report


HEADERS = ("辖区", "资金#", "单位", "资金", "类型", "年度", "上限", "到位", "已承诺", "认领预留", "已拨付", "已支出", "可用", "结果")


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, width: int, right: bool) -> str:
    gap = " " * (width - _width(s))
    return gap + s if right else s + gap


def table(results: list[tuple[str, list[FundReconciliation]]]) -> list[str]:
    """A plain-text table (CJK-width aware) of every fund's balances and verdict."""
    body = []
    for tenant, funds in results:
        for c in funds:
            b = c.balance
            name = c.name + (f"·{c.tier}" if c.tier else "")
            body.append((tenant, str(c.fund_id), c.unit, name, FundKind(c.kind).label.zh, str(c.year), _cell(b.cap_fen),
                         _cell(b.allocated), _cell(b.committed), _cell(b.held), _cell(b.disbursed), _cell(b.spent),
                         _cell(b.available),
                         "通过" if c.ok else "不通过"))
    widths = [max([_width(h)] + [_width(row[i]) for row in body]) for i, h in enumerate(HEADERS)]
    numeric = {1, 5, 6, 7, 8, 9, 10, 11, 12}
    lines = ["  ".join(_pad(h, widths[i], i in numeric) for i, h in enumerate(HEADERS))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(cell, widths[i], i in numeric) for i, cell in enumerate(row)) for row in body]
    return lines
