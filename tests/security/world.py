"""The world the security tests probe, built once per module on top of the test world: objects
of several scopes of tenant 静安区 (A) and of 晋江市 (B), each carrying unique marker strings in
what its scope must keep to itself, and what a seeded person's phone, ID number and contact name
look like, so that a response can be searched for them.

Scopes (``GROUPS``), by the unit that owns the objects:
- ``luochuan``: 洛川 (共和新路), the neighbourhood user's own unit: a submitted application and
  an approved project with the public parts marked and unmarked, a registry person, files;
- ``yanchang``: 延长, a sibling neighbourhood in the same street: the same kinds of objects;
- ``haiyuan``: 海园 under 静安寺街道, a sibling street: a submitted application;
- ``jinjiang``: tenant B: a submitted application of 青华社区;
- ``pingan``: another sponsor (平安养老保险) of 海园: its contact.

Which scopes are foreign to whom is ``FOREIGN``: what each actor of tenant A must never see.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field

from sqlalchemy import select

from core.models import OrgUnit, Programme, Project, RegistryPerson, Sponsor, User
from core.services import projects, review
from core.services.delivery import people
from tests.factories import APPLICATION_DAY, PDF, acting, application, on_day, programme_id, unit_id
from tests.money_factories import money_for, person
from tests.security import world_records as records

# A seeded person's phone, ID number (valid GB 11643 check digit) and contact name: never in an
# anonymous response, whatever the route.
PHONE = "13912345678"
ID_NUMBER = "310106195803120014"
CONTACT = "联系人甄秘密"
PERSONAL = (PHONE, ID_NUMBER, CONTACT)

# The actors of tenant A: one per role, and the public (None).
ACTORS = {
    "district_admin": "jingan_admin", "street_admin": "ghxl_admin", "street_leader": "ghxl_leader",
    "reviewer": "ghxl_chair", "neighbourhood_staff": "luochuan", "sponsor": "shbg", "supervisor": "haiyuan_jd",
    "project_member": "sec_member", "commissioned_org": "sec_commissioned", "anonymous": None,
}
# The scopes whose private objects each actor must not see. 共和新路's actors reach their whole
# street; the sponsor and the supervision committee sit in 海园, so 共和新路 is their sibling street.
FOREIGN = {
    "jingan_admin": ("jinjiang",),
    "ghxl_admin": ("haiyuan", "jinjiang", "pingan"),
    "ghxl_leader": ("haiyuan", "jinjiang", "pingan"),
    "ghxl_chair": ("haiyuan", "jinjiang", "pingan"),
    "luochuan": ("yanchang", "haiyuan", "jinjiang", "pingan"),
    "shbg": ("luochuan", "yanchang", "jinjiang", "pingan"),
    "haiyuan_jd": ("luochuan", "yanchang", "jinjiang"),
    "sec_member": ("yanchang", "haiyuan", "jinjiang", "pingan"),
    # a commissioned organisation sees the projects assigned to it, and none is
    "sec_commissioned": ("luochuan", "yanchang", "haiyuan", "jinjiang", "pingan"),
    None: ("luochuan", "yanchang", "haiyuan", "jinjiang", "pingan"),
}


@dataclass
class Group:
    """One scope's objects: ids by URL parameter name, and its marker strings."""

    name: str
    tenant: str
    ids: dict[str, int] = field(default_factory=dict)
    approved_ids: dict[str, int] = field(default_factory=dict)  # for routes about an approved project
    closed_ids: dict[str, int] = field(default_factory=dict)    # for routes about a closed one
    markers: set[str] = field(default_factory=set)       # private to the scope
    unpublished: set[str] = field(default_factory=set)   # seen by every signed-in reader, not by the public
    private_projects: set[int] = field(default_factory=set)

    def marker(self, what: str, *, signed_in_may_see: bool = False, disclosed: bool = False) -> str:
        """A unique string; ``signed_in_may_see``: in an approved project's forms, files and
        decisions, which any signed-in reader of the project sees, and the public does not;
        ``disclosed``: what the public disclosure (村务公开) shows everyone, such as what a
        request paid for and what was spent on, or what a sponsor gave, so never searched for."""
        m = f"MKR{self.name.upper()}{what.upper()}"
        if not disclosed:
            (self.unpublished if signed_in_may_see else self.markers).add(m)
        return m


@dataclass
class World:
    groups: dict[str, Group]
    public_project: int                      # 洛川's approved project, public parts and private ones
    public_markers: set[str]                 # in its marked (public) fields
    private_markers: set[str]                # everything the public must not see, of every scope


def _gonghexinlu_application(platform, username: str, unit: str, group: Group, *, approve: bool) -> int:
    title = f"公开项目{group.name}" if approve else group.marker("title")
    seen = {"signed_in_may_see": approve}
    with on_day(APPLICATION_DAY), acting(platform, "jingan", username) as ctx:
        p = projects.create_project(ctx, programme_id(platform, plugin="gonghexinlu"), unit_id(platform, "jingan", unit),
                                    "micro_venture", title)
        form = application(title, directions=("public_space",))
        form["team"] = f"{group.marker('team' + ('a' if approve else 's'), **seen)} 负责人{CONTACT} {PHONE}"
        projects.save_form(ctx, p.id, "application", form)
        projects.set_budget(ctx, p.id, [{"description": "活动物料" if approve else group.marker("budget"), "amount": "3000"}])
        projects.attach(ctx, p.id, "residents_minutes", f"{group.marker('file' + ('a' if approve else 's'), **seen)}.pdf",
                        io.BytesIO(PDF), platform.storage)
        projects.submit(ctx, p.id)
        pid = p.id
    if approve:
        with acting(platform, "jingan", "ghxl_chair") as ctx:
            review.decide(ctx, pid, "approved", explanation=group.marker("explanation", signed_in_may_see=True))
        with acting(platform, "jingan", username) as ctx:
            people.add_person(ctx, pid, "volunteer", group.marker("person"), id_number=ID_NUMBER, mobile=PHONE,
                              consent=True, address=group.marker("address"))
    else:
        group.private_projects.add(pid)
    return pid


def _ids(platform, tenant: str, project_id: int) -> dict[str, int]:
    with acting(platform, tenant, None) as ctx:
        s = ctx.session
        p = s.get(Project, project_id)
        return {"project_id": p.id, "unit_id": p.applicant_unit_id, "programme_id": p.programme_id,
                "attachment_id": p.attachments[0].id if p.attachments else 0}


def build(platform) -> World:
    groups = {name: Group(name, "jinjiang" if name == "jinjiang" else "jingan")
              for name in ("luochuan", "yanchang", "haiyuan", "jinjiang", "pingan")}
    person(platform, "sec_member", "project_member", "ghxl-luochuan", name="洛川项目组成员（测试）")
    person(platform, "sec_commissioned", "commissioned_org", "gonghexinlu", name="受委托社会组织（测试）")
    money_for(platform, "ghxl-luochuan")
    money_for(platform, "ghxl-yanchang")
    for name, user, unit in (("luochuan", "luochuan", "ghxl-luochuan"), ("yanchang", "yanchang", "ghxl-yanchang")):
        g = groups[name]
        sub = _gonghexinlu_application(platform, user, unit, g, approve=False)
        app = _gonghexinlu_application(platform, user, unit, g, approve=True)
        g.ids = _ids(platform, "jingan", sub)
        g.approved_ids = _ids(platform, "jingan", app)
        with acting(platform, "jingan", None) as ctx:
            g.approved_ids["person_id"] = ctx.session.scalars(
                select(RegistryPerson.id).where(RegistryPerson.project_id == app)).one()

    h = groups["haiyuan"]
    with on_day(APPLICATION_DAY), acting(platform, "jingan", "haiyuan") as ctx:
        p = projects.create_project(ctx, programme_id(platform, "jingan", plugin="haiyuan"),
                                    unit_id(platform, "jingan", "jas-haiyuan"), "livelihood", h.marker("title"))
        projects.save_form(ctx, p.id, "application", {"purpose": h.marker("purpose") + "，为独居老人更换水表",
                                                      "beneficiaries": "独居老人约40户", "plan": h.marker("plan") + "，分三步实施"})
        projects.set_budget(ctx, p.id, [{"description": h.marker("budget"), "amount": "5000"}])
        projects.attach(ctx, p.id, "supporting", f"{h.marker('file')}.pdf", io.BytesIO(PDF), platform.storage)
        projects.submit(ctx, p.id)
        h.private_projects.add(p.id)
    h.ids = _ids(platform, "jingan", p.id)

    j = groups["jinjiang"]
    with on_day(APPLICATION_DAY), acting(platform, "jinjiang", "qinghua") as ctx:
        p = projects.create_project(ctx, programme_id(platform, "jinjiang"), unit_id(platform, "jinjiang", "jj-qingyang-a"),
                                    "mutual_aid", j.marker("title"))
        projects.attach(ctx, p.id, "residents_consultation", f"{j.marker('file')}.pdf", io.BytesIO(PDF), platform.storage)
        j.private_projects.add(p.id)
    j.ids = _ids(platform, "jinjiang", p.id)

    s = groups["pingan"]
    with acting(platform, "jingan", "jas_admin") as ctx:
        sponsor = ctx.session.scalars(select(Sponsor).where(Sponsor.name == "平安养老保险")).one()
        sponsor.contact = f"{s.marker('contact')} {PHONE}"
        s.ids = {"sponsor_id": sponsor.id, "unit_id": sponsor.org_unit_id,
                 "programme_id": ctx.session.scalars(select(Programme.id).where(
                     Programme.org_unit_id == ctx.session.get(OrgUnit, sponsor.org_unit_id).parent_id)).first() or 0}

    # Each scope's login: what a user administration route is asked about.
    for name, username in (("luochuan", "luochuan"), ("yanchang", "yanchang"), ("haiyuan", "haiyuan"),
                           ("jinjiang", "qinghua"), ("pingan", "pingan")):
        g = groups[name]
        with acting(platform, g.tenant, None) as ctx:
            g.ids["user_id"] = ctx.session.scalars(select(User.id).where(User.username == username)).one()

    # What the foreign scopes' approved projects carry once they run (world_records).
    records.yanchang(platform, groups["yanchang"])
    records.haiyuan(platform, groups["haiyuan"])
    records.jinjiang(platform, groups["jinjiang"])
    records.pingan(platform, groups["pingan"])

    # 洛川's approved project: what the public may see of it and what it may not.
    own = groups["luochuan"].approved_ids["project_id"]
    public_markers = {"MKRPUBLICGOALS", "MKRPUBLICINTENT"}
    private_markers = {"MKRPRIVATETEAM", "MKRPRIVATECONTACT"}
    with acting(platform, "jingan", "luochuan") as ctx:
        p = ctx.session.get(Project, own)
        forms = dict(p.forms)
        forms["application"] = {**forms["application"], "goals": f"MKRPUBLICGOALS 有事请拨打{PHONE}",
                                "team": f"MKRPRIVATETEAM {CONTACT} 身份证{ID_NUMBER}"}
        forms["intent"] = {"title": p.title, "directions": ["public_space"], "summary": "MKRPUBLICINTENT 口袋花园设想",
                           "contact_name": f"MKRPRIVATECONTACT{CONTACT}", "contact_phone": PHONE}
        p.forms = forms  # approved: written as the record stands, past the editing the services allow
    for g in groups.values():
        private_markers |= g.markers | g.unpublished
    return World(groups, own, public_markers, private_markers)
