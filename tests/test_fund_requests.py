"""Monthly fund requests (资金申请) through the services: a neighbourhood files requests for its
approved project, the street office checks them into the month's batch, a street leader
approves the batch within their authority, the office records the disbursement, the
neighbourhood records spending with vouchers (and a refund), and the final accounts add up.

Then the issue's bad input, each refused with a reason naming the field and the numbers, and
after each refusal nothing partial: the ledger and the states are as they were. Both profiles.

The money comes from the test itself (a pool and a neighbourhood line allocated through
``funding.fund_for``), and so do the street leaders and the supervisor, so these tests do not
depend on the demo tenant's figures."""
from __future__ import annotations

import io
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from core.i18n import T
from core.models import (
    Attachment,
    AuditEntry,
    FundRequest,
    FundRequestBatch,
    LedgerEntry,
    OrgUnit,
    Programme,
)
from core.plugin_host.contributions import FundRequestRules
from core.plugin_host.manager import Policy
from core.services import final_accounts, fund_requests, funding, ledger, projects, review
from core.violations import Forbidden, NotFound, RuleError
from tests.factories import PDF, PNG, acting, programme_id, unit_id
from tests.money_factories import YUAN, approved_project, draft, item_ids, leaders, money_for, person, snapshot


# Fund requests are filed in 共和新路's implementation phase (from April).
pytestmark = pytest.mark.usefixtures("in_implementation")


# -- helpers of these tests -------------------------------------------------------------------------

def file(platform, pid: int, amount: str, *, item: int | None = None, username="luochuan", **kw) -> int:
    with acting(platform, "jingan", username) as ctx:
        return fund_requests.file_request(ctx, pid, amount=amount, purpose=kw.pop("purpose", "购买活动物料"),
                                          budget_item_id=item, **kw).id


def refused(platform, username: str, fn, *, code: str | None = None, exc=RuleError):
    """Run ``fn(ctx)`` as ``username``: it must be refused, and nothing may have changed."""
    before = snapshot(platform)
    with pytest.raises(exc) as info, acting(platform, "jingan", username) as ctx:
        fn(ctx)
    if code is not None:
        assert code in {v.code for v in info.value.violations}, info.value.violations
    assert snapshot(platform) == before
    return info.value


def message(err: RuleError, code: str):
    return next(v for v in err.violations if v.code == code)


def through_batch(platform, request_ids: list[int], leader: str = "fr_leader") -> int:
    """Accepted by the office and approved by the leader; returns the batch id."""
    leaders(platform)
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        batch_ids = {fund_requests.accept(ctx, rid).batch_id for rid in request_ids}
    assert len(batch_ids) == 1
    batch_id = batch_ids.pop()
    with acting(platform, "jingan", leader) as ctx:
        fund_requests.approve_batch(ctx, batch_id)
    return batch_id


# -- the happy path ----------------------------------------------------------------------------------

def test_a_month_of_requests_from_filing_to_final_accounts(platform):
    pid = approved_project(platform)
    materials, posters = item_ids(platform, pid)
    a = file(platform, pid, "1500", item=materials, beneficiaries="楼组居民约300人")
    b = file(platform, pid, "800.50", item=posters, purpose="印制宣传海报")
    with acting(platform, "jingan", "luochuan") as ctx:
        req = fund_requests.get_request(ctx, a)
        assert (req.state, req.month, req.amount_fen, req.budget_item_description) == ("submitted", "2023-04", 150_000, "活动物料")
        room = fund_requests.headroom(ctx, req.project)
        assert (room.committed, room.disbursed, room.open_requests, room.remaining) == (400_000, 0, 230_050, 169_950)

    # The street office checks both: they join 共和新路's batch of March, created on the way.
    leaders(platform)
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        accepted = [fund_requests.accept(ctx, rid) for rid in (a, b)]
        assert {r.state for r in accepted} == {"accepted"} and accepted[0].batch_id == accepted[1].batch_id
        batch = fund_requests.get_batch(ctx, accepted[0].batch_id)
        assert (batch.street_unit.name, batch.month, batch.state) == ("共和新路街道", "2023-04", "open")
        assert fund_requests.batch_total(ctx, batch) == 230_050
        batch_id = batch.id

    # The leader approves the month's total within their 50,000 yuan.
    with acting(platform, "jingan", "fr_leader") as ctx:
        assert fund_requests.authority_fen(ctx, batch.street_unit) == (True, 5_000_000)
        approved = fund_requests.approve_batch(ctx, batch_id)
        assert (approved.state, approved.approved_total_fen) == ("approved", 230_050)
        assert approved.approved_by_id is not None and approved.approved_at is not None
    with acting(platform, "jingan", "luochuan") as ctx:
        assert {fund_requests.get_request(ctx, r).state for r in (a, b)} == {"approved"}

    # The office records the disbursement of the whole batch: one ledger entry per request and fund.
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        paid = fund_requests.disburse_batch(ctx, batch_id)
        assert sorted(r.id for r in paid) == [a, b]
        entries = ctx.session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "disbursement")
                                      .order_by(LedgerEntry.id)).all()
        assert [(e.fund_request_id, e.amount_fen, e.project_id) for e in entries] == [(a, 150_000, pid), (b, 80_050, pid)]
        assert entries[0].idempotency_key == f"fund_request:{a}:{entries[0].fund_id}"
        assert ctx.session.get(FundRequest, a).disbursed_at is not None

    # The neighbourhood spends 1,200 yuan of the first request, with the shop's voucher, and returns 100.
    with acting(platform, "jingan", "luochuan") as ctx:
        spent = fund_requests.record_expense(ctx, a, amount="1200", memo="购买绿植和工具", voucher=FileStorage(io.BytesIO(PNG), "发票.png"),
                                             storage=platform.storage)
        assert [e.amount_fen for e in spent] == [120_000]
        voucher = ctx.session.get(Attachment, spent[0].voucher_attachment_id)
        assert (voucher.project_id, voucher.kind, voucher.filename, voucher.content_type) == (pid, "voucher", "发票.png", "image/png")
        assert spent[0].fund_request_id == a
        back = fund_requests.record_refund(ctx, a, amount="100", memo="结余退回")
        assert [(e.kind, e.amount_fen, e.fund_request_id) for e in back] == [("refund", 10_000, a)]
        money = fund_requests.request_money(ctx, pid)[a]
        assert (money.disbursed_total, money.spent_total, money.unspent) == (140_000, 120_000, 20_000)

    # The final accounts, per budget item and in total, agree with the ledger to the fen.
    with acting(platform, "jingan", "luochuan") as ctx:
        fa = final_accounts.final_accounts(ctx, pid)
        rows = [(str(line.label), line.budgeted, line.requested, line.disbursed, line.spent, line.balance) for line in fa.rows]
        assert rows == [("活动物料", 300_000, 150_000, 140_000, 120_000, 180_000),
                        ("宣传海报", 100_000, 80_050, 80_050, 0, 100_000)]
        t = fa.total
        assert (t.budgeted, t.requested, t.disbursed, t.spent, t.balance) == (400_000, 230_050, 220_050, 120_000, 280_000)
        assert (fa.committed, fa.refunded) == (400_000, 10_000)
        ledger_totals = [b for _, b in funding.approved_funding(ctx, projects.get_project(ctx, pid))]
        assert sum(b.disbursed for b in ledger_totals) == t.disbursed and sum(b.spent for b in ledger_totals) == t.spent
        data = final_accounts.workbook(fa)

    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(data))
    ws = book.active
    assert book.sheetnames == ["经费决算表", "项目信息"]
    cells = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    header = cells[0]
    assert list(header) == ["序号", "预算明细", "预算金额（元）", "已申请（元）", "已拨付（元）", "实际支出（元）", "结余（元）"]
    body = [[Decimal(str(c)) if isinstance(c, (int, float)) else c for c in row] for row in cells[cells.index(header) + 1:]]
    assert body[0] == [1, "活动物料", 3000, 1500, 1400, 1200, 1800]
    assert body[1] == [2, "宣传海报", 1000, Decimal("800.5"), Decimal("800.5"), 0, 1000]
    assert body[2] == ["合计", None, 4000, Decimal("2300.5"), Decimal("2200.5"), 1200, 2800]
    money_cells = [row for row in ws.iter_rows() if row[0].value == "合计"][0]
    assert all(c.number_format == "#,##0.00" for c in money_cells[2:])
    # The project's particulars on their own sheet, one table too; the title heads every printed page.
    info = list(book["项目信息"].iter_rows(values_only=True))
    assert info[0] == ("项目名称", "申报单位", "年度项目", "核定（承诺）金额（元）", "其中已退回（元）", "编制日期")
    assert [Decimal(str(c)) for c in info[1][3:5]] == [4000, 100] and info[1][5].date().isoformat() == fa.as_of
    assert ws.oddHeader.center.text.startswith("项目经费决算表：")

    with acting(platform, "jingan", "ghxl_admin") as ctx:
        actions = set(ctx.session.scalars(select(AuditEntry.action)))
    assert {"fund_request.file", "fund_request.accept", "fund_request.batch_approve", "fund_request.disburse",
            "ledger.disbursement", "ledger.expense", "ledger.refund"} <= actions


def line_available(platform, unit_code: str = "ghxl-luochuan") -> int:
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        programme = ctx.session.get(Programme, programme_id(platform))
        applicant = ctx.session.get(OrgUnit, unit_id(platform, "jingan", unit_code))
        return ledger.balance(ctx, funding.fund_for(ctx, programme, applicant, "line", create=True).id).available


def test_a_signature_project_is_paid_from_its_line_first_then_the_pool(platform):
    # 2,000 yuan more than the neighbourhood's line: the panel approves the excess from the pool.
    money_for(platform)
    line = line_available(platform)
    budget = str((line + 200_000) // YUAN)
    pid = approved_project(platform, track="yiju_yipin", title="楼组议事会", budget=[("议事会场地布置", budget)],
                           approvals=["signature_over_line"])
    rid = file(platform, pid, str((line + 100_000) // YUAN))
    through_batch(platform, [rid])
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        entries = fund_requests.disburse(ctx, rid)
        funds = {f.id: f for f in ledger.funds_by_id(ctx, [e.fund_id for e in entries])}
        assert [(funds[e.fund_id].kind, e.amount_fen) for e in entries] == [("budget_line", line), ("pool", 100_000)]
    # Spending that request's money draws on the same funds, in the same order.
    with acting(platform, "jingan", "luochuan") as ctx:
        spent = fund_requests.record_expense(ctx, rid, amount=str((line + 50_000) // YUAN), memo="场地布置",
                                             voucher=FileStorage(io.BytesIO(PDF), "收据.pdf"), storage=platform.storage)
        assert [e.amount_fen for e in spent] == [line, 50_000]


# -- bad input: each refused with its reason, nothing partial -------------------------------------------

def test_a_request_on_a_project_that_is_not_approved_is_refused(platform):
    money_for(platform)
    rejected = draft(platform, title="被否决的项目")
    with acting(platform, "jingan", "ghxl_chair") as ctx:
        review.decide(ctx, rejected, "rejected", explanation="与既有项目重复，建议合并")
    err = refused(platform, "luochuan", lambda ctx: fund_requests.file_request(ctx, rejected, amount="100", purpose="物料"),
                  code="project_not_approved")
    v = message(err, "project_not_approved")
    assert "未通过" in v.message.zh and "已立项" in v.message.zh and v.field == "project_id" and err.status == 409
    withdrawn = draft(platform, title="撤回的项目")
    with acting(platform, "jingan", "luochuan") as ctx:
        projects.withdraw(ctx, withdrawn)
    refused(platform, "luochuan", lambda ctx: fund_requests.file_request(ctx, withdrawn, amount="100", purpose="物料"),
            code="project_not_approved")
    unsubmitted = draft(platform, title="草稿项目", submit=False)
    refused(platform, "luochuan", lambda ctx: fund_requests.file_request(ctx, unsubmitted, amount="100", purpose="物料"),
            code="project_not_approved")


def test_a_request_over_the_approved_budget_is_refused_naming_the_numbers(platform):
    pid = approved_project(platform)
    err = refused(platform, "luochuan", lambda ctx: fund_requests.file_request(ctx, pid, amount="4000.01", purpose="物料"),
                  code="over_approved_budget")
    v = message(err, "over_approved_budget")
    assert "4,000.01元" in v.message.zh and "已承诺 4,000.00元" in v.message.zh and "尚可申请 4,000.00元" in v.message.zh
    assert v.field == "amount"
    # Open requests hold their money: after 3,000 is asked, 1,000.01 more is too much.
    file(platform, pid, "3000")
    err = refused(platform, "luochuan", lambda ctx: fund_requests.file_request(ctx, pid, amount="1000.01", purpose="物料"),
                  code="over_approved_budget")
    assert "其他在途申请 3,000.00元" in message(err, "over_approved_budget").message.zh
    assert file(platform, pid, "1000")  # exactly what is left is fine


def test_a_request_over_its_budget_line_is_refused(platform):
    pid = approved_project(platform)
    materials, posters = item_ids(platform, pid)
    err = refused(platform, "luochuan", lambda ctx: fund_requests.file_request(
        ctx, pid, amount="1000.01", purpose="海报", budget_item_id=posters), code="over_budget_item")
    v = message(err, "over_budget_item")
    assert "宣传海报" in v.message.zh and "预算 1,000.00元" in v.message.zh and "尚可申请 1,000.00元" in v.message.zh
    file(platform, pid, "600", item=posters)
    err = refused(platform, "luochuan", lambda ctx: fund_requests.file_request(
        ctx, pid, amount="400.01", purpose="海报", budget_item_id=posters), code="over_budget_item")
    assert "已申请或已拨付 600.00元" in message(err, "over_budget_item").message.zh

    # A line of another project is not this project's to ask against.
    other = approved_project(platform, title="青年议事角")
    foreign = item_ids(platform, other)[0]
    err = refused(platform, "luochuan", lambda ctx: fund_requests.file_request(
        ctx, pid, amount="10", purpose="物料", budget_item_id=foreign), code="budget_item_not_in_project")
    assert message(err, "budget_item_not_in_project").field == "budget_item_id"


@pytest.mark.parametrize("amount", ["-5", "0", "10.001", "0.001", 10.5, "1e3", "abc", None, True])
def test_negative_zero_fractional_fen_and_float_amounts_are_refused(platform, amount):
    pid = approved_project(platform)
    err = refused(platform, "luochuan", lambda ctx: fund_requests.file_request(ctx, pid, amount=amount, purpose="物料"),
                  code="invalid_amount")
    v = message(err, "invalid_amount")
    assert v.field == "amount" and "金额" in v.message.zh


def test_every_bad_field_is_named_at_once(platform):
    pid = approved_project(platform)
    err = refused(platform, "luochuan", lambda ctx: fund_requests.file_request(
        ctx, pid, amount="-1", purpose=" ", month="2023-13", budget_item_id=999_999))
    assert {(v.code, v.field) for v in err.violations} == {
        ("invalid_amount", "amount"), ("purpose_required", "purpose"), ("invalid_month", "month"),
        ("budget_item_not_in_project", "budget_item_id")}


def test_only_the_applicant_may_file_and_only_the_office_may_check(platform):
    pid = approved_project(platform)
    # Another neighbourhood sees the approved project (it is public) but may not ask for its money.
    refused(platform, "yanchang", lambda ctx: fund_requests.file_request(ctx, pid, amount="100", purpose="物料"), exc=Forbidden)
    refused(platform, "ghxl_admin", lambda ctx: fund_requests.file_request(ctx, pid, amount="100", purpose="物料"), exc=Forbidden)
    rid = file(platform, pid, "100")
    # The request itself is not shown to another neighbourhood at all.
    refused(platform, "yanchang", lambda ctx: fund_requests.accept(ctx, rid), exc=NotFound)
    refused(platform, "luochuan", lambda ctx: fund_requests.accept(ctx, rid), exc=Forbidden)
    refused(platform, "jas_admin", lambda ctx: fund_requests.accept(ctx, rid), exc=NotFound)
    # A leader approves batches; they do not accept requests.
    leaders(platform)
    refused(platform, "fr_leader", lambda ctx: fund_requests.accept(ctx, rid), exc=Forbidden)


def test_a_batch_above_the_leaders_authority_is_refused_and_nothing_changes(platform):
    pid = approved_project(platform)
    a, b = file(platform, pid, "700"), file(platform, pid, "300.01")
    leaders(platform)
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        batch_id = fund_requests.accept(ctx, a).batch_id
        fund_requests.accept(ctx, b)
    err = refused(platform, "fr_small_leader", lambda ctx: fund_requests.approve_batch(ctx, batch_id), code="over_authority")
    v = message(err, "over_authority")
    assert "1,000.01元" in v.message.zh and "1,000.00元" in v.message.zh and err.status == 403
    assert v.clause is not None and "领导按权限审批" in v.clause.zh
    # Someone who is no leader at all may not approve; the office neither.
    refused(platform, "ghxl_admin", lambda ctx: fund_requests.approve_batch(ctx, batch_id), exc=Forbidden)
    # The leader with enough authority approves it.
    with acting(platform, "jingan", "fr_leader") as ctx:
        assert fund_requests.approve_batch(ctx, batch_id).approved_total_fen == 100_001
    refused(platform, "fr_leader", lambda ctx: fund_requests.approve_batch(ctx, batch_id), code="batch_already_approved")


def test_a_leader_without_an_authority_limit_approves_nothing(platform):
    pid = approved_project(platform)
    rid = file(platform, pid, "10")
    person(platform, "fr_no_limit", "street_leader", "gonghexinlu")
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        batch_id = fund_requests.accept(ctx, rid).batch_id
    err = refused(platform, "fr_no_limit", lambda ctx: fund_requests.approve_batch(ctx, batch_id), code="over_authority")
    assert "未设置审批权限" in message(err, "over_authority").message.zh


def test_a_second_disbursement_is_refused_and_posts_nothing(platform):
    pid = approved_project(platform)
    rid = file(platform, pid, "500")
    batch_id = through_batch(platform, [rid])
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        fund_requests.disburse(ctx, rid)
    err = refused(platform, "ghxl_admin", lambda ctx: fund_requests.disburse(ctx, rid), code="already_disbursed")
    assert err.status == 409 and "不能重复拨付" in message(err, "already_disbursed").message.zh
    refused(platform, "ghxl_admin", lambda ctx: fund_requests.disburse_batch(ctx, batch_id), code="nothing_to_disburse")
    # A retry below the request's guard (the same keys) returns what was posted the first time.
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        entry = ctx.session.scalars(select(LedgerEntry).where(LedgerEntry.fund_request_id == rid)).one()
        before = snapshot(platform)
        again = ledger.disburse(ctx, entry.fund_id, 50_000, pid, fund_requests.disbursement_key(rid, entry.fund_id),
                                fund_request_id=rid)
        assert again.id == entry.id
    assert snapshot(platform) == before


def test_a_request_is_disbursed_only_after_the_leader_approved_it(platform):
    pid = approved_project(platform)
    rid = file(platform, pid, "500")
    refused(platform, "ghxl_admin", lambda ctx: fund_requests.disburse(ctx, rid), code="wrong_state")
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        batch_id = fund_requests.accept(ctx, rid).batch_id
    refused(platform, "ghxl_admin", lambda ctx: fund_requests.disburse(ctx, rid), code="wrong_state")
    refused(platform, "ghxl_admin", lambda ctx: fund_requests.disburse_batch(ctx, batch_id), code="batch_not_approved")
    leaders(platform)
    with acting(platform, "jingan", "fr_leader") as ctx:
        fund_requests.approve_batch(ctx, batch_id)
    # The applicant does not record disbursements.
    refused(platform, "luochuan", lambda ctx: fund_requests.disburse(ctx, rid), exc=Forbidden)


def test_a_batch_disbursement_is_all_or_nothing(platform):
    pid = approved_project(platform)
    a, b = file(platform, pid, "2000"), file(platform, pid, "1500")
    batch_id = through_batch(platform, [a, b])
    # After the leader's approval 1,000 yuan of the project's commitment is released (a
    # correction of the approval): the first request still fits, the second no longer does.
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        (fund, _), = funding.approved_funding(ctx, projects.get_project(ctx, pid))
        ledger.release(ctx, fund.id, 100_000, pid, "tests:release", memo="核减")
    err = refused(platform, "ghxl_admin", lambda ctx: fund_requests.disburse_batch(ctx, batch_id), code="over_committed")
    assert "1,500.00元" in message(err, "over_committed").message.zh
    with acting(platform, "jingan", "luochuan") as ctx:
        assert {fund_requests.get_request(ctx, r).state for r in (a, b)} == {"approved"}
    # The first alone can still be paid.
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        assert [e.amount_fen for e in fund_requests.disburse(ctx, a)] == [200_000]


def test_spending_beyond_what_the_request_disbursed_is_refused(platform):
    pid = approved_project(platform)
    rid = file(platform, pid, "500")
    through_batch(platform, [rid])

    def spend(amount, filename="收据.pdf", data=PDF, memo="购买物料"):
        voucher = FileStorage(io.BytesIO(data), filename) if data is not None else None
        return lambda ctx: fund_requests.record_expense(ctx, rid, amount=amount, memo=memo, voucher=voucher,
                                                        storage=platform.storage)

    refused(platform, "luochuan", spend("100"), code="wrong_state")  # not paid yet
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        fund_requests.disburse(ctx, rid)
    err = refused(platform, "luochuan", spend("500.01"), code="over_request_disbursed")
    assert "已拨付 500.00元" in message(err, "over_request_disbursed").message.zh
    refused(platform, "luochuan", spend("100", data=None), code="voucher_required")
    refused(platform, "luochuan", spend("100", filename="收据.txt", data=b"just text"), code="file_type")
    refused(platform, "luochuan", spend("-1"), code="invalid_amount")
    refused(platform, "luochuan", spend("1", memo=""), code="memo_required")
    refused(platform, "ghxl_admin", spend("100"), exc=Forbidden)
    with acting(platform, "jingan", "luochuan") as ctx:
        fund_requests.record_expense(ctx, rid, amount="400", memo="购买物料", voucher=FileStorage(io.BytesIO(PDF), "收据.pdf"),
                                     storage=platform.storage, key="voucher-1")
    # The same key again (a retry) records nothing new.
    before = snapshot(platform)
    with acting(platform, "jingan", "luochuan") as ctx:
        again = fund_requests.record_expense(ctx, rid, amount="400", memo="购买物料", voucher=FileStorage(io.BytesIO(PDF), "收据.pdf"),
                                             storage=platform.storage, key="voucher-1")
        assert [e.amount_fen for e in again] == [40_000]
    assert snapshot(platform) == before
    refused(platform, "luochuan", spend("100.01"), code="over_request_disbursed")
    refused(platform, "luochuan", lambda ctx: fund_requests.record_refund(ctx, rid, amount="100.01"), code="over_request_unspent")


def test_this_months_batch_once_approved_takes_no_more_requests(platform):
    pid = approved_project(platform)
    first = file(platform, pid, "100")
    through_batch(platform, [first])
    late = file(platform, pid, "200")
    err = refused(platform, "ghxl_admin", lambda ctx: fund_requests.accept(ctx, late), code="batch_already_approved")
    v = message(err, "batch_already_approved")
    assert "2023年4月" in v.message.zh and "下月（2023年5月）" in v.message.zh and v.field == "month" and v.clause is not None
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        req = fund_requests.accept(ctx, late, month="2023-05")
        assert (req.month, req.batch.month, req.batch.state) == ("2023-05", "2023-05", "open")


def test_an_empty_batch_cannot_be_approved_and_a_refusal_needs_a_reason(platform):
    pid = approved_project(platform)
    rid = file(platform, pid, "100")
    leaders(platform)
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        batch_id = fund_requests.accept(ctx, rid).batch_id
    refused(platform, "ghxl_admin", lambda ctx: fund_requests.refuse(ctx, rid, "不行"), code="reason_required")
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        req = fund_requests.refuse(ctx, rid, "发票抬头与申请单位不符")
        assert (req.state, req.batch_id, req.refusal_reason) == ("refused", None, "发票抬头与申请单位不符")
    refused(platform, "fr_leader", lambda ctx: fund_requests.approve_batch(ctx, batch_id), code="batch_empty")
    # A refused request's money is free again.
    assert file(platform, pid, "4000")


def test_the_applicant_withdraws_a_request_nobody_has_acted_on(platform):
    pid = approved_project(platform)
    rid = file(platform, pid, "4000")
    refused(platform, "ghxl_admin", lambda ctx: fund_requests.withdraw(ctx, rid), exc=Forbidden)
    with acting(platform, "jingan", "luochuan") as ctx:
        assert fund_requests.withdraw(ctx, rid).state == "withdrawn"
    refused(platform, "luochuan", lambda ctx: fund_requests.withdraw(ctx, rid), code="wrong_state")
    assert file(platform, pid, "4000")


def test_where_the_policy_wants_it_the_supervision_committee_checks_first(platform, monkeypatch):
    clause = T("经费使用须事先申请，并经监督委员会审核", "Spending is applied for first and signed off by the supervisors")
    monkeypatch.setattr(Policy, "fund_request_rules", lambda self, config: FundRequestRules(
        beneficiaries_required=True, supervision=True, clause=clause))
    pid = approved_project(platform)
    person(platform, "fr_supervisor", "supervisor", "ghxl-luochuan", name="监督委员会（测试）")
    person(platform, "fr_other_supervisor", "supervisor", "ghxl-yanchang")

    err = refused(platform, "luochuan", lambda ctx: fund_requests.file_request(ctx, pid, amount="100", purpose="物料"),
                  code="beneficiaries_required")
    v = message(err, "beneficiaries_required")
    assert v.field == "beneficiaries" and "使用对象" in v.message.zh and v.clause == clause
    rid = file(platform, pid, "100", beneficiaries="独居老人20户")

    err = refused(platform, "ghxl_admin", lambda ctx: fund_requests.accept(ctx, rid), code="needs_supervision")
    assert message(err, "needs_supervision").clause == clause and "监督委员会" in message(err, "needs_supervision").message.zh
    refused(platform, "ghxl_admin", lambda ctx: fund_requests.refuse(ctx, rid, "理由足够长了"), code="needs_supervision")
    refused(platform, "fr_other_supervisor", lambda ctx: fund_requests.supervise(ctx, rid, note="同意"), exc=NotFound)
    refused(platform, "fr_supervisor", lambda ctx: fund_requests.supervise(ctx, rid, approve=False, note="不"),
            code="reason_required")
    with acting(platform, "jingan", "fr_supervisor") as ctx:
        req = fund_requests.supervise(ctx, rid, note="用途明确，同意")
        assert (req.state, req.supervision_note) == ("supervised", "用途明确，同意") and req.supervised_at is not None
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        assert fund_requests.accept(ctx, rid).state == "accepted"

    # A supervisor's refusal is final, with the reason the applicant reads.
    other = file(platform, pid, "200", beneficiaries="独居老人20户")
    with acting(platform, "jingan", "fr_supervisor") as ctx:
        req = fund_requests.refuse(ctx, other, "与去年同类支出重复")
        assert (req.state, req.refusal_reason) == ("refused", "与去年同类支出重复")


def test_without_supervision_in_the_policy_there_is_no_supervision_step(platform):
    pid = approved_project(platform)
    rid = file(platform, pid, "100")
    person(platform, "fr_supervisor", "supervisor", "ghxl-luochuan")
    refused(platform, "fr_supervisor", lambda ctx: fund_requests.supervise(ctx, rid, note="同意"), code="no_supervision_step")


def test_the_office_measures_the_budget_again_which_may_have_moved(platform):
    pid = approved_project(platform)
    rid = file(platform, pid, "4000")
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        (fund, _), = funding.approved_funding(ctx, projects.get_project(ctx, pid))
        ledger.release(ctx, fund.id, 50_000, pid, "tests:release", memo="核减预算")
    err = refused(platform, "ghxl_admin", lambda ctx: fund_requests.accept(ctx, rid), code="over_approved_budget")
    assert "已承诺 3,500.00元" in message(err, "over_approved_budget").message.zh


def test_final_accounts_count_money_outside_any_budget_item(platform):
    pid = approved_project(platform)
    rid = file(platform, pid, "250")  # no budget item named
    through_batch(platform, [rid])
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        fund_requests.disburse(ctx, rid)
    with acting(platform, "jingan", "luochuan") as ctx:
        fa = final_accounts.final_accounts(ctx, pid)
        assert fa.show_unassigned
        u = fa.unassigned
        assert (str(u.label), u.budgeted, u.requested, u.disbursed, u.spent, u.balance) == ("未列入预算明细", 0, 25_000, 25_000, 0, 0)
        assert (fa.total.budgeted, fa.total.disbursed) == (400_000, 25_000)
        data = final_accounts.workbook(fa, "en")
    # The workbook in English: the unassigned row after the budget items, then the total.
    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Final accounts", "Project"]
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("No.", "Budget item", "Budgeted (yuan)") and len(rows) == 1 + 2 + 1 + 1
    assert rows[-2][:2] == (None, "not on a budget item") and Decimal(str(rows[-2][4])) == 250
    assert rows[-1][:2] == ("Total", None) and [Decimal(str(c)) for c in rows[-1][2:5]] == [4000, 250, 250]
    assert book.active.oddHeader.center.text.startswith("Project final accounts: ")
    with pytest.raises(Forbidden), acting(platform, "jingan", "yanchang") as ctx:
        final_accounts.final_accounts(ctx, pid)


def test_a_batch_created_at_the_same_moment_by_another_check_is_joined(platform, monkeypatch):
    pid = approved_project(platform)
    a, b = file(platform, pid, "100"), file(platform, pid, "200")
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        batch_id = fund_requests.accept(ctx, a).batch_id
    # The second acceptance does not see the batch at first (as if the other office's transaction
    # had not committed yet): its insert loses on the unique (street, month), its savepoint is
    # rolled back, and it joins the batch that won.
    real, calls = fund_requests.find_batch, []

    def late(ctx, street, month):
        calls.append(month)
        return None if len(calls) == 1 else real(ctx, street, month)

    monkeypatch.setattr(fund_requests.acceptance, "find_batch", late)  # where the office's acceptance looks it up
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        assert fund_requests.accept(ctx, b).batch_id == batch_id
    assert len(calls) == 2
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        assert ctx.session.scalar(select(func.count(FundRequestBatch.id))) == 1
