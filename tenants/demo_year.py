"""A demo year of activity on top of the tenant files, so that `tongxin demo` shows each
policy's money rules working, not only empty funds. Run by `tongxin demo` after
`tenants load`; it does nothing if its first project already exists (idempotent).

Everything goes through the services, as the people named in README's logins table would do
it, on dates inside each policy's windows (today is pinned for each step and restored after):

- 共和新路 (静安区): 洛川's 一居一品 for 45,000 yuan is approved with the panel's explicit consent to
  go over the neighbourhood's 30,000-yuan line: 30,000 from the line, the 15,000 excess from the
  street's pool. 延长's 七彩微创投 (4,800) comes entirely from the pool. In April both ask for
  money (the implementation stage starts in April); the office checks the requests, the month's batch (within the leader's 50,000-yuan
  authority) is approved and disbursed, and 洛川 records spending with a receipt. One more
  request waits for the office, and a micro project still waits for the panel.
- 晋江市: 青华社区's pilot, endorsed by 青阳街道, is selected at the 晋江 level: 100,000 yuan of
  the city's subsidy is committed. 青阳街道 adds its own 20,000 and a charity 10,000 (received
  in part) as pledges claimed for the project.
- 海园 (静安寺街道): two sponsors pledge to the neighbourhood's 共治金 at the council meeting (20
  May); one claims the 爱心小水表 project. Money is received, the project is approved from the
  fund, and after the meeting its spending is applied for with purpose and beneficiaries,
  checked by the supervision committee and the street, approved by the leader, disbursed and
  spent with a receipt.
"""
from __future__ import annotations

import contextlib
import io
from typing import Iterator

from sqlalchemy import select

from core.models import OrgUnit, Programme, Project, Sponsor, Tenant, User
from core.platform import Platform
from core.services import endorsement, fund_requests, pledges, projects, review
from core.services.context import Actor, Ctx

MARKER = "楼组议事厅"  # the first project the scenario creates
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


class Scene:
    def __init__(self, platform: Platform, tenant: str):
        self.platform = platform
        with platform.db.session() as s:
            self.tenant_id = s.scalars(select(Tenant.id).where(Tenant.slug == tenant)).one()

    @contextlib.contextmanager
    def as_(self, username: str, day: str) -> Iterator[Ctx]:
        """One unit of work as ``username`` on ``day``; commits on success."""
        moved = self.platform.clock.on(day)  # the platform's clock: its in-process tasks too
        moved.__enter__()
        session = self.platform.db.session(tenant_id=self.tenant_id)
        try:
            user = session.scalars(select(User).where(User.username == username)).one()
            actor = Actor.of(user)
            session.info["actor_id"] = actor.id
            ctx = Ctx(session=session, actor=actor, host=self.platform.host, settings=self.platform.settings,
                      tenant_id=self.tenant_id)
            yield ctx
            ctx.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
            moved.__exit__(None, None, None)

    def unit(self, code: str) -> int:
        with self.platform.db.session(tenant_id=self.tenant_id) as s:
            return s.scalars(select(OrgUnit.id).where(OrgUnit.code == code)).one()

    def programme(self, unit: str, plugin: str, year: int = 2023) -> int:
        """The programme of ``plugin`` that the unit ``unit`` (by code) runs in ``year``: another
        street under the same policy has a programme of its own."""
        with self.platform.db.session(tenant_id=self.tenant_id) as s:
            return s.scalars(select(Programme.id).join(OrgUnit, OrgUnit.id == Programme.org_unit_id)
                             .where(OrgUnit.code == unit, Programme.plugin_name == plugin,
                                    Programme.year == year)).one()

    def sponsor(self, name: str) -> int:
        with self.platform.db.session(tenant_id=self.tenant_id) as s:
            return s.scalars(select(Sponsor.id).where(Sponsor.name == name)).one()


def already_done(platform: Platform) -> bool:
    scene = Scene(platform, "jingan")
    with platform.db.session(tenant_id=scene.tenant_id) as s:
        return s.scalars(select(Project.id).where(Project.title == MARKER)).first() is not None


def run(platform: Platform) -> bool:
    """Play the demo year; False if it had been played already."""
    if already_done(platform):
        return False
    gonghexinlu(Scene(platform, "jingan"))
    haiyuan(Scene(platform, "jingan"))
    jinjiang(Scene(platform, "jinjiang"))
    return True


# -- 共和新路 ------------------------------------------------------------------------------------

def _ghxl_application(title: str, directions: list[str], tags: list[str]) -> dict:
    return {
        "title": title, "directions": directions, "tags": tags,
        "background": "小区停车难、邻里议事渠道少，居民代表大会上多次提出希望改善。",
        "goals": "建立楼组议事机制，每季度至少议事一次，形成一份居民公约。",
        "activities": "4月组建骨干团队；5-9月每月开展议事活动；10月总结并修订公约。",
        "team": "居委会主任牵头，楼组长8名、志愿者15名。",
        "beneficiaries": "全体居民约2000人",
        "start_date": "2023-04-01", "end_date": "2023-12-31", "residents_meeting_date": "2023-02-20",
    }


def _ghxl_project(scene: Scene, username: str, unit: str, track: str, title: str, directions, lines) -> int:
    with scene.as_(username, "2023-03-10") as ctx:
        p = projects.create_project(ctx, scene.programme("gonghexinlu", "gonghexinlu"), scene.unit(unit), track, title)
        projects.save_form(ctx, p.id, "application", _ghxl_application(title, list(directions), ["协商议事平台建设"]))
        projects.set_budget(ctx, p.id, [{"description": d, "amount": a} for d, a in lines])
        projects.attach(ctx, p.id, "residents_minutes", "居民代表大会会议记录.pdf", io.BytesIO(PDF), scene.platform.storage)
        projects.submit(ctx, p.id)
        return p.id


def gonghexinlu(scene: Scene) -> None:
    signature = _ghxl_project(scene, "luochuan", "ghxl-luochuan", "yiju_yipin", MARKER, ["carrier"],
                              [("场地布置", "20000"), ("议事活动物料", "15000"), ("公约印制与宣传", "10000")])
    micro = _ghxl_project(scene, "yanchang", "ghxl-yanchang", "micro_venture", "口袋花园", ["public_space"],
                          [("花苗与土壤", "3000"), ("工具", "1800")])
    _ghxl_project(scene, "yanchang", "ghxl-yanchang", "micro_venture", "青年议事角", ["public_space"],
                  [("桌椅", "2000"), ("海报", "500")])  # left for the panel to review in the demo
    for pid in (signature, micro):
        for reviewer, points in (("ghxl_expert", 8), ("ghxl_chair", 9)):
            with scene.as_(reviewer, "2023-03-20") as ctx:
                review.score(ctx, pid, {"feasibility": points, "operability": points, "compliance": points}, "方案可行")
    with scene.as_("ghxl_chair", "2023-03-25") as ctx:
        # Over the neighbourhood's line: the panel approves the excess from the pool explicitly.
        review.decide(ctx, signature, "approved", approvals=["signature_over_line"])
        review.decide(ctx, micro, "approved")

    with scene.as_("luochuan", "2023-04-03") as ctx:
        items = {b.description: b.id for b in projects.get_project(ctx, signature).budget_items}
        first = fund_requests.file_request(ctx, signature, amount="12000", purpose="议事厅场地布置（桌椅、展板）",
                                           month="2023-04", budget_item_id=items["场地布置"])
        waiting = fund_requests.file_request(ctx, signature, amount="6000", purpose="5月议事活动物料",
                                             month="2023-05", budget_item_id=items["议事活动物料"])
    with scene.as_("yanchang", "2023-04-03") as ctx:
        second = fund_requests.file_request(ctx, micro, amount="2400", purpose="花苗与土壤首批采购", month="2023-04")
    with scene.as_("ghxl_admin", "2023-04-10") as ctx:
        batch = fund_requests.check(ctx, first.id).batch_id
        fund_requests.check(ctx, second.id)
    with scene.as_("ghxl_leader", "2023-04-12") as ctx:
        fund_requests.approve_batch(ctx, batch)
    with scene.as_("ghxl_admin", "2023-04-14") as ctx:
        fund_requests.disburse_batch(ctx, batch)
    with scene.as_("luochuan", "2023-04-28") as ctx:
        fund_requests.record_expense(ctx, first.id, amount="9800", memo="议事桌椅8套、展板2块",
                                     receipt_filename="发票-桌椅.png", receipt_stream=io.BytesIO(PNG),
                                     storage=scene.platform.storage, key="demo:luochuan:receipt-1")
    del waiting  # filed for May: it waits for the office's check in the demo


# -- 海园 ----------------------------------------------------------------------------------------

def haiyuan(scene: Scene) -> None:
    # The seed's order: applications, then the council meeting (20 May) where the projects are
    # announced and sponsors pledge and claim, then spending applied for after the meeting.
    programme = scene.programme("jingansi", "haiyuan")
    unit = scene.unit("jas-haiyuan")
    with scene.as_("haiyuan", "2023-03-10") as ctx:
        p = projects.create_project(ctx, programme, unit, "livelihood", "爱心小水表")
        projects.save_form(ctx, p.id, "application", {
            "purpose": "为小区独居老人家庭加装智能水表，用水异常时自动提醒居委会和家属。",
            "beneficiaries": "独居老人约40户", "plan": "4月摸底登记；5月采购安装；6月起居委会值守查看提醒。",
            "resources_wanted": "设备采购资金；安装志愿者"})
        projects.set_budget(ctx, p.id, [{"description": "智能水表40只", "amount": "32000"},
                                        {"description": "安装与调试", "amount": "8000"}])
        projects.submit(ctx, p.id)
        project = p.id
    with scene.as_("jas_admin", "2023-05-20") as ctx:
        fund = pledges.open_fund(ctx, programme, unit)
        general = pledges.pledge(ctx, scene.sponsor("上海宾馆"), fund.id, "100000", occasion="2023年同心家园共建理事会海园分会",
                                 key="demo:haiyuan:pledge-hotel")
        claim = pledges.pledge(ctx, scene.sponsor("平安养老保险"), fund.id, "50000", project_id=project,
                               in_kind="安装志愿者10人次", occasion="2023年同心家园共建理事会海园分会",
                               key="demo:haiyuan:pledge-insurer")
    with scene.as_("jas_admin", "2023-05-22") as ctx:
        pledges.receive(ctx, general.id, "100000", "demo:haiyuan:receipt-hotel", memo="转账到账")
        pledges.receive(ctx, claim.id, "30000", "demo:haiyuan:receipt-insurer", memo="首笔到账")
    with scene.as_("jas_chair", "2023-05-23") as ctx:
        review.decide(ctx, project, "approved")
    with scene.as_("haiyuan", "2023-05-24") as ctx:
        request = fund_requests.file_request(ctx, project, amount="32000", purpose="采购智能水表40只",
                                             beneficiaries="独居老人40户", month="2023-05")
    with scene.as_("haiyuan_jd", "2023-05-25") as ctx:
        fund_requests.supervise(ctx, request.id, approve=True, note="用途与对象明确，同意")
    with scene.as_("jas_admin", "2023-05-26") as ctx:
        batch = fund_requests.check(ctx, request.id).batch_id
    with scene.as_("jas_leader", "2023-05-29") as ctx:
        fund_requests.approve_batch(ctx, batch)
    with scene.as_("jas_admin", "2023-05-30") as ctx:
        fund_requests.disburse_batch(ctx, batch)
    with scene.as_("haiyuan", "2023-06-20") as ctx:
        fund_requests.record_expense(ctx, request.id, amount="31600", memo="智能水表40只",
                                     receipt_filename="发票-水表.png", receipt_stream=io.BytesIO(PNG),
                                     storage=scene.platform.storage, key="demo:haiyuan:receipt-1")


# -- 晋江 ----------------------------------------------------------------------------------------

def jinjiang(scene: Scene) -> None:
    with scene.as_("qinghua", "2023-03-10") as ctx:
        p = projects.create_project(ctx, scene.programme("jinjiang", "jinjiang"), scene.unit("jj-qingyang-a"), "mutual_aid", "邻里驿站")
        projects.save_form(ctx, p.id, "application", {
            "title": "邻里驿站", "directions": ["neighbour_station"],
            "infrastructure": "党群服务中心面积800平方米，设施齐全", "party_building": "社区党委下设5个网格党支部",
            "service_capacity": "社工12名，志愿者队伍3支", "participation": "去年居民参与活动超过3000人次",
            "residents_consulted_on": "2023-03-05", "contact": "王主任 0595-1234567"})
        projects.save_form(ctx, p.id, "plan", {
            "background": "老旧小区多、老年人比例高，居民对就近议事和互助服务需求强烈。",
            "targets": ["建成邻里驿站1个", "每月开展志愿服务不少于4次"],
            "schedule": ["2023-04-30 完成驿站场地改造", "2023-09-30 形成值守制度并运行"],
            "measures": "依托网格党支部组织值守，联合驻区单位提供物资支持。"})
        projects.set_budget(ctx, p.id, [{"description": "场地改造", "amount": "90000"},
                                        {"description": "志愿服务物资", "amount": "40000"}])
        projects.attach(ctx, p.id, "residents_consultation", "意见征集.pdf", io.BytesIO(PDF), scene.platform.storage)
        projects.submit(ctx, p.id)
        pid = p.id
    with scene.as_("qingyang_admin", "2023-03-14") as ctx:
        endorsement.endorse(ctx, pid, "endorsed")
    with scene.as_("jj_chair", "2023-03-25") as ctx:
        review.decide(ctx, pid, "approved", details={"selection": {"tier": "city"}})
    with scene.as_("qingyang_admin", "2023-04-02") as ctx:
        project = projects.get_project(ctx, pid)
        fund = pledges.open_fund(ctx, project.programme_id, project.applicant_unit_id)
        town = pledges.pledge(ctx, scene.sponsor("青阳街道办事处"), fund.id, "20000", project_id=pid,
                              occasion="镇（街道）配套", key="demo:jinjiang:town")
        charity = pledges.pledge(ctx, scene.sponsor("晋江市慈善总会青阳分会"), fund.id, "10000", project_id=pid,
                                 occasion="慈善捐赠", key="demo:jinjiang:charity")
        pledges.receive(ctx, town.id, "20000", "demo:jinjiang:town-received", memo="镇街配套资金到位")
        pledges.receive(ctx, charity.id, "5000", "demo:jinjiang:charity-received", memo="首笔捐赠")
