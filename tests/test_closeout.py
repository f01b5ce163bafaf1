"""The close-out (core.services.closeout) on 共和新路's 2023 micro project of 4,000 yuan from the
street's pool: after a month of money (1,500 requested and paid, 1,200 spent with its voucher,
300 refunded) the street office closes it in December. The 2,800 committed and never paid out
goes back to the pool by one ledger release, the books still reconcile, and the closed project
takes no more records, each refusal saying so; what stands in the way of closing is named."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from core.models import ChangeRequest, LedgerEntry, ProjectCloseout, Rectification
from core.services import closeout, fund_requests, ledger, supervision
from core.services import changes as change_service
from core.services.reconcile import reconcile
from core.violations import Forbidden, RuleError
from tests.factories import IMPLEMENTATION_DAY, PNG, acting, on_day
from tests.money_factories import (DECEMBER, approved_project, close, draft, paid_request, person, refund,
                                   spend_on_request)

pytestmark = pytest.mark.usefixtures("settings")
YUAN = 100


def test_closing_releases_the_unspent_commitment_to_the_pool_and_the_books_reconcile(platform):
    pid = approved_project(platform)
    rid = paid_request(platform, pid, "1500")
    spend_on_request(platform, rid, "1200", "exp-1")
    refund(platform, rid, "300")
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        preview = closeout.preview(ctx, pid)
        assert preview.blockers == [] and preview.released_fen == 2_800 * YUAN
        [(pool, _)] = preview.releases
        before = ledger.balance(ctx, pool.id)

    row = close(platform, pid)
    assert (row.committed_fen, row.disbursed_fen, row.spent_fen, row.released_fen) == (
        4_000 * YUAN, 1_200 * YUAN, 1_200 * YUAN, 2_800 * YUAN)
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        [entry] = ctx.session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "release",
                                                                LedgerEntry.project_id == pid)).all()
        assert entry.idempotency_key == f"closeout:{pid}:{pool.id}" and entry.amount_fen == 2_800 * YUAN
        after = ledger.balance(ctx, pool.id)
        assert after.committed == before.committed - 2_800 * YUAN and after.available == before.available + 2_800 * YUAN
        mine = ledger.project_balances(ctx, pid)[pool.id]
        assert (mine.committed, mine.disbursed, mine.spent) == (1_200 * YUAN, 1_200 * YUAN, 1_200 * YUAN)
        assert all(check.ok for check in reconcile(ctx)), [(c.name, [p.zh for p in c.problems]) for c in reconcile(ctx)]
        closed = closeout.preview(ctx, pid)
        assert closed.project.state == "closed" and closed.closeout.id == row.id and closed.releases == []
        # The final accounts read the release: what the approval committed is now what was spent.
        assert closed.accounts.committed == 1_200 * YUAN and closed.accounts.total.spent == 1_200 * YUAN


def test_a_closed_project_takes_no_more_records(platform):
    pid = approved_project(platform)
    rid = paid_request(platform, pid, "1000")
    spend_on_request(platform, rid, "1000", "exp-all")
    close(platform, pid)
    entries = _entries(platform)

    def refused(username, fn):
        with on_day("2023-12-12"), pytest.raises(RuleError) as no, acting(platform, "jingan", username) as ctx:
            fn(ctx)
        [v] = [v for v in no.value.violations if v.code == "project_closed"]
        assert no.value.status == 409 and "已于2023年12月10日结项，不再接受新的记录" in v.message.zh
        return v

    assert "不能申请资金" in refused("luochuan", lambda ctx: fund_requests.file_request(
        ctx, pid, amount="100", purpose="再买一些物料")).message.zh
    assert "不能申请项目变更" in refused("luochuan", lambda ctx: change_service.request_change(
        ctx, pid, "想把项目改成一居一品", proposed_track="yiju_yipin")).message.zh
    assert "不能登记支出" in refused("luochuan", lambda ctx: fund_requests.record_expense(
        ctx, rid, amount="1", memo="补一张发票", voucher=FileStorage(io.BytesIO(PNG), "发票.png"),
        storage=platform.storage)).message.zh
    assert "不能记录督导" in refused("ghxl_admin", lambda ctx: supervision.record_visit(
        ctx, pid, visited_on=dt.date(2023, 12, 12), kind="tracking", method="phone", visitors="王老师",
        observed="结项后回访居民")).message.zh
    assert "不能再次结项" in refused("ghxl_admin", lambda ctx: closeout.close(ctx, pid, summary="再结一次项")).message.zh
    assert _entries(platform) == entries
    with acting(platform, "jingan", None) as ctx:
        assert ctx.session.scalars(select(ChangeRequest)).all() == []
        assert ctx.session.scalar(select(ProjectCloseout.project_id)) == pid


def _entries(platform) -> int:
    with acting(platform, "jingan", None) as ctx:
        return len(ctx.session.scalars(select(LedgerEntry.id)).all())


def test_what_stands_in_the_way_of_closing_is_named_and_nothing_is_released(platform):
    pid = approved_project(platform)
    rid = paid_request(platform, pid, "1500")
    with on_day(IMPLEMENTATION_DAY), acting(platform, "jingan", "luochuan") as ctx:
        fund_requests.file_request(ctx, pid, amount="500", purpose="宣传海报", month="2023-05")
    with on_day("2023-07-12"), acting(platform, "jingan", "ghxl_admin") as ctx:
        supervision.record_visit(ctx, pid, visited_on=dt.date(2023, 7, 12), kind="tracking", method="visit",
                                 visitors="王老师", observed="花园施工中", rectifications=[
                                     {"description": "补齐活动签到表", "due_on": dt.date(2023, 8, 1)}])
    entries = _entries(platform)
    with pytest.raises(RuleError) as no:
        close(platform, pid)
    codes = {v.code: v for v in no.value.violations}
    assert no.value.status == 409 and set(codes) == {"open_fund_requests", "unspent_money", "open_rectifications"}
    assert "尚有1笔资金申请未办结" in codes["open_fund_requests"].message.zh
    assert "已拨付但未登记支出的资金1,500.00元" in codes["unspent_money"].message.zh
    assert "7月份重点开展一次项目中期督导" in codes["open_rectifications"].clause.zh
    assert _entries(platform) == entries
    with acting(platform, "jingan", "luochuan") as ctx:  # the applicant sees the same list
        assert {v.code for v in closeout.preview(ctx, pid).blockers} == set(codes)
    # Once settled (spent, the open request withdrawn, the rectification accepted) it closes.
    spend_on_request(platform, rid, "1500", "exp-settle")
    with acting(platform, "jingan", "luochuan") as ctx:
        [open_request] = [r for r in fund_requests.project_requests(ctx, pid) if r.state == "submitted"]
        fund_requests.withdraw(ctx, open_request.id)
        [rect] = supervision.rectifications(ctx, supervision.project_for_supervision(ctx, pid))
        supervision.report(ctx, rect.id, report="签到表已补齐并归档。")
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        supervision.accept(ctx, rect.id, accept=True)
    assert close(platform, pid).released_fen == 2_500 * YUAN


def test_only_the_programmes_office_closes_and_only_an_approved_project(platform):
    pid = approved_project(platform)
    pending = draft(platform, title="评审中的项目")
    person(platform, "ghxl_org", "commissioned_org", "gonghexinlu")
    for username in ("luochuan", "ghxl_org", "ghxl_leader", "jas_admin"):
        with pytest.raises(Forbidden) as no:
            close(platform, pid, username)
        assert "只有年度项目「共和新路街道2023年度居民区自治项目」的主办单位" in no.value.violations[0].message.zh
    with pytest.raises(RuleError) as no:
        close(platform, pending)
    assert no.value.violations[0].code == "project_not_approved"
    with on_day(DECEMBER), pytest.raises(RuleError) as no, acting(platform, "jingan", "ghxl_admin") as ctx:
        closeout.close(ctx, pid, summary=" ")
    assert no.value.violations[0].field == "summary"
    # Nothing spent at all: the whole commitment goes back.
    assert close(platform, pid).released_fen == 4_000 * YUAN
    with acting(platform, "jingan", None) as ctx:
        assert ctx.session.scalars(select(Rectification)).all() == []
