"""Building the money the tests act on, through the services (the rest of the world, and acting
as a user, is tests/factories.py): 海园's sponsors and pledges, 共和新路's fund requests with the
funds and leaders they need, and the disclosure scenario."""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from sqlalchemy import func, select

from core.models import (
    Attachment,
    FundRequest,
    FundRequestBatch,
    LedgerEntry,
    Membership,
    OrgUnit,
    Pledge,
    Programme,
    Sponsor,
    User,
)
from core.money import fen_to_yuan
from core.services import fund_requests, funding, ledger, pledges, projects, review
from core.services.auth import hash_password
from tests.factories import (
    APPLICATION_DAY,
    PASSWORD,
    PDF,
    T,
    acting,
    application,
    gonghexinlu_project,
    on_day,
    programme_id,
    tenant_id,
    unit_id,
)

YUAN = 100


# -- 海园's sponsors and pledges (tenant T) -------------------------------------------------------------

COUNCIL = "2023年同心家园共建理事会海园分会"


def fund_id(platform, unit: str = "jas-haiyuan") -> int:
    with acting(platform, T, "jas_admin") as ctx:
        [fund] = ledger.list_funds(ctx, org_unit_id=unit_id(platform, T, unit), kind="sponsor_fund")
        return fund.id


def sponsor_id(platform, name: str) -> int:
    with acting(platform, T, "jas_admin") as ctx:
        return ctx.session.scalars(select(Sponsor.id).where(Sponsor.name == name)).one()


def record(platform, username: str, sponsor: str, amount: str, *, project: int | None = None, in_kind: str = "",
           key: str | None = None, **kw) -> int:
    with acting(platform, T, username) as ctx:
        row = pledges.pledge(ctx, sponsor_id(platform, sponsor), fund_id(platform), amount, in_kind=in_kind,
                             project_id=project, occasion=COUNCIL, key=key or f"pledge-{sponsor}-{amount}-{project}", **kw)
        return row.id


def receive(platform, pledge: int, amount: str, key: str, username: str = "haiyuan"):
    with acting(platform, T, username) as ctx:
        return pledges.receive(ctx, pledge, amount, key, memo="银行到账")


def spend(platform, pid: int, yuan_amount: int, memo: str, key: str, voucher: int | None = None) -> None:
    """The street pays the project out of the fund and the neighbourhood spends it (with its voucher)."""
    fid = fund_id(platform)
    with acting(platform, T, "jas_admin") as ctx:
        ledger.disburse(ctx, fid, yuan_amount * YUAN, pid, f"{key}-pay", memo="拨付")
        ledger.expense(ctx, fid, yuan_amount * YUAN, pid, f"{key}-spend", memo=memo, voucher_attachment_id=voucher)


def counts(platform) -> tuple[int, int, int]:
    with acting(platform, T, None) as ctx:
        return (ctx.session.scalar(select(func.count()).select_from(Pledge)),
                ctx.session.scalar(select(func.count()).select_from(LedgerEntry)),
                ctx.session.scalar(select(func.count()).select_from(Sponsor)))


# -- 共和新路's fund requests ------------------------------------------------------------------------

BUDGET = [("活动物料", "3000"), ("宣传海报", "1000")]


def person(platform, username: str, role: str, unit_code: str, *, authority_yuan: int | None = None,
           name: str | None = None) -> None:
    """A login (password tongxin-test) with one role at one unit, unless it exists already."""
    with platform.db.scope(tenant_id=tenant_id(platform, "jingan"), audit_action="tests.person") as s:
        if s.scalars(select(User).where(User.username == username)).one_or_none() is not None:
            return
        user = User(username=username, display_name=name or username, password_hash=hash_password(PASSWORD))
        s.add(user)
        s.flush()
        unit = s.scalars(select(OrgUnit).where(OrgUnit.code == unit_code)).one()
        s.add(Membership(user_id=user.id, org_unit_id=unit.id, role=role,
                         authority_limit_fen=None if authority_yuan is None else authority_yuan * YUAN))


def leaders(platform) -> None:
    """共和新路's leaders: one who may approve up to 50,000 yuan a month, one up to 1,000 yuan."""
    person(platform, "fr_leader", "street_leader", "gonghexinlu", authority_yuan=50_000, name="分管副主任（测试）")
    person(platform, "fr_small_leader", "street_leader", "gonghexinlu", authority_yuan=1_000, name="科长（测试）")


def money_for(platform, unit_code: str = "ghxl-luochuan", *, pool_yuan: int = 200_000, line_yuan: int = 10_000) -> None:
    """The street's pool and the neighbourhood's line for 2023, with at least this much allocated."""
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        programme = ctx.session.get(Programme, programme_id(platform))
        applicant = ctx.session.get(OrgUnit, unit_id(platform, "jingan", unit_code))
        for key, amount in (("pool", pool_yuan), ("line", line_yuan)):
            fund = funding.fund_for(ctx, programme, applicant, key, create=True)
            have = ledger.balance(ctx, fund.id).allocated
            if have < amount * YUAN:
                ledger.allocate(ctx, fund.id, amount * YUAN - have, f"tests:fund-requests:{fund.id}", memo="测试拨入")


def draft(platform, *, track="micro_venture", title="口袋花园", budget=BUDGET, unit_code="ghxl-luochuan",
          username="luochuan", submit=True) -> int:
    with on_day(APPLICATION_DAY), acting(platform, "jingan", username) as ctx:
        directions = ("carrier",) if track == "yiju_yipin" else ("public_space",)
        p = projects.create_project(ctx, programme_id(platform), unit_id(platform, "jingan", unit_code), track, title)
        projects.save_form(ctx, p.id, "application", application(title, directions=directions))
        projects.set_budget(ctx, p.id, [{"description": d, "amount": a} for d, a in budget])
        projects.attach(ctx, p.id, "residents_minutes", "会议记录.pdf", io.BytesIO(PDF), platform.storage)
        if submit:
            projects.submit(ctx, p.id)
        return p.id


def approved_project(platform, *, track="micro_venture", title="口袋花园", budget=BUDGET, unit_code="ghxl-luochuan",
                     username="luochuan", approvals=(), line_yuan: int = 10_000) -> int:
    """A project approved by the panel's chair as requested, its money committed."""
    money_for(platform, unit_code, line_yuan=line_yuan)
    pid = draft(platform, track=track, title=title, budget=budget, unit_code=unit_code, username=username)
    with acting(platform, "jingan", "ghxl_chair") as ctx:
        review.decide(ctx, pid, "approved", approvals=list(approvals))
    return pid


def disbursed(platform, pid: int, amount: str = "500") -> int:
    """A request of the approved project ``pid`` filed, accepted, approved in its batch and paid out."""
    leaders(platform)
    with acting(platform, "jingan", "luochuan") as ctx:
        rid = fund_requests.file_request(ctx, pid, amount=amount, purpose="购买活动物料").id
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        batch = fund_requests.accept(ctx, rid).batch_id
    with acting(platform, "jingan", "fr_leader") as ctx:
        fund_requests.approve_batch(ctx, batch)
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        fund_requests.disburse(ctx, rid)
    return rid


def item_ids(platform, pid: int) -> list[int]:
    with acting(platform, "jingan", "luochuan") as ctx:
        return [b.id for b in projects.get_project(ctx, pid).budget_items]


def snapshot(platform) -> dict:
    """Everything a refusal must leave as it was: ledger entries, requests, batches, vouchers."""
    with acting(platform, "jingan", None) as ctx:
        s = ctx.session
        return {
            "entries": s.execute(select(func.count(LedgerEntry.id), func.coalesce(func.sum(LedgerEntry.amount_fen), 0))).one(),
            "requests": sorted(s.execute(select(FundRequest.id, FundRequest.state, FundRequest.batch_id,
                                                FundRequest.amount_fen, FundRequest.month)).all()),
            "batches": sorted(s.execute(select(FundRequestBatch.id, FundRequestBatch.state,
                                               FundRequestBatch.approved_total_fen)).all()),
            "attachments": s.scalar(select(func.count(Attachment.id))),
        }


# -- the disclosure scenario ----------------------------------------------------------------------
#
# 共和新路 2023, amounts in yuan: 洛川's line holds L (the demo's allocation, or 10,000) and the
# street's pool 200,000; 洛川's signature project is approved at L + 2,000 (L from its line, the
# 2,000 excess from the pool, with the panel's approval), its micro-venture project at 4,800.50, and
# 延长's micro-venture project at 3,000. A hotel pledges 30,000 to 洛川's co-governance fund claiming the
# signature project (20,000 received, 5,000 committed to it) plus a meeting room, and a room to a
# project still under review; a resident gives 1,000. Then money is disbursed (one against a
# fund request), spent (one with a voucher), a refund and a correction reduce two figures.

# What the scenario holds that no disclosure may show: a reviewer's words, a beneficiary's and
# the resident donor's names, his phone, the voucher's file name, the projects not approved.
PRIVATE = ("评审专家的私人意见", "王阿姨", "张三丰", "13800000000", "发票扫描件", "青年议事角", "被否决的项目")


@dataclass
class Scenario:
    sig: int
    micro: int
    other: int          # 延长's approved micro-venture project
    pending: int        # submitted, never decided
    rejected: int
    line: int           # 洛川's budget line
    pool: int           # the street's pool
    sponsor_fund: int   # 洛川's co-governance fund
    request: int        # the fund request the first disbursement answers
    voucher: int        # the voucher's attachment
    hotel_pledge: int
    person_pledge: int
    line_fen: int       # what the line had, all committed to the signature project
    room_pledge: int    # in kind, claiming the pending project


def build(platform) -> Scenario:
    # The demo may already have put money into the line and the pool: the scenario tops them up
    # only where needed and measures the line, so the signature project goes over it by 2,000.
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        programme = ctx.session.get(Programme, programme_id(platform))
        luochuan = ctx.session.get(OrgUnit, unit_id(platform, "jingan", "ghxl-luochuan"))
        line = funding.fund_for(ctx, programme, luochuan, "line", create=True)
        pool = funding.fund_for(ctx, programme, luochuan, "pool", create=True)
        if ledger.balance(ctx, line.id).available < 10_000 * YUAN:
            ledger.allocate(ctx, line.id, 10_000 * YUAN, "t:line", memo="2023年居民自治经费")
        if ledger.balance(ctx, pool.id).available < 20_000 * YUAN:
            ledger.allocate(ctx, pool.id, 200_000 * YUAN, "t:pool", memo="2023年资金池")
        line_id, pool_id = line.id, pool.id
        line_fen = ledger.balance(ctx, line.id).available

    over = fen_to_yuan(line_fen + 2_000 * YUAN)
    sig, voucher = gonghexinlu_project(platform, "luochuan", "ghxl-luochuan", "yiju_yipin", "楼组议事会", str(over),
                                       voucher=True)
    micro, _ = gonghexinlu_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园", "4800.50")
    other, _ = gonghexinlu_project(platform, "yanchang", "ghxl-yanchang", "micro_venture", "延长睦邻角", "3000")
    pending, _ = gonghexinlu_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "青年议事角", "2000")
    rejected, _ = gonghexinlu_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "被否决的项目", "1000")

    with acting(platform, "jingan", "ghxl_expert") as ctx:
        review.score(ctx, sig, {"feasibility": 8, "operability": 7, "compliance": 9}, "评审专家的私人意见")
    with acting(platform, "jingan", "ghxl_chair") as ctx:
        review.decide(ctx, sig, "approved", approvals=["signature_over_line"])
        review.decide(ctx, micro, "approved")
        review.decide(ctx, other, "approved")
        review.decide(ctx, rejected, "rejected", explanation="与既有项目重复，建议合并")

    with acting(platform, "jingan", "ghxl_admin") as ctx:
        luochuan_id = unit_id(platform, "jingan", "ghxl-luochuan")
        sponsor_fund = ledger.create_fund(ctx, luochuan_id, 2023, "sponsor_fund", "洛川共治金")
        hotel = Sponsor(org_unit_id=luochuan_id, name="上海某宾馆", kind="enterprise")
        person = Sponsor(org_unit_id=luochuan_id, name="张三丰", kind="individual", contact="13800000000")
        ctx.session.add_all([hotel, person])
        ctx.session.flush()
        hotel_pledge = Pledge(sponsor_id=hotel.id, fund_id=sponsor_fund.id, project_id=sig, amount_fen=30_000 * YUAN,
                              in_kind="提供会议场地", occasion="2023年共建理事会", pledged_on=dt.date(2023, 3, 1), year=2023,
                              idempotency_key="t:pledge-hotel")
        person_pledge = Pledge(sponsor_id=person.id, fund_id=sponsor_fund.id, amount_fen=1_000 * YUAN,
                               pledged_on=dt.date(2023, 3, 2), year=2023, idempotency_key="t:pledge-person")
        # the hotel also offers a room to a project that is still under review: not named in public
        room = Pledge(sponsor_id=hotel.id, fund_id=sponsor_fund.id, project_id=pending, amount_fen=0,
                      in_kind="借用活动室", pledged_on=dt.date(2023, 3, 3), year=2023, idempotency_key="t:pledge-room")
        ctx.session.add_all([hotel_pledge, person_pledge, room])
        ctx.session.flush()
        ledger.allocate(ctx, sponsor_fund.id, 20_000 * YUAN, "t:hotel", pledge_id=hotel_pledge.id, memo="宾馆认捐到账")
        ledger.commit(ctx, sponsor_fund.id, 5_000 * YUAN, sig, "t:hotel-sig", memo="宾馆认领楼组议事会")

        request = FundRequest(project_id=sig, month="2023-05", amount_fen=6_000 * YUAN, purpose="议事会场地布置与物料",
                              beneficiaries="楼组长王阿姨等12人", state="disbursed")
        ctx.session.add(request)
        ctx.session.flush()
        ledger.disburse(ctx, line_id, 6_000 * YUAN, sig, "t:d1", memo="5月拨付", fund_request_id=request.id)
        ledger.disburse(ctx, pool_id, 2_000 * YUAN, sig, "t:d2", memo="超出部分拨付")
        ledger.expense(ctx, line_id, 250_050, sig, "t:e1", voucher_attachment_id=voucher, memo="议事会茶歇与物料")
        wrong = ledger.expense(ctx, line_id, 1_000 * YUAN, sig, "t:e2", memo="海报印刷")
        ledger.correct(ctx, wrong.id, "t:c1", "发票金额为800元，更正200元", amount_fen=200 * YUAN)
        ledger.refund(ctx, pool_id, 500 * YUAN, sig, "t:r1", memo="结余退回")
        ledger.disburse(ctx, pool_id, 480_050, micro, "t:d3")
        ledger.expense(ctx, pool_id, 4_000 * YUAN, micro, "t:e3", memo="花苗与工具")
        ledger.disburse(ctx, pool_id, 1_000 * YUAN, other, "t:d4")
        return Scenario(sig, micro, other, pending, rejected, line_id, pool_id, sponsor_fund.id, request.id, voucher,
                        hotel_pledge.id, person_pledge.id, line_fen, room.id)
