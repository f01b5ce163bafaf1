"""The money ledger through its services: funds, postings, derived balances, the rules every
posting keeps, idempotency, transfers, corrections and tenancy. Runs on SQLite and PostgreSQL."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from core.models import AuditEntry, LedgerEntry, OrgUnit
from core.services import ledger, projects
from core.violations import NotFound, RuleError
from tests.factories import acting, programme_id, unit_id

YUAN = 100


def codes(exc: RuleError) -> set[str]:
    return {v.code for v in exc.value.violations}


def count_entries(platform, tenant="jingan") -> int:
    with acting(platform, tenant, None) as ctx:
        return ctx.session.scalar(select(func.count()).select_from(LedgerEntry))


def make_fund(platform, kind="pool", name="资金池", *, unit="gonghexinlu", cap_yuan=None, allocate_yuan=None, tier=None):
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        fund = ledger.create_fund(ctx, unit_id(platform, "jingan", unit), 2023, kind, name,
                                  cap_fen=None if cap_yuan is None else cap_yuan * YUAN, tier=tier)
        ctx.session.flush()
        if allocate_yuan:
            ledger.allocate(ctx, fund.id, allocate_yuan * YUAN, f"alloc-{fund.id}", memo="年度预算")
        return fund.id


def make_project(platform, unit="ghxl-luochuan", title="楼组议事会", username="luochuan"):
    with acting(platform, "jingan", username) as ctx:
        return projects.create_project(ctx, programme_id(platform), unit_id(platform, "jingan", unit), "micro_venture", title).id


# ---------------------------------------------------------------- funds


def test_funds_of_every_kind_and_their_validation(platform):
    street = unit_id(platform, "jingan", "gonghexinlu")
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        made = [ledger.create_fund(ctx, street, 2023, "pool", "资金池", cap_fen=200_000 * YUAN),
                ledger.create_fund(ctx, unit_id(platform, "jingan", "ghxl-luochuan"), 2023, "budget_line", "居民自治经费（专项）"),
                ledger.create_fund(ctx, street, 2023, "subsidy", "市级配套补助", tier="市级"),
                ledger.create_fund(ctx, street, 2023, "sponsor_fund", "社区共治金")]
        assert [f.kind for f in made] == ["pool", "budget_line", "subsidy", "sponsor_fund"]
        assert made[2].tier == "市级" and made[0].cap_fen == 20_000_000

    bad = [
        (dict(kind="piggy_bank"), "invalid_fund_kind"),
        (dict(kind="subsidy"), "tier_required"),
        (dict(kind="pool", tier="区级"), "tier_not_allowed"),
        (dict(year=1999), "invalid_year"),
        (dict(year="2023"), "invalid_year"),
        (dict(name="  "), "invalid_fund_name"),
        (dict(cap_fen=-1), "invalid_amount"),
        (dict(cap_fen=100.0), "invalid_amount"),
    ]
    for change, code in bad:
        args = dict(kind="pool", year=2023, name="另一个资金池", cap_fen=None, tier=None) | change
        with pytest.raises(RuleError) as info, acting(platform, "jingan", "ghxl_admin") as ctx:
            ledger.create_fund(ctx, street, args["year"], args["kind"], args["name"], cap_fen=args["cap_fen"], tier=args["tier"])
        assert code in codes(info), (change, codes(info))

    # unique per (unit, year, kind, name): a second pool of the same name is a conflict
    with pytest.raises(RuleError) as info, acting(platform, "jingan", "ghxl_admin") as ctx:
        ledger.create_fund(ctx, street, 2023, "pool", "资金池")
    assert codes(info) == {"fund_exists"} and info.value.status == 409
    assert "资金池" in info.value.violations[0].message.zh
    # ... also when the other one was not yet visible to the check (created at the same moment)
    real_find = ledger.find_fund
    ledger.find_fund = lambda *args, **kwargs: None
    try:
        with pytest.raises(RuleError) as info, acting(platform, "jingan", "ghxl_admin") as ctx:
            ledger.create_fund(ctx, street, 2023, "pool", "资金池")
        assert codes(info) == {"fund_exists"} and info.value.status == 409
    finally:
        ledger.find_fund = real_find
    # ... but the same name next year is a new fund
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        assert ledger.create_fund(ctx, street, 2024, "pool", "资金池").year == 2024


# ---------------------------------------------------------------- postings and balances


def test_a_projects_money_from_allocation_to_spending_and_the_derived_balances(platform):
    from io import BytesIO

    from tests.factories import PDF
    pool = make_fund(platform, cap_yuan=200_000, allocate_yuan=150_000)
    project = make_project(platform)
    with acting(platform, "jingan", "luochuan") as ctx:
        voucher = projects.attach(ctx, project, "residents_minutes", "发票.pdf", BytesIO(PDF), platform.storage).id
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        ledger.commit(ctx, pool, 5_000 * YUAN, project, "approve-1", memo="立项")
        ledger.disburse(ctx, pool, 3_000 * YUAN, project, "disburse-1")
        ledger.expense(ctx, pool, 2_500 * YUAN, project, "spend-1", voucher_attachment_id=voucher, memo="活动物料")
        ledger.refund(ctx, pool, 400 * YUAN, project, "refund-1")
        ledger.release(ctx, pool, 1_000 * YUAN, project, "release-1", memo="结余")

    with acting(platform, "jingan", "ghxl_admin") as ctx:
        b = ledger.balance(ctx, pool)
        assert (b.allocated, b.committed, b.disbursed, b.spent) == (15_000_000, 400_000, 260_000, 250_000)
        # available: bounded by the smaller of cap (200,000) and allocations (150,000)
        assert b.limit == 15_000_000 and b.available == 15_000_000 - 400_000
        kinds = [e.kind for e in ledger.entries(ctx, pool)]
        assert kinds == ["allocation", "commitment", "disbursement", "expense", "refund", "release"]
        spend = ledger.entries(ctx, pool)[3]
        assert spend.voucher_attachment_id == voucher and spend.memo == "活动物料" and spend.actor_id == ctx.actor.id
        # every posting is in the audit log too, under its own action, with who posted it
        ids = [e.id for e in ledger.entries(ctx, pool)]
        audited = {(a.action, a.actor_id) for a in ctx.session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "ledger_entries", AuditEntry.entity_id.in_(ids)))}
        assert {action for action, _ in audited} == {f"ledger.{k}" for k in kinds}
        assert {actor for _, actor in audited} == {ctx.actor.id}


def test_balances_of_many_funds_come_from_one_query(platform):
    ids = [make_fund(platform, name=f"资金池{i}", cap_yuan=1000, allocate_yuan=500 + i) for i in range(6)]
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        for i, fund in enumerate(ids):
            ledger.commit(ctx, fund, (100 + i) * YUAN, None, f"c-{fund}")
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        ctx.session.connection()  # the tenant setting's statement runs at begin, not counted below
        selects = []

        def count(conn, cursor, statement, *args):
            if statement.lstrip().upper().startswith("SELECT"):
                selects.append(statement)

        engine = ctx.session.get_bind()
        event.listen(engine, "before_cursor_execute", count)
        try:
            result = ledger.balances(ctx, ids)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert len(selects) == 1
        assert [result[f].allocated for f in ids] == [(500 + i) * YUAN for i in range(6)]
        assert [result[f].committed for f in ids] == [(100 + i) * YUAN for i in range(6)]
        assert set(ledger.balances(ctx)) >= set(ids)  # default: every fund of the tenant


# ---------------------------------------------------------------- caps and amounts


def test_a_commitment_over_the_cap_is_refused_naming_cap_committed_and_request(platform):
    pool = make_fund(platform, cap_yuan=2_000, allocate_yuan=10_000)
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        ledger.commit(ctx, pool, 1_500 * YUAN, None, "first")
    before = count_entries(platform)
    with pytest.raises(RuleError) as info, acting(platform, "jingan", "ghxl_admin") as ctx:
        ledger.commit(ctx, pool, 600 * YUAN, None, "second")
    assert codes(info) == {"over_cap"} and info.value.status == 422
    message = info.value.violations[0].message
    assert "上限 2,000.00元" in message.zh and "已承诺 1,500.00元" in message.zh and "600.00元" in message.zh
    assert "最多还可承诺 500.00元" in message.zh
    assert "cap 2,000.00" in message.en and "committed 1,500.00" in message.en
    assert count_entries(platform) == before
    with acting(platform, "jingan", "ghxl_admin") as ctx:  # exactly up to the cap is fine
        ledger.commit(ctx, pool, 500 * YUAN, None, "third")
        assert ledger.balance(ctx, pool).available == 0


def test_without_a_cap_commitments_are_bounded_by_the_allocations(platform):
    line = make_fund(platform, "budget_line", "居民自治经费（专项）", unit="ghxl-luochuan", allocate_yuan=30_000)
    with pytest.raises(RuleError) as info, acting(platform, "jingan", "ghxl_admin") as ctx:
        ledger.commit(ctx, line, 30_000 * YUAN + 1, None, "too-much")
    assert codes(info) == {"over_allocation"}
    assert "已到位 30,000.00元" in info.value.violations[0].message.zh
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        ledger.commit(ctx, line, 30_000 * YUAN, None, "all-of-it")


@pytest.mark.parametrize("amount", [-100, 0, 12.5, 100.0, Decimal("0.5"), Decimal("NaN"), True, "100", None])
def test_negative_float_and_fractional_fen_amounts_are_refused(platform, amount):
    pool = make_fund(platform, cap_yuan=1_000, allocate_yuan=1_000)
    before = count_entries(platform)
    for post in (lambda ctx: ledger.commit(ctx, pool, amount, None, "k"),
                 lambda ctx: ledger.allocate(ctx, pool, amount, "k"),
                 lambda ctx: ledger.transfer(ctx, pool, pool, amount, "k")):
        with pytest.raises(RuleError) as info, acting(platform, "jingan", "ghxl_admin") as ctx:
            post(ctx)
        assert codes(info) == {"invalid_amount"} and info.value.violations[0].field == "amount_fen"
    assert count_entries(platform) == before


def test_an_integral_decimal_of_fen_is_accepted(platform):
    pool = make_fund(platform, cap_yuan=1_000, allocate_yuan=1_000)
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        assert ledger.commit(ctx, pool, Decimal("12345"), None, "dec").amount_fen == 12345


def test_the_database_itself_refuses_a_non_positive_amount(platform):
    from sqlalchemy.exc import IntegrityError
    pool = make_fund(platform)
    with pytest.raises(IntegrityError), acting(platform, "jingan", "ghxl_admin") as ctx:
        ctx.session.add(LedgerEntry(fund_id=pool, kind="allocation", amount_fen=0, idempotency_key="zero", memo=""))
        ctx.session.flush()


# ---------------------------------------------------------------- idempotency


def test_retrying_a_request_posts_once_and_a_reused_key_is_refused(platform):
    pool = make_fund(platform, cap_yuan=1_000, allocate_yuan=1_000)
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        first = ledger.commit(ctx, pool, 100 * YUAN, None, "approve:project:7").id
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        again = ledger.commit(ctx, pool, 100 * YUAN, None, "approve:project:7")
        assert again.id == first
        assert ledger.balance(ctx, pool).committed == 100 * YUAN
    with pytest.raises(RuleError) as info, acting(platform, "jingan", "ghxl_admin") as ctx:
        ledger.commit(ctx, pool, 200 * YUAN, None, "approve:project:7")
    assert codes(info) == {"idempotency_conflict"} and info.value.status == 409
    assert f"#{first}" in info.value.violations[0].message.zh
    with pytest.raises(RuleError) as info, acting(platform, "jingan", "ghxl_admin") as ctx:
        ledger.disburse(ctx, pool, 100 * YUAN, None, "approve:project:7")
    assert codes(info) == {"idempotency_conflict"}
    with pytest.raises(RuleError) as info, acting(platform, "jingan", "ghxl_admin") as ctx:
        ledger.commit(ctx, pool, 100 * YUAN, None, "  ")
    assert codes(info) == {"invalid_idempotency_key"}


# ---------------------------------------------------------------- the chain of rules


def test_money_cannot_be_paid_spent_refunded_or_released_beyond_what_backs_it(platform):
    pool = make_fund(platform, cap_yuan=10_000, allocate_yuan=10_000)
    a, b = make_project(platform, title="项目甲"), make_project(platform, unit="ghxl-yanchang", username="yanchang", title="项目乙")
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        ledger.commit(ctx, pool, 1_000 * YUAN, a, "commit-a")
        ledger.commit(ctx, pool, 2_000 * YUAN, b, "commit-b")
        ledger.disburse(ctx, pool, 800 * YUAN, a, "disburse-a")
        ledger.expense(ctx, pool, 500 * YUAN, a, "spend-a")
    refusals = [
        (lambda ctx: ledger.disburse(ctx, pool, 200 * YUAN + 1, a, "k"), "over_committed", "已承诺 1,000.00元"),
        (lambda ctx: ledger.expense(ctx, pool, 300 * YUAN + 1, a, "k"), "over_disbursed", "已拨付 800.00元"),
        (lambda ctx: ledger.refund(ctx, pool, 300 * YUAN + 1, a, "k"), "over_disbursed", "已支出 500.00元"),
        (lambda ctx: ledger.release(ctx, pool, 200 * YUAN + 1, a, "k"), "over_committed", "已拨付 800.00元"),
        # the fund has room (project b's commitment), but project b was never paid anything
        (lambda ctx: ledger.expense(ctx, pool, 1 * YUAN, b, "k"), "over_disbursed", "项目#"),
    ]
    before = count_entries(platform)
    for post, code, words in refusals:
        with pytest.raises(RuleError) as info, acting(platform, "jingan", "ghxl_admin") as ctx:
            post(ctx)
        assert code in codes(info)
        assert any(words in v.message.zh for v in info.value.violations), [v.message.zh for v in info.value.violations]
    assert count_entries(platform) == before
    with acting(platform, "jingan", "ghxl_admin") as ctx:  # exactly at each limit is fine
        ledger.refund(ctx, pool, 300 * YUAN, a, "refund-a")
        ledger.release(ctx, pool, 500 * YUAN, a, "release-a")
        bal = ledger.balance(ctx, pool)
        assert (bal.committed, bal.disbursed, bal.spent) == (2_500 * YUAN, 500 * YUAN, 500 * YUAN)


def test_a_project_outside_the_funds_unit_and_a_missing_voucher_are_refused(platform):
    other_street = make_fund(platform, name="静安寺资金池", unit="jingansi", cap_yuan=1_000, allocate_yuan=1_000)
    project = make_project(platform)  # a 共和新路 neighbourhood's project
    with pytest.raises(RuleError) as info, acting(platform, "jingan", "ghxl_admin") as ctx:
        ledger.commit(ctx, other_street, 100 * YUAN, project, "k")
    assert codes(info) == {"project_outside_fund"}
    with pytest.raises(NotFound), acting(platform, "jingan", "ghxl_admin") as ctx:
        ledger.commit(ctx, other_street, 100 * YUAN, 999_999, "k")
    with pytest.raises(NotFound) as info, acting(platform, "jingan", "ghxl_admin") as ctx:
        ledger.expense(ctx, other_street, 100 * YUAN, None, "k", voucher_attachment_id=999_999)
    assert info.value.violations[0].field == "voucher_attachment_id"


# ---------------------------------------------------------------- transfers


def test_a_transfer_moves_uncommitted_money_as_a_pair_and_never_half(platform):
    pool = make_fund(platform, cap_yuan=200_000, allocate_yuan=10_000)
    line = make_fund(platform, "budget_line", "居民自治经费（专项）", unit="ghxl-luochuan")
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        ledger.commit(ctx, pool, 6_000 * YUAN, None, "c")
        out, incoming = ledger.transfer(ctx, pool, line, 3_000 * YUAN, "t-1", memo="超出部分由资金池支付")
        assert out.transfer_id == incoming.transfer_id and out.kind == "transfer_out" and incoming.kind == "transfer_in"
        assert (out.fund_id, incoming.fund_id) == (pool, line)
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        again = ledger.transfer(ctx, pool, line, 3_000 * YUAN, "t-1")
        assert (again[0].id, again[1].id) == (out.id, incoming.id)
        both = ledger.balances(ctx, [pool, line])
        assert both[pool].allocated == 7_000 * YUAN and both[pool].available == 1_000 * YUAN
        assert both[line].allocated == 3_000 * YUAN
    before = count_entries(platform)
    with pytest.raises(RuleError) as info, acting(platform, "jingan", "ghxl_admin") as ctx:
        ledger.transfer(ctx, pool, line, 1_000 * YUAN + 1, "t-2")
    assert codes(info) == {"over_allocation"}
    with pytest.raises(RuleError) as info, acting(platform, "jingan", "ghxl_admin") as ctx:
        ledger.transfer(ctx, pool, pool, 1 * YUAN, "t-3")
    assert codes(info) == {"transfer_same_fund"}
    other = make_fund(platform, "budget_line", "居民自治经费（专项）", unit="ghxl-yanchang")
    with pytest.raises(RuleError) as info, acting(platform, "jingan", "ghxl_admin") as ctx:
        ledger.transfer(ctx, pool, other, 3_000 * YUAN, "t-1")  # the same key to another destination
    assert codes(info) == {"idempotency_conflict"}
    assert count_entries(platform) == before


# ---------------------------------------------------------------- corrections


def test_corrections_reverse_what_they_name_within_the_rules(platform):
    pool = make_fund(platform, cap_yuan=1_000, allocate_yuan=5_000)
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        c = ledger.commit(ctx, pool, 800 * YUAN, None, "c").id
        r = ledger.release(ctx, pool, 500 * YUAN, None, "r").id
        ledger.commit(ctx, pool, 600 * YUAN, None, "c2")  # committed 900 of the 1,000 cap
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        fix = ledger.correct(ctx, c, "fix-1", "金额录入错误，应为700元", amount_fen=100 * YUAN)
        assert fix.kind == "correction" and fix.corrects_id == c and fix.fund_id == pool
        assert ledger.balance(ctx, pool).committed == 800 * YUAN
        assert ledger.correct(ctx, c, "fix-1", "金额录入错误，应为700元", amount_fen=100 * YUAN).id == fix.id

    # reversing the release would put 1,300 committed against a 1,000 cap
    with pytest.raises(RuleError) as info, acting(platform, "jingan", "ghxl_admin") as ctx:
        ledger.correct(ctx, r, "fix-2", "释放有误")
    assert codes(info) == {"over_cap"}
    # more than is left of the entry
    with pytest.raises(RuleError) as info, acting(platform, "jingan", "ghxl_admin") as ctx:
        ledger.correct(ctx, c, "fix-3", "再更正", amount_fen=700 * YUAN + 1)
    assert codes(info) == {"correction_exceeds_entry"}
    assert "已更正 100.00元" in info.value.violations[0].message.zh
    with pytest.raises(RuleError) as info, acting(platform, "jingan", "ghxl_admin") as ctx:
        ledger.correct(ctx, fix.id, "fix-4", "更正的更正")
    assert codes(info) == {"not_correctable"}
    with pytest.raises(RuleError) as info, acting(platform, "jingan", "ghxl_admin") as ctx:
        ledger.correct(ctx, c, "fix-5", " ")
    assert codes(info) == {"reason_required"}
    with pytest.raises(NotFound), acting(platform, "jingan", "ghxl_admin") as ctx:
        ledger.correct(ctx, 999_999, "fix-6", "不存在")
    with acting(platform, "jingan", "ghxl_admin") as ctx:  # default: everything left of it
        assert ledger.correct(ctx, c, "fix-7", "项目取消").amount_fen == 700 * YUAN
        assert ledger.balance(ctx, pool).committed == 100 * YUAN


def test_a_cap_cannot_be_set_below_what_is_committed(platform):
    pool = make_fund(platform, cap_yuan=1_000, allocate_yuan=5_000)
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        ledger.commit(ctx, pool, 800 * YUAN, None, "c")
    with pytest.raises(RuleError) as info, acting(platform, "jingan", "ghxl_admin") as ctx:
        ledger.set_cap(ctx, pool, 799 * YUAN)
    assert codes(info) == {"cap_below_committed"}
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        ledger.set_cap(ctx, pool, 2_000 * YUAN)
        ledger.commit(ctx, pool, 1_200 * YUAN, None, "c2")
        assert ledger.balance(ctx, pool).available == 0


# ---------------------------------------------------------------- tenancy


def test_another_tenant_sees_no_funds_and_cannot_post_to_them(platform):
    pool = make_fund(platform, cap_yuan=1_000, allocate_yuan=1_000)
    with acting(platform, "jinjiang", "jj_admin") as ctx:
        assert pool not in ledger.balances(ctx)
        assert pool not in [f.id for f in ledger.list_funds(ctx)]  # it sees only its own
        with pytest.raises(NotFound):
            ledger.commit(ctx, pool, 1, None, "steal")
        with pytest.raises(NotFound):
            ledger.balance(ctx, pool)
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        street = ctx.session.get(OrgUnit, unit_id(platform, "jingan", "gonghexinlu"))
        assert pool in [f.id for f in ledger.list_funds(ctx, within=street)]
        assert pool not in [f.id for f in ledger.list_funds(ctx, within=ctx.session.get(OrgUnit, unit_id(platform, "jingan", "jingansi")))]
