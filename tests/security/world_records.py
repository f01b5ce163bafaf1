"""What an approved project carries once it runs, planted in each foreign scope of the security
world (``tests.security.world``) so that a route about any of these kinds is called with a real
foreign id and a leak of it would show: a plan task and a pending revision, an activity record
with a photo and a sign-in sheet, a fund request filed, batched, paid out and spent (so ledger
entries), a quarterly report saved on a due item the daily obligations task opened, a
supervision visit with a rectification, a closed project with its close-out, a notification
and (for the other tenant, which only a district administrator could see) a failed mail
delivery; for the other sponsor, a pledge and its receipt. Each carries its own marker
strings; the ids go to the scope's ``ids`` under the URL parameter that names them.

Everything is built through the services, acting as the users who would do it, on the days the
policies allow; only the notification and the mail delivery are written as rows (the daily task
and the SMTP sender write them in life, and what matters here is what they hold)."""
from __future__ import annotations

import datetime as dt
import io

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from core.models import DueItem, Fund, FundRequest, LedgerEntry, MailDelivery, Notification, User
from core.services import closeout, fund_requests, pledges, supervision
from core.services.delivery import activities, plan
from core.services.obligations import reports
from tests.delivery_factories import jpeg_with_gps
from tests.factories import (
    IMPLEMENTATION_DAY,
    PDF,
    SPENDING_DAY,
    acting,
    approve,
    haiyuan_project,
    on_day,
    unit_id,
)
from tests.money_factories import approved_project, fund_id, leaders, receive, sponsor_id
from tests.obligation_factories import pilot, run

DAY = dt.date.fromisoformat
DECEMBER = "2023-12-10"


def _ids_of(platform, tenant: str, rid: int) -> dict[str, int]:
    """A paid-out request's batch, the ledger entry of its disbursement, and a fund the
    scope's own unit holds (a neighbourhood's budget line or co-governance fund; the street's
    pool the money may have come from is its sibling's too)."""
    with acting(platform, tenant, None) as ctx:
        request = ctx.session.get(FundRequest, rid)
        entry = ctx.session.scalars(select(LedgerEntry).where(LedgerEntry.fund_request_id == rid)
                                    .order_by(LedgerEntry.id)).first()
        owner = request.project.applicant_unit_id
        own = ctx.session.scalars(select(Fund.id).where(Fund.org_unit_id == owner).order_by(Fund.id)).first()
        return {"request_id": rid, "batch_id": request.batch_id or 0, "entry_id": entry.id if entry else 0,
                "fund_id": own or (entry.fund_id if entry else 0)}


def delivery(platform, group, tenant: str, pid: int, *, team: str, office: str, leader: str, day: str,
             approver: str | None = None) -> None:
    """The plan (a task, a revision pending), an activity with its files, a request paid out and
    spent, a visit and its rectification reported, on ``day`` (a day of the implementation)."""
    m = group.marker
    start, end = DAY(day), DAY(day) + dt.timedelta(days=60)
    with on_day(day), acting(platform, tenant, team) as ctx:
        [task] = plan.set_plan(ctx, pid, [{"title": m("task"), "owner": m("owner"), "starts_on": start, "ends_on": end}])
        ctx.session.flush()
        group.ids["task_id"] = task.id
        revision = plan.request_revision(ctx, pid, m("revision") + "：场地施工推迟，计划顺延一个月", [
            {"task_id": task.id, "title": m("task"), "owner": m("owner"), "starts_on": start,
             "ends_on": end + dt.timedelta(days=30)}])
        record = activities.record_activity(
            ctx, pid, start, m("place"), m("activity") + "，志愿者清理空地", 8, participants=[f"{m('participant')} 2"],
            plan_task_id=task.id, photos=[(f"{m('photo')}.jpg", io.BytesIO(jpeg_with_gps()))],
            sign_in_sheet=(f"{m('signin')}.pdf", io.BytesIO(PDF)), storage=platform.storage)
        ctx.session.flush()
        group.ids.update(revision_id=revision.id, activity_id=record.id, file_id=record.files[0].id)
        rid = fund_requests.file_request(ctx, pid, amount="500", purpose=m("spending", disclosed=True), beneficiaries=m("beneficiaries"),
                                         key=f"security-{group.name}").id
    with on_day(day):
        if approver:  # 海园: the supervision committee checks every spending first
            with acting(platform, tenant, approver) as ctx:
                fund_requests.supervise(ctx, rid, approve=True, note=m("supervisionnote"))
        with acting(platform, tenant, office) as ctx:
            batch = fund_requests.accept(ctx, rid).batch_id
        with acting(platform, tenant, leader) as ctx:
            fund_requests.approve_batch(ctx, batch)
        with acting(platform, tenant, office) as ctx:
            fund_requests.disburse(ctx, rid)
        with acting(platform, tenant, team) as ctx:
            fund_requests.record_expense(ctx, rid, amount="200", memo=m("expense", disclosed=True),
                                         voucher=FileStorage(io.BytesIO(PDF), f"{m('voucher', signed_in_may_see=True)}.pdf"), storage=platform.storage,
                                         key=f"security-{group.name}-spent")
    group.ids.update(_ids_of(platform, tenant, rid))
    visit_day = DAY(day) + dt.timedelta(days=10)
    with on_day(visit_day.isoformat()):
        with acting(platform, tenant, office) as ctx:
            visit = supervision.record_visit(ctx, pid, visited_on=visit_day, kind="tracking", method="visit",
                                             visitors=m("visitors"), observed=m("observed"), advice=m("advice"),
                                             rectifications=[{"description": m("rectification"),
                                                              "due_on": visit_day + dt.timedelta(days=20)}])
            ctx.session.flush()
            group.ids["rectification_id"] = visit.rectifications[0].id
        with acting(platform, tenant, team) as ctx:
            supervision.report(ctx, group.ids["rectification_id"], report=m("rectreport") + "，已补齐签到表")


def report(platform, group, tenant: str, owner: str, *, team: str, opened: str, written: str, body: dict) -> None:
    """The daily task run on ``opened`` (a day that opens due items), then the report the unit
    ``owner`` owes saved by ``team`` (not handed in: a draft is what a foreign reader must
    least see)."""
    run(platform, tenant, opened)
    with acting(platform, tenant, None) as ctx:
        iid = ctx.session.scalars(select(DueItem.id).where(DueItem.owner_unit_id == unit_id(platform, tenant, owner))
                                  .order_by(DueItem.id)).first()
    with on_day(written), acting(platform, tenant, team) as ctx:
        reports.save(ctx, iid, body)
    group.ids["item_id"] = iid


def closed(platform, group, tenant: str, pid: int, *, office: str) -> None:
    with on_day(DECEMBER), acting(platform, tenant, office) as ctx:
        closeout.close(ctx, pid, summary=group.marker("closeout") + "，花园已交付居民使用")
    group.closed_ids = {"project_id": pid}


def notified(platform, group, tenant: str, username: str, *, mail: bool = False) -> None:
    m = group.marker
    with acting(platform, tenant, None) as ctx:
        user = ctx.session.scalars(select(User.id).where(User.username == username)).one()
        note = Notification(user_id=user, kind="obligation.reminder", subject=m("notice"), body=m("noticebody"),
                            link=None, dedupe_key=f"security:{group.name}")
        ctx.session.add(note)
        ctx.session.flush()
        group.ids["notification_id"] = note.id
        if mail:
            delivery_row = MailDelivery(notification_id=note.id, address=f"{m('mail').lower()}@example.cn",
                                        state="failed", attempts=1, last_error=m("mailerror"))
            ctx.session.add(delivery_row)
            ctx.session.flush()
            group.ids["delivery_id"] = delivery_row.id


QUARTERLY = {"activities": "楼组议事会、公约征询", "participants": 120, "next_steps": "7-9月试行公约"}


def yanchang(platform, group) -> None:
    """延长 (共和新路): its approved project runs from April; a second one is closed."""
    leaders(platform)
    pid = group.approved_ids["project_id"]
    delivery(platform, group, "jingan", pid, team="yanchang", office="ghxl_admin", leader="fr_leader",
             day=IMPLEMENTATION_DAY)
    report(platform, group, "jingan", "ghxl-yanchang", team="yanchang", opened="2023-06-25", written="2023-07-05",
           body={"progress": group.marker("progress"), **QUARTERLY})
    notified(platform, group, "jingan", "yanchang")
    done = approved_project(platform, title="延长结项项目", unit_code="ghxl-yanchang", username="yanchang")
    closed(platform, group, "jingan", done, office="ghxl_admin")


def haiyuan(platform, group) -> None:
    """海园 (静安寺街道): an approved project drawing on the co-governance fund, spending from
    the day after the council meeting, supervised by its committee."""
    pid, _ = haiyuan_project(platform, "海园爱心椅", amount="5000")
    with acting(platform, "jingan", "jas_admin") as ctx:
        fid = fund_id(platform)
        row = pledges.pledge(ctx, sponsor_id(platform, "上海宾馆"), fid, "20000", key="security-haiyuan-money")
    receive(platform, row.id, "20000", "security-haiyuan-money")
    approve(platform, pid, "5000")
    group.approved_ids = {**group.ids, "project_id": pid}
    delivery(platform, group, "jingan", pid, team="haiyuan", office="jas_admin", leader="jas_leader",
             day=SPENDING_DAY, approver="haiyuan_jd")
    notified(platform, group, "jingan", "haiyuan")
    report(platform, group, "jingan", "jas-haiyuan", team="haiyuan", opened="2023-12-01", written="2023-12-05",
           body={"account": group.marker("account"), "supervision": "监督委员会每月检查"})
    done, _ = haiyuan_project(platform, "海园结项项目", amount="1000")
    approve(platform, done, "1000")
    closed(platform, group, "jingan", done, office="jas_admin")


def jinjiang(platform, group) -> None:
    """晋江 (tenant B): a pilot selected by the city, run by 安东社区 under 安海镇."""
    pid = pilot(platform, "andong", "jj-anhai-a", "anhai_admin")
    group.approved_ids = {**group.ids, "project_id": pid}
    delivery(platform, group, "jinjiang", pid, team="andong", office="anhai_admin", leader="anhai_leader",
             day="2023-04-14")
    notified(platform, group, "jinjiang", "andong", mail=True)
    report(platform, group, "jinjiang", "jj-anhai", team="anhai_admin", opened="2023-04-01", written="2023-04-05",
           body={"summary": group.marker("monthly")})
    done = pilot(platform, "xingta", "jj-anhai-b", "anhai_admin")
    closed(platform, group, "jinjiang", done, office="jj_admin")


def pingan(platform, group) -> None:
    """平安养老保险's pledge to 海园's fund and its receipt (a ledger entry)."""
    with acting(platform, "jingan", "jas_admin") as ctx:
        fid = fund_id(platform)
        row = pledges.pledge(ctx, group.ids["sponsor_id"], fid, "8000", in_kind=group.marker("inkind", disclosed=True),
                             occasion=group.marker("occasion", disclosed=True), key="security-pingan")
        pledge_id = row.id
    got = receive(platform, pledge_id, "3000", "security-pingan")
    group.ids.update(pledge_id=pledge_id, fund_id=fid, entry_id=got.allocation.id)
