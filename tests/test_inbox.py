"""The inbox's things to do (core.services.inbox), through the services: each role finds what
waits for it, computed from the objects' state and the permission table, and each item leaves
as soon as the work is done; other modules and policies add kinds through the hook, a broken
kind is left out; the statements an inbox costs do not grow with its items. Both profiles."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from core.i18n import T
from core.models import Project
from core.plugin_host.contributions import FundRequestRules
from core.plugin_host.hookspecs import hookimpl
from core.plugin_host.manager import PluginHost, Policy
from core.plugin_host.todo import TodoKind
from core.services import changes, endorsement, fund_requests, inbox, projects, review
from tests.clients import counting
from tests.factories import PDF, acting, application, jinjiang_project, submitted_project
from tests.money_factories import approved_project, leaders, person

SCORES = {"feasibility": 8, "operability": 7, "compliance": 8}


def todos(platform, username: str, tenant: str = "jingan") -> dict[str, list[str]]:
    """{kind: [titles]} of the person's to-dos, all pages read."""
    with acting(platform, tenant, username) as ctx:
        rows, total = inbox.todos_page(ctx, limit=200)
        assert len(rows) == total == inbox.summary(ctx).todos
        out: dict[str, list[str]] = {}
        for t in rows:
            out.setdefault(t.kind.key, []).append(t.title)
        return out


def test_an_application_waits_for_the_panel_and_leaves_each_inbox_when_done(platform):
    pid = submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    assert todos(platform, "ghxl_expert") == {"review.score": ["口袋花园"]}
    assert todos(platform, "ghxl_chair") == {"review.decide": ["口袋花园"], "review.score": ["口袋花园"]}
    assert todos(platform, "ghxl_admin") == {"review.decide": ["口袋花园"]}  # the programme's office decides too
    assert todos(platform, "luochuan") == {} and todos(platform, "jas_admin") == {}  # another street's office
    with acting(platform, "jingan", "ghxl_expert") as ctx:
        review.score(ctx, pid, SCORES)
    assert todos(platform, "ghxl_expert") == {}  # scored: gone from the expert's, still in the chair's
    assert "review.score" in todos(platform, "ghxl_chair")
    with acting(platform, "jingan", "ghxl_chair") as ctx:
        review.decide(ctx, pid, "returned", explanation="预算需要细化到每一项")
    # Decided (returned): gone from everyone who decides, and waiting for the applicant now.
    assert todos(platform, "ghxl_chair") == {} and todos(platform, "ghxl_admin") == {}
    assert todos(platform, "luochuan") == {"project.returned": ["口袋花园"]}
    assert todos(platform, "yanchang") == {}  # another neighbourhood's committee
    with acting(platform, "jingan", "luochuan") as ctx:
        projects.submit(ctx, pid)
    assert todos(platform, "luochuan") == {}
    assert todos(platform, "ghxl_chair") == {"review.decide": ["口袋花园"], "review.score": ["口袋花园"]}
    assert todos(platform, "ghxl_expert") == {}  # their score of the first submission stands


def test_a_towns_endorsement_waits_for_that_town_only_then_the_citys_panel(platform):
    a = jinjiang_project(platform, "qinghua", "jj-qingyang-a")
    b = jinjiang_project(platform, "andong", "jj-anhai-a")
    assert todos(platform, "qingyang_admin", "jinjiang") == {"project.endorse": ["邻里驿站"]}
    assert todos(platform, "anhai_admin", "jinjiang") == {"project.endorse": ["邻里驿站"]}
    assert todos(platform, "jj_chair", "jinjiang") == {}  # not endorsed: not the panel's yet
    with acting(platform, "jinjiang", "qingyang_admin") as ctx:
        endorsement.endorse(ctx, a, "endorsed", stamp_filename="盖章页.pdf", stamp_stream=io.BytesIO(PDF),
                            storage=platform.storage)
    with acting(platform, "jinjiang", "anhai_admin") as ctx:
        endorsement.endorse(ctx, b, "returned", reason="目标不够具体，请补充数量")
    assert todos(platform, "qingyang_admin", "jinjiang") == {} and todos(platform, "anhai_admin", "jinjiang") == {}
    assert todos(platform, "jj_chair", "jinjiang") == {"review.decide": ["邻里驿站"], "review.score": ["邻里驿站"]}
    assert todos(platform, "andong", "jinjiang") == {"project.returned": ["邻里驿站"]}
    assert todos(platform, "qinghua", "jinjiang") == {}
    # 静安区's people see nothing of 晋江's, and the other way round.
    assert todos(platform, "jingan_admin") == {}


@pytest.mark.usefixtures("in_implementation")
def test_fund_requests_wait_for_the_office_the_leader_within_authority_and_the_payment(platform):
    pid = approved_project(platform)
    leaders(platform)
    with acting(platform, "jingan", "luochuan") as ctx:
        rid = fund_requests.file_request(ctx, pid, amount="3000", purpose="购买活动物料").id
    assert todos(platform, "ghxl_admin") == {"fund_request.accept": ["口袋花园 · 2023年4月"]}
    assert todos(platform, "fr_leader") == {}
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        batch = fund_requests.accept(ctx, rid).batch_id
    assert todos(platform, "ghxl_admin") == {}
    # 3,000 yuan: within the 50,000-yuan leader's authority, above the 1,000-yuan one's.
    assert todos(platform, "fr_leader") == {"batch.approve": ["共和新路街道 · 2023年4月"]}
    assert todos(platform, "fr_small_leader") == {}
    with acting(platform, "jingan", "fr_leader") as ctx:
        fund_requests.approve_batch(ctx, batch)
    assert todos(platform, "fr_leader") == {}
    assert todos(platform, "ghxl_admin") == {"fund_request.disburse": ["口袋花园 · 2023年4月"]}
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        fund_requests.disburse(ctx, rid)
    assert todos(platform, "ghxl_admin") == {}


@pytest.mark.usefixtures("in_implementation")
def test_where_the_policy_has_supervision_the_committee_comes_first(platform, monkeypatch):
    monkeypatch.setattr(Policy, "fund_request_rules", lambda self, config: FundRequestRules(
        beneficiaries_required=True, supervision=True, clause=T("须经监督委员会审核", "checked by the supervisors")))
    pid = approved_project(platform)
    person(platform, "fr_supervisor", "supervisor", "ghxl-luochuan")
    person(platform, "fr_other_supervisor", "supervisor", "ghxl-yanchang")
    with acting(platform, "jingan", "luochuan") as ctx:
        rid = fund_requests.file_request(ctx, pid, amount="100", purpose="物料", beneficiaries="独居老人20户").id
    assert todos(platform, "fr_supervisor") == {"fund_request.supervise": ["口袋花园 · 2023年4月"]}
    assert todos(platform, "fr_other_supervisor") == {}
    assert todos(platform, "ghxl_admin") == {}  # not the office's turn yet
    with acting(platform, "jingan", "fr_supervisor") as ctx:
        fund_requests.supervise(ctx, rid, note="同意")
    assert todos(platform, "fr_supervisor") == {}
    assert todos(platform, "ghxl_admin") == {"fund_request.accept": ["口袋花园 · 2023年4月"]}


def test_a_change_request_waits_for_the_programmes_office(platform):
    pid = approved_project(platform)
    with acting(platform, "jingan", "luochuan") as ctx:
        cr = changes.request_change(ctx, pid, "受场地影响，活动延期一个月结束", proposed_forms={"application": application(
            "口袋花园", directions=("public_space",), end="2023-11-30")})
    assert todos(platform, "ghxl_admin") == {"change.decide": ["口袋花园"]}
    assert todos(platform, "jas_admin") == {}
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        changes.decide_change(ctx, cr.id, False, reason="类型变更须重新申报")
    assert todos(platform, "ghxl_admin") == {}


def test_the_statements_of_an_inbox_do_not_grow_with_its_items(platform):
    def cost() -> tuple[int, int]:
        with acting(platform, "jingan", "ghxl_chair") as ctx:
            ctx.session.execute(select(Project.id)).all()  # the session is open before counting
            with counting(platform.db.engine) as statements:
                counted = inbox.summary(ctx)
                rows, total = inbox.todos_page(ctx, counted=counted, limit=50)
            assert len(rows) == total
            return len(statements), total

    submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    few, one = cost()
    for i in range(6):
        submitted_project(platform, "yanchang" if i % 2 else "luochuan", "ghxl-yanchang" if i % 2 else "ghxl-luochuan",
                          "micro_venture", f"微项目{i}")
    many, seven = cost()
    assert (one, seven) == (2, 14)  # to score and to decide, each
    assert few == many <= 4, (few, many)  # programmes, panel seats, the counts, the page


# -- the seam: kinds added by other modules and policies -------------------------------------------


class ExtraKinds:
    """A module of core adding its kinds as a built-in plugin (as reports due will)."""

    @staticmethod
    def drafts(asking):
        from sqlalchemy.orm import aliased
        from core.models import OrgUnit
        from core.permissions import A
        unit = aliased(OrgUnit)
        return (select(Project.id.label("object_id"), Project.id.label("project_id"), Project.title.label("title"),
                       asking.name_of(unit).label("unit_name"), Project.created_at.label("since"))
                .join(unit, unit.id == Project.applicant_unit_id)
                .where(Project.state == "draft", asking.where(A.project_apply, unit_path=unit.path)))

    @hookimpl
    def tongxin_todo_kinds(self):
        return [TodoKind("tests.draft", T("未提交的草稿", "Drafts not submitted"), self.drafts, link="/projects/{object_id}"),
                TodoKind("tests.broken", T("坏的", "Broken"), lambda asking: 1 / 0, link="/"),
                TodoKind("tests.columns", T("列不对", "Wrong columns"), lambda asking: select(Project.id), link="/"),
                TodoKind("review.score", T("重复", "A key given twice"), self.drafts, link="/")]


def test_a_module_adds_its_kinds_and_a_broken_kind_is_left_out(platform, caplog):
    platform.host.builtins.register("tests_extra_kinds", ExtraKinds())
    pid = submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    with acting(platform, "jingan", "luochuan") as ctx:
        projects.create_project(ctx, projects.get_project(ctx, pid).programme_id, projects.get_project(ctx, pid)
                                .applicant_unit_id, "micro_venture", "楼道花箱")
    assert todos(platform, "luochuan") == {"tests.draft": ["楼道花箱"]}
    assert todos(platform, "ghxl_expert") == {"review.score": ["口袋花园"]}  # core's review.score kept, not the copy
    assert "tests.broken" in caplog.text and "tests.columns" in caplog.text


class FailingSqlPolicy:
    """A policy's kind whose query the database refuses: left out, the others still shown."""

    @hookimpl
    def tongxin_todo_kinds(self):
        from sqlalchemy import literal_column
        bad = select(literal_column("no_such_column").label("object_id"), Project.id.label("project_id"),
                     Project.title.label("title"), Project.title.label("unit_name"), Project.created_at.label("since"))
        return [TodoKind("failing.kind", T("坏查询", "A broken query"), lambda asking: bad, link="/")]


def test_a_kind_whose_query_fails_in_the_database_is_left_out(platform):
    platform.host.builtins.register("failing_sql", FailingSqlPolicy())
    submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    assert todos(platform, "ghxl_expert") == {"review.score": ["口袋花园"]}


def test_the_kinds_are_registered_when_a_platform_is_built_not_when_imported():
    host = PluginHost(entry_points=False)
    assert host.builtins.pm.hook.tongxin_todo_kinds() == []  # importing core registered nothing
    from core.platform import register_builtins
    register_builtins(host)
    register_builtins(host)  # again: nothing changes
    keys = [k.key for answer in host.builtins.pm.hook.tongxin_todo_kinds() for k in answer]
    assert len(keys) == len(set(keys)) and {"review.decide", "batch.approve", "project.endorse"} <= set(keys)


def test_someone_without_a_role_has_no_inbox(platform):
    person(platform, "nobody", "reviewer", "gonghexinlu")
    with acting(platform, "jingan", None) as ctx:
        assert not inbox.may_use(ctx)
    with acting(platform, "jingan", "nobody") as ctx:
        assert inbox.may_use(ctx) and inbox.summary(ctx).todos == 0
