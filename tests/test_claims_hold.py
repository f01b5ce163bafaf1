"""A claim holds its amount (issue 10, item 6), on 海园's 社区共治金: from the moment a sponsor's
pledge claims a project that is not decided yet, the fund sets the money aside for it, whether or
not it has arrived, so another project's approval cannot take it; the hold ends when the project
is decided (turned into its commitment on approval, released on rejection or withdrawal) and
stays while an application is returned. `tongxin money reconcile` understands holds. Through the
services, the API and the funds page. Both profiles."""
from __future__ import annotations

import io
import re

import openpyxl
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from core.cli import main
from core.models import EntryKind, LedgerEntry
from core.documents import money_chart, money_report
from core.services import approval_sources, holds, ledger, money_overview, pledges, projects, review
from core.services.reconcile import reconcile
from core.violations import RuleError
from tests.clients import Web, login, text
from tests.factories import COUNCIL_DAY, T, acting, approve, haiyuan_project, on_day
from tests.money_factories import counts, fund_id, receive, record, sponsor_id

YUAN = 100


@pytest.fixture(autouse=True)
def at_the_council(platform):
    """Claims are made at 海园's council meeting (its phase for claims)."""
    with on_day(COUNCIL_DAY):
        yield


def balance(platform) -> ledger.Balance:
    with acting(platform, T, "jas_admin") as ctx:
        return ledger.balance(ctx, fund_id(platform))


def holds_of(platform, pid: int) -> list[tuple[str, int, int]]:
    """The project's hold entries: (kind, amount, pledge), oldest first."""
    with acting(platform, T, "jas_admin") as ctx:
        return [(e.kind, e.amount_fen, e.pledge_id) for e in ctx.session.scalars(
            select(LedgerEntry).where(LedgerEntry.project_id == pid,
                                      LedgerEntry.kind.in_((EntryKind.hold.value, EntryKind.hold_release.value)))
            .order_by(LedgerEntry.id))]


def refused_approval(platform, pid: int, amount: str) -> RuleError:
    before = counts(platform)
    with pytest.raises(RuleError) as info:
        approve(platform, pid, amount)
    assert counts(platform) == before  # nothing written: no decision, no entry
    with acting(platform, T, "jas_admin") as ctx:
        assert review.decisions(ctx, pid) == []
    return info.value


def reconciled(platform) -> dict[int, list[str]]:
    with acting(platform, T, None) as ctx:
        return {c.fund_id: [p.zh for p in c.problems] for c in reconcile(ctx)}


def test_a_claim_holds_its_money_from_the_council_meeting_against_another_projects_approval(platform):
    water, _ = haiyuan_project(platform, "爱心小水表", amount="30000")
    stairs, _ = haiyuan_project(platform, "楼道扶手", amount="50000")

    # The insurer claims the water meters at the council meeting; nothing has arrived yet, and
    # the fund already holds the 30,000 for them: it owes more than it has.
    claim = record(platform, "jas_admin", "平安养老保险", "30000", project=water)
    assert holds_of(platform, water) == [("hold", 30_000 * YUAN, claim)]
    b = balance(platform)
    assert (b.allocated, b.committed, b.held, b.available) == (0, 0, 30_000 * YUAN, -30_000 * YUAN)

    # The hotel gives 50,000 to the fund, unclaimed, and it arrives.
    general = record(platform, "jas_admin", "上海宾馆", "50000", key="hotel-general")
    receive(platform, general, "50000", "hotel-1")
    b = balance(platform)
    assert (b.allocated, b.held, b.available) == (50_000 * YUAN, 30_000 * YUAN, 20_000 * YUAN)

    # The stairs cannot take the money promised to the water meters, though it has not arrived:
    # refused with the reason, and nothing is written.
    err = refused_approval(platform, stairs, "50000")
    [problem] = err.violations
    assert problem.code == "held_for_claims" and problem.field == "approved_amount" and err.status == 409
    assert "为其他项目认领预留" in problem.message.zh and "30,000.00" in problem.message.zh
    # What is free may be approved.
    approve(platform, stairs, "20000")
    assert balance(platform).available == 0

    # The insurer pays; the water meters are approved from its claim, which the commitment names.
    receive(platform, claim, "30000", "insurer-1")
    decision = approve(platform, water, "30000")
    with acting(platform, T, "jas_admin") as ctx:
        [line] = approval_sources.recorded(review.decisions(ctx, water)[-1])
        commitments = [(e.amount_fen, e.pledge_id) for e in ctx.session.scalars(
            select(LedgerEntry).where(LedgerEntry.project_id == water, LedgerEntry.kind == EntryKind.commitment.value))]
    assert (line.source, line.label.zh, line.pledge_id, line.amount_fen, line.committed_fen) == (
        "claim", "平安养老保险认领", claim, 30_000 * YUAN, 30_000 * YUAN)
    assert commitments == [(30_000 * YUAN, claim)] and decision.approved_fen == 30_000 * YUAN
    assert holds_of(platform, water) == [("hold", 30_000 * YUAN, claim), ("hold_release", 30_000 * YUAN, claim)]
    b = balance(platform)
    assert (b.allocated, b.committed, b.held, b.available) == (80_000 * YUAN, 50_000 * YUAN, 0, 30_000 * YUAN)
    assert all(not problems for problems in reconciled(platform).values())


def test_the_hold_is_released_when_the_claimed_project_is_rejected(platform):
    water, _ = haiyuan_project(platform, "爱心小水表", amount="30000")
    stairs, _ = haiyuan_project(platform, "楼道扶手", amount="30000")
    claim = record(platform, "jas_admin", "平安养老保险", "30000", project=water)
    receive(platform, claim, "30000", "insurer-1")
    assert refused_approval(platform, stairs, "30000").violations[0].code == "held_for_claims"

    with acting(platform, T, "jas_chair") as ctx:
        review.decide(ctx, water, "rejected", explanation="与本年度共治金用途不符")
    assert holds_of(platform, water) == [("hold", 30_000 * YUAN, claim), ("hold_release", 30_000 * YUAN, claim)]
    b = balance(platform)
    assert (b.allocated, b.committed, b.held, b.available) == (30_000 * YUAN, 0, 0, 30_000 * YUAN)
    with acting(platform, T, "jas_admin") as ctx:  # the gift stays in the fund; the claim is over
        [row] = pledges.list_pledges(ctx, fund_id=fund_id(platform))
        memo = ctx.session.scalars(select(LedgerEntry.memo).where(
            LedgerEntry.kind == EntryKind.hold_release.value)).one()
    assert (row.state.received, row.pledge.project_id) == (30_000 * YUAN, water)
    assert "未通过立项" in memo

    # Now the stairs may have it.
    approve(platform, stairs, "30000")
    assert balance(platform).available == 0
    assert all(not problems for problems in reconciled(platform).values())


def test_the_hold_is_released_when_the_application_is_withdrawn_and_kept_while_it_is_returned(platform):
    water, _ = haiyuan_project(platform, "爱心小水表", amount="30000")
    claim = record(platform, "jas_admin", "平安养老保险", "20000", project=water)
    with acting(platform, T, "jas_chair") as ctx:
        review.decide(ctx, water, "returned", explanation="请补充受益户名单")
    assert holds_of(platform, water) == [("hold", 20_000 * YUAN, claim)]  # it may come back
    assert balance(platform).held == 20_000 * YUAN
    assert all(not problems for problems in reconciled(platform).values())

    with acting(platform, T, "haiyuan") as ctx:
        projects.withdraw(ctx, water)
    assert holds_of(platform, water)[-1] == ("hold_release", 20_000 * YUAN, claim)
    assert (balance(platform).held, balance(platform).available) == (0, 0)
    assert all(not problems for problems in reconciled(platform).values())


def test_a_claim_holds_no_more_than_the_project_asks_and_nothing_for_an_approved_project(platform):
    water, _ = haiyuan_project(platform, "爱心小水表", amount="30000")
    big = record(platform, "jas_admin", "平安养老保险", "50000", project=water)
    late = record(platform, "jas_admin", "上海宾馆", "10000", project=water)  # nothing left to hold
    books = record(platform, "jas_admin", "上海宾馆", "0", project=water, in_kind="图书200册", key="books")
    assert holds_of(platform, water) == [("hold", 30_000 * YUAN, big)]
    del late, books

    # The approval turns the hold into the commitment as far as the fund can pay it now: the
    # rest of the claim's share is committed when the insurer's money arrives.
    general = record(platform, "jas_admin", "上海宾馆", "10000", key="hotel-general")
    receive(platform, general, "10000", "hotel-1")
    approve(platform, water, "30000")
    with acting(platform, T, "jas_admin") as ctx:
        [source] = approval_sources.sources(ctx, review.decisions(ctx, water)[-1])
    assert (source.line.source, source.line.amount_fen, source.line.committed_fen, source.committed_fen) == (
        "claim", 30_000 * YUAN, 10_000 * YUAN, 10_000 * YUAN)
    assert balance(platform).held == 0

    # A claim of a project already approved holds nothing; its money is earmarked as it arrives.
    after = record(platform, "jas_admin", "上海宾馆", "5000", project=water, key="after")
    assert holds_of(platform, water)[-1][0] == "hold_release" and after not in {h[2] for h in holds_of(platform, water)}
    got = receive(platform, big, "20000", "insurer-1")
    assert got.commitment.amount_fen == 20_000 * YUAN and got.commitment.pledge_id == big
    with acting(platform, T, "jas_admin") as ctx:
        [source] = approval_sources.sources(ctx, review.decisions(ctx, water)[-1])
    assert (source.committed_fen, source.outstanding_fen) == (30_000 * YUAN, 0)


def test_the_api_and_the_funds_page_show_what_is_held(client, app, platform):
    water, _ = haiyuan_project(platform, "爱心小水表", amount="30000")
    headers = login(client, "jas_admin", T)
    r = client.post(f"/api/v1/t/{T}/sponsors/pledges", headers=headers, json={
        "sponsor_id": sponsor_id(platform, "平安养老保险"), "fund_id": fund_id(platform), "amount": "25000",
        "project_id": water, "key": "api-claim"})
    assert r.status_code == 201, r.get_json()
    fund = client.get(f"/api/v1/t/{T}/funds/{fund_id(platform)}", headers=headers).get_json()
    assert (fund["balance"]["held"], fund["balance"]["available"]) == ("25000.00", "-25000.00")

    web = Web(app.test_client())
    web.login("jas_admin")
    page = text(web.get(f"/funds/{fund_id(platform)}"))
    assert "认领预留" in page and "25,000.00" in page[page.index('id="held"'):][:60]
    # The list of funds has the same column, and its total adds it up.
    listing = text(web.get("/funds?year=2023"))
    table = listing[listing.index('id="funds"'):]
    heads = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<th[^>]*>(.*?)</th>", table[:table.index("</thead>")], re.S)]
    held = heads.index("认领预留")
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", table[:table.index("</tbody>")], re.S) if "海园" in r or "共治金" in r)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert cells[held].strip() == "25,000.00"


def test_reconcile_understands_holds_and_flags_one_left_on_a_decided_project(platform, settings):
    water, _ = haiyuan_project(platform, "爱心小水表", amount="30000")
    stairs, _ = haiyuan_project(platform, "楼道扶手", amount="20000")
    claim = record(platform, "jas_admin", "平安养老保险", "30000", project=water)
    receive(platform, claim, "30000", "insurer-1")
    other = record(platform, "jas_admin", "上海宾馆", "20000", project=stairs)
    with acting(platform, T, "jas_chair") as ctx:
        review.decide(ctx, stairs, "rejected", explanation="与本年度共治金用途不符")
    assert all(not problems for problems in reconciled(platform).values())
    env = {"TONGXIN_DATABASE_URL": settings.database_url, "TONGXIN_ADMIN_DATABASE_URL": settings.admin_database_url or "",
           "TONGXIN_RUNTIME_ROLE": settings.runtime_role, "TONGXIN_STORAGE_DIR": settings.storage_dir}
    result = CliRunner().invoke(main, ["money", "reconcile", "--tenant", T], env=env)
    assert result.exit_code == 0, result.output
    assert "认领预留" in result.output and "30,000.00" in result.output

    # Books the services would never write: a hold for a project already decided, and a hold
    # naming a pledge that claims another project. Reconciliation names both.
    with acting(platform, T, "jas_admin") as ctx:
        ledger.hold(ctx, fund_id(platform), 1_000 * YUAN, stairs, other, "stray-hold")
        ledger.hold(ctx, fund_id(platform), 500 * YUAN, water, other, "wrong-claim")
        ctx.commit()
    problems = reconciled(platform)[fund_id(platform)]
    assert any(f"项目#{stairs}已不在评审中" in p and "1,000.00" in p for p in problems), problems
    assert any(f"认捐#{other}并未以本资金认领项目#{water}" in p for p in problems), problems
    result = CliRunner().invoke(main, ["money", "reconcile", "--tenant", T], env=env)
    assert result.exit_code != 0 and "不通过" in result.output
    with acting(platform, T, "jas_admin") as ctx:
        assert holds.outstanding(ctx, stairs)[0].amount_fen == 1_000 * YUAN


def test_the_district_money_view_shows_what_is_held_for_claims(platform, app):
    """The money view's figures, chart and workbook name the held money: without it a street's
    bar and columns would not add up to what it may commit."""
    water, _ = haiyuan_project(platform, "爱心小水表", amount="30000")
    record(platform, "jas_admin", "平安养老保险", "30000", project=water)
    receive(platform, record(platform, "jas_admin", "上海宾馆", "50000", key="hotel-general"), "50000", "hotel-1")
    with acting(platform, T, "jas_admin") as ctx:
        o = money_overview.overview(ctx, 2023)
        t = o.groups[0].totals
        assert t.held == 30_000 * YUAN == balance(platform).held
        assert sum(v for _, v in t.segments()) == t.may_commit == t.committed + t.held + t.available
        c = money_chart.chart(o, "zh")
        assert ("held", 30_000 * YUAN) in [(s.key, s.fen) for s in c.bars[0].segments]
        assert "为认领项目预留 30,000.00元" in c.desc
        sheet = openpyxl.load_workbook(io.BytesIO(money_report.workbook(o)))["各街道汇总"]
        head = [cell.value for cell in sheet[1]]
    assert "为认领预留（元）" in head
    for lang in ("zh", "en"):  # the legend wraps rather than running off the chart
        chart = money_chart.chart(o, lang)
        assert all(x + 22 + money_chart._text_width(label.render(lang)) <= chart.width
                   for _, label, _, x, _ in chart.legend), lang
    web = Web(app.test_client(), T)
    web.login("jas_admin")
    page = text(web.get("/money?year=2023"))
    assert "认领预留" in page and "30,000.00" in page  # the glossary's word, as on the funds pages
