"""Approvals commit their money: the policies' funding rules through review.decide, on the
demo tenants' funds (共和新路: 30,000 yuan line per neighbourhood, 200,000 pool capped at
200,000; 晋江: the city's subsidy funds)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.models import Decision, LedgerEntry, Project
from core.services import funding, ledger, reconcile, review
from core.violations import RuleError
from tests.factories import acting, submitted_project, unit_id

YUAN = 100


def funding_of(platform, pid, tenant="jingan"):
    with acting(platform, tenant, "ghxl_admin" if tenant == "jingan" else "jj_admin") as ctx:
        project = ctx.session.get(Project, pid)
        return [(f.kind, f.name, b.committed) for f, b in funding.approved_funding(ctx, project)]


def entries_count(platform) -> int:
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        return ctx.session.scalar(select(func.count()).select_from(LedgerEntry))


def test_a_signature_project_within_its_line_is_paid_from_the_line(platform):
    pid = submitted_project(platform, "luochuan", "ghxl-luochuan", "yiju_yipin", "楼组议事会", amount="28000")
    with acting(platform, "jingan", "ghxl_chair") as ctx:
        review.decide(ctx, pid, "approved")
    assert funding_of(platform, pid) == [("budget_line", "居民自治经费", 28_000 * YUAN)]


def test_a_signature_project_over_its_line_needs_the_panel_and_draws_only_the_excess_from_the_pool(platform):
    pid = submitted_project(platform, "luochuan", "ghxl-luochuan", "yiju_yipin", "楼组议事会", amount="45000")
    before = entries_count(platform)
    with pytest.raises(RuleError) as info, acting(platform, "jingan", "ghxl_chair") as ctx:
        review.decide(ctx, pid, "approved")
    v = next(v for v in info.value.violations if v.code == "signature_over_line")
    assert v.field == "approvals" and "可用额度30,000.00元" in v.message.zh and "15,000.00元将从资金池补充" in v.message.zh
    assert "评审小组" in v.message.zh and "超出部分从“资金池”予以补充" in v.clause.zh
    assert entries_count(platform) == before  # nothing committed for a refused decision

    with acting(platform, "jingan", "ghxl_chair") as ctx:
        d = review.decide(ctx, pid, "approved", approvals=["signature_over_line"])
        assert d.approvals == ["signature_over_line"]
    assert funding_of(platform, pid) == [("budget_line", "居民自治经费", 30_000 * YUAN),
                                         ("pool", "自治项目资金池", 15_000 * YUAN)]
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        keys = set(ctx.session.scalars(select(LedgerEntry.idempotency_key).where(LedgerEntry.project_id == pid)))
        assert keys == {funding.commitment_key(d.id, "line"), funding.commitment_key(d.id, "pool")}
        assert all(c.ok for c in reconcile.reconcile(ctx))


def test_micro_venture_projects_come_from_the_pool_and_the_pool_cap_refuses_the_decision_with_its_reason(platform):
    pool_unit = unit_id(platform, "jingan", "gonghexinlu")
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        pool = ledger.list_funds(ctx, org_unit_id=pool_unit, kind="pool")[0]
        # Earlier approvals of the year have used all but 4,000 yuan of the 200,000.
        ledger.commit(ctx, pool.id, 196_000 * YUAN, None, "earlier-approvals")
    first = submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园", amount="3000")
    second = submitted_project(platform, "yanchang", "ghxl-yanchang", "micro_venture", "青年议事角", amount="3000")
    with acting(platform, "jingan", "ghxl_chair") as ctx:
        review.decide(ctx, first, "approved")
    assert funding_of(platform, first) == [("pool", "自治项目资金池", 3_000 * YUAN)]

    before = entries_count(platform)
    with pytest.raises(RuleError) as info, acting(platform, "jingan", "ghxl_chair") as ctx:
        review.decide(ctx, second, "approved")
    by_code = {v.code: v for v in info.value.violations}
    assert set(by_code) == {"over_cap", "over_allocation"}
    cap = by_code["over_cap"]
    assert cap.field == "approved_amount" and "20万元" in cap.clause.zh
    assert "上限 200,000.00元" in cap.message.zh and "已承诺 199,000.00元" in cap.message.zh
    assert "最多还可承诺 1,000.00元" in cap.message.zh
    # The refusal left nothing behind: no decision, no entry, the project still under review.
    assert entries_count(platform) == before
    with acting(platform, "jingan", "ghxl_chair") as ctx:
        assert ctx.session.scalar(select(func.count()).select_from(Decision).where(Decision.project_id == second)) == 0
        assert review.get_project(ctx, second).state == "submitted"
        # Approving what is left is possible.
        review.decide(ctx, second, "approved", approved_amount="1000")
    assert funding_of(platform, second) == [("pool", "自治项目资金池", 1_000 * YUAN)]


def test_a_rejection_commits_nothing(platform):
    pid = submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    before = entries_count(platform)
    with acting(platform, "jingan", "ghxl_chair") as ctx:
        review.decide(ctx, pid, "rejected", explanation="与年度重点不符，建议明年再报")
    assert entries_count(platform) == before


def test_the_plan_shows_where_the_money_would_come_from_before_deciding(platform):
    pid = submitted_project(platform, "luochuan", "ghxl-luochuan", "yiju_yipin", "议事厅", amount="40000")
    with acting(platform, "jingan", "ghxl_chair") as ctx:
        project = review.get_project(ctx, pid)
        plan = funding.plan(ctx, project, 40_000 * YUAN)
        assert [(p.spec.key, p.amount_fen, p.available_fen) for p in plan] == [
            ("line", 30_000 * YUAN, 30_000 * YUAN), ("pool", 10_000 * YUAN, 200_000 * YUAN)]
        assert not ctx.session.new and not ctx.session.dirty  # planning writes nothing
