"""Sponsors, pledges and claims through the services, on 海园's 社区共治金 (demo: 静安寺街道's 2023
programme, the fund at 海园居民区, sponsors 上海宾馆 and 平安养老保险 with their logins).

The happy path of the seed's year: register a sponsor, pledge and claim at the council meeting,
receive the money, approve the claimed project (drawing on the fund), spend it with a voucher,
and the sponsor sees what its pledge paid for. Then every bad input of the issue, each refused
with its reason and nothing written. Both profiles."""
from __future__ import annotations

import pytest

from core.services import funding, ledger, pledges, projects, review
from core.violations import RuleError
from plugins.haiyuan import clauses
from tests.factories import COUNCIL_DAY, T, acting, approve, haiyuan_project, on_day, unit_id
from tests.money_factories import COUNCIL, counts, fund_id, receive, record, sponsor_id, spend


@pytest.fixture(autouse=True)
def at_the_council(platform):
    """The seed's year: sponsors pledge and claim projects at the council meeting (海园's phase
    for claims), so these tests act on its day; the factories apply on the application day."""
    with on_day(COUNCIL_DAY):
        yield


# -- helpers of these tests -------------------------------------------------------------------------

def refused(platform, username: str, fn, *args, **kw) -> RuleError:
    """Call a service as ``username`` expecting a refusal; prove nothing was written."""
    before = counts(platform)
    with pytest.raises(RuleError) as info, acting(platform, T, username) as ctx:
        fn(ctx, *args, **kw)
    assert counts(platform) == before
    return info.value


def codes(err: RuleError) -> set[str]:
    return {v.code for v in err.violations}


# -- the year, end to end -------------------------------------------------------------------------

def test_register_pledge_and_claim_receive_approve_spend_and_the_sponsor_sees_it(platform):
    # The street registers a further sponsor; a second one of the same name is a conflict.
    with acting(platform, T, "jas_admin") as ctx:
        foundation = pledges.register_sponsor(ctx, unit_id(platform, T, "jas-haiyuan"), "静安社区基金会", "foundation",
                                              contact="王老师 021-6000000")
    err = refused(platform, "jas_admin", pledges.register_sponsor, unit_id(platform, T, "jas-haiyuan"), "静安社区基金会",
                  "foundation")
    assert codes(err) == {"sponsor_exists"} and err.status == 409
    assert "已登记名为「静安社区基金会」的共建单位" in err.violations[0].message.zh

    water, _ = haiyuan_project(platform, "爱心小水表", amount="50000", voucher=True)
    with acting(platform, T, "haiyuan") as ctx:
        voucher_id = projects.get_project(ctx, water).attachments[0].id

    # The council meeting: staff record what each sponsor promised and claimed.
    hotel = record(platform, "haiyuan", "上海宾馆", "100000", project=water)
    insurer = record(platform, "jas_admin", "平安养老保险", "50000", in_kind="每月一次健康讲座")
    books = record(platform, "haiyuan", "静安社区基金会", "0", in_kind="图书200册")
    with acting(platform, T, "haiyuan") as ctx:
        rows = {r.pledge.id: r for r in pledges.list_pledges(ctx, fund_id=fund_id(platform))}
    assert [rows[i].state.status for i in (hotel, insurer, books)] == ["promised"] * 3
    assert rows[hotel].project.title == "爱心小水表" and rows[hotel].pledge.occasion == COUNCIL
    assert rows[hotel].pledge.year == 2023 and rows[books].pledge.in_kind == "图书200册"
    assert foundation.id == rows[books].pledge.sponsor_id

    # Money arrives for the claim before the approval: it fills the fund, where the claim has
    # held the project's 50,000 (of the hotel's 100,000) since the council meeting.
    got = receive(platform, hotel, "60000", "bank-001")
    assert got.allocation.amount_fen == 6_000_000 and got.allocation.pledge_id == hotel and got.commitment is None
    with acting(platform, T, "jas_admin") as ctx:
        b = ledger.balance(ctx, fund_id(platform))
    assert (b.allocated, b.committed, b.held, b.available) == (6_000_000, 0, 5_000_000, 1_000_000)

    # The street's panel approves the project: its whole amount is drawn from the 共治金, the
    # claim's hold becoming the commitment.
    approve(platform, water, "50000")
    with acting(platform, T, "jas_admin") as ctx:
        b = ledger.balance(ctx, fund_id(platform))
        [(fund, mine)] = [(f.name, bal.committed) for f, bal in
                          funding.approved_funding(ctx, projects.get_project(ctx, water))]
    assert (b.committed, b.held, b.available) == (5_000_000, 0, 1_000_000) and (fund, mine) == ("社区共治金", 5_000_000)

    # A second approval that the fund cannot cover is refused with the reason, nothing written.
    stairs, _ = haiyuan_project(platform, "楼道扶手", amount="80000")
    before = counts(platform)
    with pytest.raises(RuleError) as info:
        approve(platform, stairs, "80000")
    assert counts(platform) == before
    [problem] = info.value.violations
    assert problem.code == "over_allocation" and "资金不足" in problem.message.zh and problem.clause == clauses.RAISED  # not enough received: the allocation's clause, not the cap's

    # The rest of the claim arrives after approval: the project is fully committed, so nothing
    # more is earmarked (no double commitment); the insurer's unclaimed money just fills the fund.
    assert receive(platform, hotel, "40000", "bank-002").commitment is None
    assert receive(platform, insurer, "50000", "bank-003").commitment is None
    spend(platform, water, 30000, "更换水表40只", "w1", voucher=voucher_id)

    with acting(platform, T, "shbg") as ctx:  # the hotel's own login
        view = pledges.sponsor_view(ctx, sponsor_id(platform, "上海宾馆"))
    [mine] = view.pledges
    assert (mine.state.status, mine.state.promised, mine.state.received, mine.state.spent) == (
        "received", 10_000_000, 10_000_000, 3_000_000)
    assert mine.project.title == "爱心小水表"
    [paid] = mine.paid_for
    assert (paid.memo, paid.amount_fen, paid.project_title, paid.voucher.filename) == ("更换水表40只", 3_000_000, "爱心小水表", "发票.pdf")
    with acting(platform, T, "pingan") as ctx:  # the project's spending is the claimant's, not the insurer's
        other = pledges.sponsor_view(ctx, sponsor_id(platform, "平安养老保险")).pledges[0]
    assert (other.state.status, other.state.received, other.state.spent) == ("received", 5_000_000, 0)

    # Spending the rest of the claimed project's money: still "received" (the hotel sent more
    # than the project spent); the supervisor and the street see the same.
    spend(platform, water, 20000, "爱心椅10把", "w2")
    with acting(platform, T, "haiyuan_jd") as ctx:
        view = pledges.sponsor_view(ctx, sponsor_id(platform, "上海宾馆"))
    assert view.pledges[0].state.spent == 5_000_000 and [e.memo for e in view.pledges[0].paid_for] == ["更换水表40只", "爱心椅10把"]
    assert view.pledges[0].state.status == "received"


def test_spending_is_attributed_first_in_first_out(platform):
    """Two claims on one project share its spending in pledge order; unclaimed pledges share
    the fund's other spending in their order; a pledge all of whose money is spent is "spent"."""
    a, _ = haiyuan_project(platform, "孤老年夜饭", amount="30000")
    b, _ = haiyuan_project(platform, "马桶大变身", amount="20000")
    first = record(platform, "haiyuan", "上海宾馆", "10000", project=a)
    second = record(platform, "haiyuan", "平安养老保险", "20000", project=a)
    general = record(platform, "haiyuan", "上海宾馆", "30000", key="general-1")
    later = record(platform, "haiyuan", "平安养老保险", "30000", key="general-2")
    for pledge_id, amount, key in ((first, "10000", "r1"), (second, "20000", "r2"), (general, "30000", "r3"),
                                   (later, "30000", "r4")):
        receive(platform, pledge_id, amount, key)
    approve(platform, a, "30000")
    approve(platform, b, "20000")
    spend(platform, a, 25000, "年夜饭", "a1")
    spend(platform, b, 20000, "马桶", "b1")
    with acting(platform, T, "jas_admin") as ctx:
        state = pledges.fund_state(ctx, ledger.get_fund(ctx, fund_id(platform)))
    got = {i: (state.states[i].spent, state.states[i].status) for i in (first, second, general, later)}
    assert got == {first: (1_000_000, "spent"), second: (1_500_000, "received"),
                   general: (2_000_000, "received"), later: (0, "received")}
    assert (state.promised, state.received) == (9_000_000, 9_000_000)


def test_a_claimed_receipt_after_approval_earmarks_only_what_the_approval_left_uncommitted(platform):
    pid, _ = haiyuan_project(platform, "文化配送", amount="30000")
    seed = record(platform, "haiyuan", "上海宾馆", "30000", key="seed")
    receive(platform, seed, "30000", "seed-in")
    approve(platform, pid, "30000")
    fid = fund_id(platform)
    with acting(platform, T, "jas_admin") as ctx:  # part of the approval is released again
        ledger.release(ctx, fid, 1_000_000, pid, "release-1", memo="调整")
    claim = record(platform, "haiyuan", "平安养老保险", "15000", project=pid)
    got = receive(platform, claim, "15000", "claim-in")
    assert got.commitment is not None and got.commitment.amount_fen == 1_000_000  # approved 30,000 − committed 20,000
    assert got.commitment.idempotency_key == "claim-in:commit" and got.commitment.project_id == pid
    with acting(platform, T, "jas_admin") as ctx:
        assert ledger.project_balances(ctx, pid)[fid].committed == 3_000_000
    # A retry of the same receipt posts nothing new and returns the same earmark.
    again = receive(platform, claim, "15000", "claim-in")
    assert (again.allocation.id, again.commitment.id) == (got.allocation.id, got.commitment.id)
    # The same key for a different amount is a conflict, not a second receipt.
    err = refused(platform, "haiyuan", pledges.receive, claim, "1", "claim-in")
    assert codes(err) == {"idempotency_conflict"}


def test_a_sponsor_may_pledge_for_itself_and_sees_only_its_own(platform):
    pid, _ = haiyuan_project(platform, "助学结对")
    mine = record(platform, "shbg", "上海宾馆", "8000", project=pid)
    record(platform, "haiyuan", "平安养老保险", "9000")
    with acting(platform, T, "shbg") as ctx:
        assert [r.pledge.id for r in pledges.list_pledges(ctx)] == [mine]
        assert [r.pledge.id for r in pledges.list_pledges(ctx, fund_id=fund_id(platform))] == [mine]
        assert [s.name for s in pledges.own_sponsors(ctx)] == ["上海宾馆"]
    with acting(platform, T, "haiyuan") as ctx:
        assert len(pledges.list_pledges(ctx, fund_id=fund_id(platform))) == 2
        # who claimed the project: public to whoever may see it
        assert [r.pledge.sponsor.name for r in pledges.list_pledges(ctx, project_id=pid)] == ["上海宾馆"]
    err = refused(platform, "shbg", pledges.sponsor_view, sponsor_id(platform, "平安养老保险"))
    assert err.status == 403 and "只能查看本单位的认捐情况" in err.violations[0].message.zh
    for outsider in ("luochuan", "ghxl_admin"):  # other streets' staff see neither pledges nor sponsors
        refused(platform, outsider, pledges.sponsor_view, sponsor_id(platform, "上海宾馆"))
        with acting(platform, T, outsider) as ctx:
            assert pledges.list_pledges(ctx) == [] and pledges.list_sponsors(ctx) == []


# -- bad input: refused with the reason, nothing written ----------------------------------------------

def test_a_pledge_by_a_unit_that_is_not_a_sponsor_here_is_refused(platform):
    fid = fund_id(platform)
    err = refused(platform, "haiyuan", pledges.pledge, 999_999, fid, "1000", key="k1")
    assert codes(err) == {"not_a_sponsor"} and "不是登记的共建单位" in err.violations[0].message.zh
    assert err.violations[0].field == "sponsor_id"
    # registered with the neighbouring 愚园, so not a sponsor of 海园's fund
    with acting(platform, T, "jas_admin") as ctx:
        other = pledges.register_sponsor(ctx, unit_id(platform, T, "jas-yuyuan"), "愚园路商家联盟", "alliance").id
    err = refused(platform, "haiyuan", pledges.pledge, other, fid, "1000", key="k2")
    assert codes(err) == {"not_a_sponsor"}
    assert "是愚园居民区的共建单位，不是海园居民区或其上级的共建单位" in err.violations[0].message.zh
    # one sponsor's login cannot pledge in another's name; outsiders cannot record at all
    err = refused(platform, "pingan", pledges.pledge, sponsor_id(platform, "上海宾馆"), fid, "1000", key="k3")
    assert err.status == 403
    err = refused(platform, "luochuan", pledges.pledge, sponsor_id(platform, "上海宾馆"), fid, "1000", key="k4")
    assert err.status == 403
    # and only a co-governance fund takes pledges
    with acting(platform, T, "ghxl_admin") as ctx:
        pool = ledger.list_funds(ctx, kind="pool")[0].id
    err = refused(platform, "jingan_admin", pledges.pledge, sponsor_id(platform, "上海宾馆"), pool, "1000", key="k5")
    assert codes(err) == {"not_a_pledge_fund"} and "不接受认捐" in err.violations[0].message.zh


def test_pledges_beyond_the_funds_target_are_refused(platform):
    record(platform, "haiyuan", "上海宾馆", "200000")
    record(platform, "haiyuan", "平安养老保险", "99999.99")
    err = refused(platform, "haiyuan", pledges.pledge, sponsor_id(platform, "平安养老保险"), fund_id(platform), "0.02",
                  key="over")
    [v] = err.violations
    assert v.code == "over_cap" and v.field == "amount" and v.clause == clauses.FUND
    assert "上限 300,000.00元，已认捐 299,999.99元，本次 0.02元（最多还可认捐 0.01元）" in v.message.zh
    record(platform, "haiyuan", "平安养老保险", "0.01", key="exactly")  # up to the target is fine
    # resources in kind do not count against the money target
    record(platform, "haiyuan", "平安养老保险", "0", in_kind="志愿者20人次", key="in-kind")


@pytest.mark.parametrize("amount, code", [("-1", "invalid_amount"), ("0.001", "invalid_amount"), (1.5, "invalid_amount"),
                                          ("abc", "invalid_amount"), ("1e3", "invalid_amount"),
                                          ("0", "nothing_promised")])
def test_bad_amounts_are_refused_naming_the_field(platform, amount, code):
    err = refused(platform, "haiyuan", pledges.pledge, sponsor_id(platform, "上海宾馆"), fund_id(platform), amount,
                  key="bad")
    assert codes(err) == {code} and err.violations[0].field == "amount"
    assert "认捐金额" in err.violations[0].message.zh or "实物" in err.violations[0].message.zh


def test_other_fields_are_checked_together(platform):
    err = refused(platform, "haiyuan", pledges.pledge, sponsor_id(platform, "上海宾馆"), fund_id(platform), "100",
                  in_kind="物" * 501, occasion="会" * 201, pledged_on="2023-12-01", key="x")
    assert {(v.code, v.field) for v in err.violations} == {
        ("invalid_in_kind", "in_kind"), ("invalid_occasion", "occasion"), ("date_in_future", "pledged_on")}
    err = refused(platform, "haiyuan", pledges.pledge, sponsor_id(platform, "上海宾馆"), fund_id(platform), "100", key=" ")
    assert codes(err) == {"invalid_idempotency_key"}


def test_only_announced_projects_of_the_funds_neighbourhood_can_be_claimed(platform):
    fid, hotel = fund_id(platform), sponsor_id(platform, "上海宾馆")
    draft, _ = haiyuan_project(platform, "还在起草", submit=False)
    err = refused(platform, "haiyuan", pledges.pledge, hotel, fid, "100", project_id=draft, key="c1")
    assert codes(err) == {"claim_not_announced"} and "尚未申报" in err.violations[0].message.zh

    rejected, _ = haiyuan_project(platform, "被否决的项目")
    with acting(platform, T, "jas_chair") as ctx:
        review.decide(ctx, rejected, "rejected", "与共治金用途不符，请调整后明年再申报")
    err = refused(platform, "haiyuan", pledges.pledge, hotel, fid, "100", project_id=rejected, key="c2")
    [v] = err.violations
    assert (v.code, v.field) == ("claim_not_announced", "project_id") and "未通过，不能再认领" in v.message.zh

    from tests.factories import submitted_project  # a project of another street's neighbourhood
    elsewhere = submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    err = refused(platform, "haiyuan", pledges.pledge, hotel, fid, "100", project_id=elsewhere, key="c3")
    assert codes(err) == {"claim_outside_fund"} and "洛川居民区" in err.violations[0].message.zh


def test_receiving_more_than_was_promised_is_refused(platform):
    p = record(platform, "haiyuan", "上海宾馆", "1000")
    receive(platform, p, "600", "in-1")
    err = refused(platform, "haiyuan", pledges.receive, p, "400.01", "in-2")
    [v] = err.violations
    assert v.code == "over_pledge" and v.field == "amount"
    assert "「上海宾馆」认捐 1,000.00元，已到账 600.00元，本次 400.01元（最多还可到账 400.00元）" in v.message.zh
    receive(platform, p, "400", "in-3")
    with acting(platform, T, "haiyuan") as ctx:
        [row] = pledges.list_pledges(ctx, fund_id=fund_id(platform))
    assert (row.state.received, row.state.outstanding, row.state.status) == (100_000, 0, "received")

    in_kind = record(platform, "haiyuan", "平安养老保险", "0", in_kind="场地")
    assert codes(refused(platform, "haiyuan", pledges.receive, in_kind, "1", "in-4")) == {"over_pledge"}
    for bad in ("0", "-5", "0.001", 2.5):
        assert codes(refused(platform, "haiyuan", pledges.receive, p, bad, "in-5")) == {"invalid_amount"}
    # a sponsor does not record its own money arriving: the fund's staff do
    assert refused(platform, "shbg", pledges.receive, p, "1", "in-6").status == 403


def test_registering_needs_a_street_administrator_and_valid_fields(platform):
    unit = unit_id(platform, T, "jas-haiyuan")
    assert refused(platform, "haiyuan", pledges.register_sponsor, unit, "某公司", "enterprise").status == 403
    err = refused(platform, "jas_admin", pledges.register_sponsor, unit, "  ", "company", user_id=999_999)
    assert {(v.code, v.field) for v in err.violations} == {
        ("invalid_name", "name"), ("invalid_kind", "kind"), ("user_not_found", "user_id")}
    assert "企业" in next(v for v in err.violations if v.field == "kind").message.zh


def test_two_pledges_at_the_same_moment_cannot_both_slip_under_the_target(platform):
    """The cap check and the insert run under the fund's lock: of two 200,000-yuan pledges
    recorded at once against the 300,000 target, exactly one is recorded, the other is told why."""
    import threading

    fid, sponsors = fund_id(platform), [sponsor_id(platform, "上海宾馆"), sponsor_id(platform, "平安养老保险")]
    barrier, outcomes = threading.Barrier(2), []

    def one(sponsor: int) -> None:
        try:
            with acting(platform, T, "haiyuan") as ctx:
                barrier.wait()
                pledges.pledge(ctx, sponsor, fid, "200000", key=f"race-{sponsor}")
            outcomes.append("recorded")
        except RuleError as err:
            outcomes.append(",".join(sorted(codes(err))))

    threads = [threading.Thread(target=one, args=(s,)) for s in sponsors]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["over_cap", "recorded"]
    with acting(platform, T, "haiyuan") as ctx:
        assert pledges.fund_state(ctx, ledger.get_fund(ctx, fid)).promised == 20_000_000
