"""The one place where tests build the world they act on, through the services (acting as a
user, projects, money), and make files. The money (funds, pledges, fund requests, the
disclosure scenario) is in tests/money_factories.py beside it, split off for size; driving the
app over HTTP is tests/clients.py."""
from __future__ import annotations

import contextlib
import datetime as dt
import io
from typing import Iterator

from sqlalchemy import select

from core.clock import Clock
from core.models import OrgUnit, Programme, Tenant, User
from core.platform import Platform
from core.services import projects, review
from core.services.context import Actor, Ctx

# Smallest valid files of each kind the storage sniffs.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
# Every login's password in the test world (tests/world/*.yaml).
PASSWORD = "tongxin-test"

# Days of the test world's 2023 calendar (the policies' default phases; core.services.calendar).
# "Today" is APPLICATION_DAY unless a test moves it with ``on_day``.
APPLICATION_DAY = "2023-03-15"      # inside every policy's application window (and 晋江's call)
JINJIANG_SELECTION_DAY = "2023-03-20"   # 晋江's call closed on 17 March: the city selects pilots
IMPLEMENTATION_DAY = "2023-04-14"   # 共和新路 files fund requests from April (implementation)
COUNCIL_DAY = "2023-05-20"          # 海园's council meeting: projects announced and claimed
SPENDING_DAY = "2023-05-22"         # 海园's spending is applied for after the meeting


# The running test's clock: conftest's ``settings`` fixture makes one per test and every
# platform and app built from those settings shares it (``Settings.clock``).
_clocks: list[Clock] = []


@contextlib.contextmanager
def running_clock(clock: Clock) -> Iterator[Clock]:
    """Make ``clock`` the one ``on_day`` moves while the block runs (conftest's ``settings``)."""
    _clocks.append(clock)
    try:
        yield clock
    finally:
        _clocks.remove(clock)


@contextlib.contextmanager
def on_day(day: str) -> Iterator[None]:
    """Make ``day`` (ISO) the test's "today" inside the block (09:00 Shanghai time on, see
    ``core.clock``), then put the clock back where it was: for the steps a policy allows only in
    a phase, and for the applying helpers below, which apply on APPLICATION_DAY whatever day
    the test has moved to. It moves the clock of the test's platforms, web requests included;
    the one place tests move the clock."""
    assert _clocks, "on_day moves the test's clock: the test needs the `settings` fixture"
    with _clocks[-1].on(day):
        yield


@contextlib.contextmanager
def later(**delta) -> Iterator[None]:
    """The test's clock moved on by ``delta`` (``timedelta``'s keywords) inside the block, then
    back: for timeouts measured in minutes and hours, where ``on_day`` moves whole days."""
    assert _clocks, "later moves the test's clock: the test needs the `settings` fixture"
    clock = _clocks[-1]
    with clock.on(clock.now() + dt.timedelta(**delta)):
        yield


def tenant_id(platform: Platform, slug: str) -> int:
    with platform.db.session() as s:
        return s.scalars(select(Tenant.id).where(Tenant.slug == slug)).one()


@contextlib.contextmanager
def acting(platform: Platform, tenant: str, username: str | None) -> Iterator[Ctx]:
    """A unit of work as ``username`` (None: anonymous) in tenant ``tenant``; commits on success."""
    tid = tenant_id(platform, tenant)
    session = platform.db.session(tenant_id=tid)
    try:
        actor = Actor.anonymous()
        if username:
            user = session.scalars(select(User).where(User.username == username)).one()
            actor = Actor.of(user)
            session.info["actor_id"] = user.id
        ctx = Ctx(session=session, actor=actor, host=platform.host, settings=platform.settings, tenant_id=tid)
        yield ctx
        ctx.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def unit_id(platform: Platform, tenant: str, code: str) -> int:
    with platform.db.session(tenant_id=tenant_id(platform, tenant)) as s:
        return s.scalars(select(OrgUnit.id).where(OrgUnit.code == code)).one()


def programme_id(platform: Platform, tenant: str = "jingan", year: int = 2023, plugin: str | None = None) -> int:
    with platform.db.session(tenant_id=tenant_id(platform, tenant)) as s:
        stmt = select(Programme.id).where(Programme.year == year).order_by(Programme.id)
        if plugin:
            stmt = stmt.where(Programme.plugin_name == plugin)
        return s.scalars(stmt).first()


def application(title: str, *, directions=("carrier",), start="2023-04-01", end="2023-12-31", tags=()) -> dict:
    """A complete, valid 共和新路 申报表."""
    return {
        "title": title,
        "directions": list(directions),
        "tags": list(tags),
        "background": "小区停车难、邻里议事渠道少，居民代表大会上多次提出希望改善。",
        "goals": "建立楼组议事会，形成停车公约，覆盖全部12个楼组。",
        "activities": "4月组建团队；5-6月召开议事会；7-9月试行公约；10月总结。",
        "team": "居委会主任牵头，楼组长6人，志愿者10人",
        "beneficiaries": "全体居民约2000人",
        "start_date": start,
        "end_date": end,
        "residents_meeting_date": "2023-02-20",
    }


def draft_project(platform: Platform, username: str, unit_code: str, track: str, title: str, *,
                  amount: str = "3000", directions=None, tenant: str = "jingan") -> int:
    """A complete 共和新路 application (form, one budget item, residents' minutes), not submitted."""
    pid = programme_id(platform, tenant, plugin="gonghexinlu")
    directions = directions or (("carrier",) if track == "yiju_yipin" else ("public_space",))
    with on_day(APPLICATION_DAY), acting(platform, tenant, username) as ctx:
        p = projects.create_project(ctx, pid, unit_id(platform, tenant, unit_code), track, title)
        projects.save_form(ctx, p.id, "application", application(title, directions=directions))
        projects.set_budget(ctx, p.id, [{"description": "活动物料", "amount": amount}])
        projects.attach(ctx, p.id, "residents_minutes", "会议记录.pdf", io.BytesIO(PDF), platform.storage)
        return p.id


def submitted_project(platform: Platform, username: str, unit_code: str, track: str, title: str, **kw) -> int:
    pid = draft_project(platform, username, unit_code, track, title, **kw)
    with on_day(APPLICATION_DAY), acting(platform, kw.get("tenant", "jingan"), username) as ctx:
        projects.submit(ctx, pid)
    return pid


def gonghexinlu_project(platform, username, unit_code, track, title, amount, *,
                        voucher=False) -> tuple[int, int | None]:
    """A submitted 共和新路 application with one budget item of ``amount`` yuan (a scanned invoice
    as well if asked, to serve later as an expense's voucher); returns its id and the invoice's."""
    with on_day(APPLICATION_DAY), acting(platform, "jingan", username) as ctx:
        p = projects.create_project(ctx, programme_id(platform), unit_id(platform, "jingan", unit_code), track, title)
        directions = ("carrier",) if track == "yiju_yipin" else ("public_space",)
        projects.save_form(ctx, p.id, "application", application(title, directions=directions))
        projects.set_budget(ctx, p.id, [{"description": "活动物料", "amount": amount}])
        projects.attach(ctx, p.id, "residents_minutes", "会议记录.pdf", io.BytesIO(PDF), platform.storage)
        att = projects.attach(ctx, p.id, "supporting", "发票扫描件.pdf", io.BytesIO(PDF), platform.storage) if voucher else None
        projects.submit(ctx, p.id)
        ctx.session.flush()
        return p.id, (att.id if att else None)


# -- 海园 (静安寺街道's 2023 programme, the tenant T) -------------------------------------------------

T = "jingan"
HAIYUAN_APPLICATION = {"purpose": "为辖区独居老人更换老化水表、加装爱心椅", "beneficiaries": "独居老人约40户",
                       "plan": "6月摸底登记，7月施工，8月回访"}


def haiyuan_project(platform, title: str, *, amount: str = "50000", submit: bool = True,
                    voucher: bool = False) -> tuple[int, int | None]:
    """A 海园 application by the neighbourhood (form and budget; a scanned invoice if asked,
    to serve later as an expense's voucher), submitted unless told not to."""
    with on_day(APPLICATION_DAY), acting(platform, T, "haiyuan") as ctx:
        p = projects.create_project(ctx, programme_id(platform, T, plugin="haiyuan"), unit_id(platform, T, "jas-haiyuan"),
                                    "livelihood", title)
        projects.save_form(ctx, p.id, "application", HAIYUAN_APPLICATION)
        projects.set_budget(ctx, p.id, [{"description": "材料与施工", "amount": amount}])
        att = (projects.attach(ctx, p.id, "supporting", "发票.pdf", io.BytesIO(PDF), platform.storage).id
               if voucher else None)
        if submit:
            projects.submit(ctx, p.id)
        return p.id, att


def approve(platform, pid: int, amount: str):
    with acting(platform, T, "jas_chair") as ctx:
        return review.decide(ctx, pid, "approved", approved_amount=amount)


# -- 晋江's call --------------------------------------------------------------------------------------

JINJIANG_APPLICATION = {
    "title": "邻里驿站", "directions": ["neighbour_station"],
    "infrastructure": "党群服务中心面积800平方米，设施齐全", "party_building": "社区党委下设5个网格党支部",
    "service_capacity": "社工12名，志愿者队伍3支", "participation": "去年居民参与活动超过3000人次",
    "residents_consulted_on": "2023-03-05", "contact": "王主任 0595-1234567",
}
JINJIANG_PLAN = {
    "background": "老旧小区多、老年人比例高，居民对就近议事和互助服务需求强烈。",
    "targets": ["建成邻里驿站1个", "每月开展志愿服务不少于4次"],
    "schedule": ["2023-04-30 完成驿站场地改造", "2023-09-30 形成值守制度并运行"],
    "measures": "依托网格党支部组织值守，联合驻区单位提供物资支持。",
}


def jinjiang_project(platform, username, unit_code, project_type="mutual_aid", plan=None, submit=True):
    with on_day(APPLICATION_DAY), acting(platform, "jinjiang", username) as ctx:
        p = projects.create_project(ctx, programme_id(platform, "jinjiang"), unit_id(platform, "jinjiang", unit_code),
                                    project_type, "邻里驿站")
        projects.save_form(ctx, p.id, "application", JINJIANG_APPLICATION)
        projects.save_form(ctx, p.id, "plan", plan or JINJIANG_PLAN)
        projects.set_budget(ctx, p.id, [{"description": "场地改造", "amount": "80000"}])
        projects.attach(ctx, p.id, "residents_consultation", "意见征集.pdf", io.BytesIO(PDF), platform.storage)
        if submit:
            projects.submit(ctx, p.id)
        return p.id


# -- running concurrently ----------------------------------------------------------------------------

def run_processes(target, args_per_process: list[tuple], timeout: float = 240) -> list:
    """Run ``target(*args, barrier, results)`` in one freshly spawned process per args tuple
    (nothing, no engine or connection, is inherited), all released together by the barrier;
    each puts one report on ``results``. Returns the reports; fails if one never comes."""
    import multiprocessing as mp
    import queue

    spawn = mp.get_context("spawn")
    barrier, results = spawn.Barrier(len(args_per_process)), spawn.Queue()
    workers = [spawn.Process(target=target, args=(*args, barrier, results)) for args in args_per_process]
    for w in workers:
        w.start()
    reports = []
    try:
        for _ in workers:
            reports.append(results.get(timeout=timeout))
    except queue.Empty:
        raise AssertionError(f"only {len(reports)} of {len(workers)} processes reported") from None
    finally:
        for w in workers:
            w.join(timeout=30)
            if w.is_alive():
                w.terminate()
    return reports
