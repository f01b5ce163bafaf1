"""Handing a role over to a successor (core.services.handover): the successor holds the role at
the same unit with its to-dos, panel seats and authority, the predecessor's ends, all audited
and recorded; every bad handover is refused with its reason and changes nothing. Through the
services, the API and the web page. Both profiles."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.models import AuditEntry, Membership, Notification, OrgUnit, PanelMember, Project, RoleHandover, User
from core.services import handover, inbox, review
from core.violations import Forbidden, NotFound, RuleError
from tests.clients import Web, is_error, login, text, url
from tests.factories import acting, submitted_project
from tests.money_factories import YUAN, person


def _membership(platform, username: str, unit_code: str) -> int:
    with acting(platform, "jingan", None) as ctx:
        return ctx.session.scalars(select(Membership.id).join(User, User.id == Membership.user_id)
                                   .join(OrgUnit, OrgUnit.id == Membership.org_unit_id)
                                   .where(User.username == username, OrgUnit.code == unit_code)).one()


def _user(platform, username: str) -> int:
    with acting(platform, "jingan", None) as ctx:
        return ctx.session.scalars(select(User.id).where(User.username == username)).one()


def _todo_count(platform, username: str) -> int:
    with acting(platform, "jingan", username) as ctx:
        return inbox.summary(ctx).todos if inbox.may_use(ctx) else -1


def _state(platform) -> tuple:
    """Everything a refused handover must leave as it was."""
    with acting(platform, "jingan", None) as ctx:
        s = ctx.session
        return (sorted(s.execute(select(Membership.user_id, Membership.org_unit_id, Membership.role)).all()),
                sorted(s.execute(select(PanelMember.programme_id, PanelMember.user_id, PanelMember.chair)).all()),
                s.scalar(select(func.count()).select_from(RoleHandover)),
                s.scalar(select(func.count()).select_from(Notification)))


def test_a_panel_chair_hands_over_with_the_to_dos_and_the_seat(platform):
    # From another street's neighbourhood: luochuan's own staff could not decide luochuan's application.
    person(platform, "new_chair", "neighbourhood_staff", "jas-haiyuan", name="新任组长（测试）")
    submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    assert _todo_count(platform, "ghxl_chair") == 2  # to score and to decide
    membership = _membership(platform, "ghxl_chair", "gonghexinlu")
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        assert handover.role_todos(ctx, handover.get_membership(ctx, membership)).todos == 2
        record = handover.hand_over(ctx, membership, _user(platform, "new_chair"), "原组长调任其他街道")
        assert (record.open_todos, record.panel_seats, record.role) == (2, 1, "reviewer")
    # The role, its seat (as chair) and its to-dos are the successor's; the predecessor has none.
    assert _todo_count(platform, "new_chair") == 2
    assert _todo_count(platform, "ghxl_chair") == -1  # no role left: no inbox
    with acting(platform, "jingan", "new_chair") as ctx:
        seat = ctx.session.scalars(select(PanelMember).where(PanelMember.user_id == ctx.actor.id)).one()
        assert seat.chair
        assert review.may_decide(ctx, ctx.session.scalars(select(Project)).one())
        [note] = ctx.session.scalars(select(Notification).where(Notification.user_id == ctx.actor.id)).all()
        assert note.kind == "role_handover" and note.link == "/inbox"
        assert "评审小组组长（演示）" in note.body and "待办2项" in note.body and "评审小组席位1个" in note.body
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        actions = set(ctx.session.scalars(select(AuditEntry.action).where(AuditEntry.action == "role.hand_over")))
        entities = set(ctx.session.scalars(select(AuditEntry.entity).where(AuditEntry.action == "role.hand_over")))
        assert actions == {"role.hand_over"} and {"memberships", "panel_members", "role_handovers"} <= entities


def test_a_leaders_authority_goes_with_the_role(platform):
    person(platform, "old_leader", "street_leader", "gonghexinlu", authority_yuan=30_000)
    person(platform, "new_leader", "neighbourhood_staff", "ghxl-yanchang")
    with acting(platform, "jingan", "jingan_admin") as ctx:  # the district administers the street too
        record = handover.hand_over(ctx, _membership(platform, "old_leader", "gonghexinlu"),
                                    _user(platform, "new_leader"), "换届")
        assert record.authority_limit_fen == 30_000 * YUAN
    with acting(platform, "jingan", None) as ctx:
        roles = {(m.role, m.authority_limit_fen) for m in ctx.session.scalars(
            select(Membership).join(User, User.id == Membership.user_id).where(User.username == "new_leader"))}
        assert roles == {("neighbourhood_staff", None), ("street_leader", 30_000 * YUAN)}


@pytest.mark.parametrize("actor,holder,unit,successor,reason,error,code", [
    ("luochuan", "yanchang", "ghxl-yanchang", "ghxl_expert", "调动", Forbidden, "forbidden"),  # not an office
    ("jas_admin", "luochuan", "ghxl-luochuan", "haiyuan", "调动", Forbidden, "forbidden"),  # another street's
    ("ghxl_admin", "luochuan", "ghxl-luochuan", "luochuan", "调动", RuleError, "same_person"),
    ("ghxl_admin", "luochuan", "ghxl-luochuan", "ghxl_expert", "", RuleError, "reason_required"),
    ("ghxl_admin", "ghxl_chair", "gonghexinlu", "ghxl_expert", "调动", RuleError, "already_holds_role"),
])
def test_a_bad_handover_is_refused_and_changes_nothing(platform, actor, holder, unit, successor, reason, error, code):
    before = _state(platform)
    with pytest.raises(error) as info, acting(platform, "jingan", actor) as ctx:
        handover.hand_over(ctx, _membership(platform, holder, unit), _user(platform, successor), reason)
    assert code in {v.code for v in info.value.violations}
    assert all(v.message.zh and v.message.en for v in info.value.violations)
    assert _state(platform) == before


def test_an_unknown_role_or_successor_is_named(platform):
    with pytest.raises(NotFound), acting(platform, "jingan", "ghxl_admin") as ctx:
        handover.hand_over(ctx, 999_999, _user(platform, "ghxl_expert"), "调动")
    with pytest.raises(RuleError) as info, acting(platform, "jingan", "ghxl_admin") as ctx:
        handover.hand_over(ctx, _membership(platform, "luochuan", "ghxl-luochuan"), 999_999, "调动")
    assert [v.field for v in info.value.violations] == ["successor_id"]


# -- the API ---------------------------------------------------------------------------------------


def test_the_api_lists_the_roles_hands_one_over_and_lists_the_record(client, platform):
    person(platform, "new_staff", "reviewer", "gonghexinlu", name="新同事（测试）")
    admin = login(client, "ghxl_admin")
    roles = client.get(url("/handovers/roles?page_size=100"), headers=admin).get_json()
    mine = next(r for r in roles["items"] if r["holder"]["display_name"] == "洛川居委会（演示）")
    assert mine["role_label"] == "居委会工作人员" and mine["unit"]["name"] == "洛川居民区"
    assert mine["actions"] == [{"action": "hand_over", "allowed": True, "reason": None, "shown": True,
                                "permission": "role.hand_over"}]
    assert all(r["unit"]["code"] != "jingansi" for r in roles["items"])  # not another street's
    r = client.post(url("/handovers"), headers=admin, json={"membership_id": mine["id"],
                                                            "successor_id": _user(platform, "new_staff"), "reason": "原工作人员退休"})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["predecessor"]["display_name"] == "洛川居委会（演示）" and body["successor"]["display_name"] == "新同事（测试）"
    assert body["reason"] == "原工作人员退休" and body["handed_over_by"]["display_name"].startswith("共和新路")
    listed = client.get(url("/handovers"), headers=admin).get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == body["id"]
    # Again: the predecessor no longer holds it.
    again = client.post(url("/handovers"), headers=admin, json={"membership_id": mine["id"],
                                                                "successor_id": _user(platform, "new_staff"), "reason": "重复"})
    is_error(again, 404, "not_found")
    bad = client.post(url("/handovers?lang=en"), headers=admin, json={"membership_id": 1, "successor_id": 1, "reason": "x"})
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "reason"
    is_error(client.post(url("/handovers"), headers=login(client, "luochuan"),
                         json={"membership_id": 1, "successor_id": 2, "reason": "调动调动"}), 403, "forbidden")


# -- the web page ----------------------------------------------------------------------------------


def test_the_handover_page_shows_the_roles_to_dos_and_hands_over(app, platform):
    person(platform, "new_expert", "neighbourhood_staff", "ghxl-luochuan", name="新专家（测试）")
    submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    web = Web(app.test_client())
    web.login("ghxl_admin")
    membership = _membership(platform, "ghxl_expert", "gonghexinlu")
    page = text(web.get(f"/handovers?membership_id={membership}"))
    assert "人员交接" in page and 'id="handover-preview"' in page and "待我评分的申报 1" in page
    refused = web.post("/handovers", {"membership_id": membership, "successor_id": _user(platform, "new_expert"), "reason": ""})
    assert refused.status_code == 422 and "交接原因：必填项，不能为空" in text(refused)
    done = web.post("/handovers", {"membership_id": membership, "successor_id": _user(platform, "new_expert"),
                                   "reason": "专家库调整"}, follow_redirects=True)
    assert done.status_code == 200 and "已交接给新专家（测试），随角色转去待办1项" in text(done)
    assert "专家库调整" in text(done)
    assert "Handovers made" in text(web.get("/handovers?lang=en"))
    neighbour = Web(app.test_client())
    neighbour.login("luochuan")
    assert neighbour.get("/handovers").status_code == 403
