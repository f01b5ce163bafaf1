"""Deciding while panel members have not scored: the policy's ``require_all_scores`` refuses
the decision until every member has (naming who is missing, citing the clause); otherwise the
decider is warned and must confirm. One rule in the decision service; the API and the web
both meet it."""
from __future__ import annotations

import pytest

from core.models import Programme, User
from core.services import programmes, review
from core.violations import RuleError
from tests.clients import Web, is_error, login, url
from tests.factories import acting, programme_id, submitted_project, tenant_id

POINTS = {"feasibility": 8, "operability": 7, "compliance": 9}


def _require_all_scores(platform, required: bool) -> None:
    """Freeze the setting into the 2023 programme, as a street that chose it would have."""
    with platform.db.session(tenant_id=tenant_id(platform, "jingan")) as s:
        prog = s.get(Programme, programme_id(platform, plugin="gonghexinlu"))
        prog.config = {**prog.config, "require_all_scores": required}
        s.commit()


def _panel(platform) -> list[str]:
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        return [m.user.display_name for m in programmes.panel(ctx, programme_id(platform, plugin="gonghexinlu"))]


def _scored_by_expert_only(platform, title: str = "楼组议事会") -> int:
    pid = submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", title)
    with acting(platform, "jingan", "ghxl_expert") as ctx:
        review.score(ctx, pid, POINTS)
    return pid


def _chair_name(platform) -> str:
    with acting(platform, "jingan", "ghxl_chair") as ctx:
        return ctx.session.get(User, ctx.actor.id).display_name


def test_the_panel_has_two_members_and_one_has_scored(platform):
    # The walks and tests below rely on a panel of the expert and the chair.
    assert len(_panel(platform)) == 2
    pid = _scored_by_expert_only(platform)
    with acting(platform, "jingan", "ghxl_chair") as ctx:
        missing = review.missing_scorers(ctx, ctx.session.get(review.Project, pid))
    assert [u.display_name for u in missing] == [_chair_name(platform)]


def test_with_every_score_required_the_decision_waits_naming_who_and_the_clause(platform):
    _require_all_scores(platform, True)
    pid = _scored_by_expert_only(platform)
    for confirmed in (None, True):  # a confirmation does not lift the policy's rule
        with pytest.raises(RuleError) as info, acting(platform, "jingan", "ghxl_chair") as ctx:
            review.decide(ctx, pid, "approved", confirm_missing_scores=confirmed)
        [v] = [v for v in info.value.violations if v.code == "scores_missing"]
        assert _chair_name(platform) in v.message.zh and "全体成员评分后" in v.message.zh
        assert v.clause is not None and "本插件设置" in v.clause.zh
    with acting(platform, "jingan", "ghxl_chair") as ctx:
        review.score(ctx, pid, POINTS)
        assert review.decide(ctx, pid, "approved").outcome == "approved"  # everyone has scored now


def test_without_the_rule_the_decider_confirms(platform):
    _require_all_scores(platform, False)
    pid = _scored_by_expert_only(platform)
    with pytest.raises(RuleError) as info, acting(platform, "jingan", "ghxl_chair") as ctx:
        review.decide(ctx, pid, "approved", confirm_missing_scores=False)
    [v] = info.value.violations
    assert (v.code, v.field) == ("scores_missing_unconfirmed", "confirm_missing_scores")
    assert _chair_name(platform) in v.message.zh
    with acting(platform, "jingan", "ghxl_chair") as ctx:
        assert review.decide(ctx, pid, "approved", confirm_missing_scores=True).outcome == "approved"


def test_the_default_asks_nothing_of_a_caller_that_does_not_confirm(platform):
    # 共和新路's plan sets no such rule: by default the decision is made (the API's older clients).
    pid = _scored_by_expert_only(platform)
    with acting(platform, "jingan", "ghxl_chair") as ctx:
        assert review.decide(ctx, pid, "returned", explanation="请补充预算明细。").outcome == "returned"


def test_the_api_refuses_with_the_listed_codes(client, platform):
    _require_all_scores(platform, True)
    pid = _scored_by_expert_only(platform)
    chair = login(client, "ghxl_chair")
    decision = url(f"/projects/{pid}/decision")
    body = is_error(client.post(decision, headers=chair, json={"outcome": "approved"}), 422, "scores_missing")
    assert any(e.get("clause") for e in body["errors"]), body
    _require_all_scores(platform, False)
    is_error(client.post(decision, headers=chair, json={"outcome": "approved", "confirm_missing_scores": False}),
             422, "scores_missing_unconfirmed")
    r = client.post(decision, headers=chair, json={"outcome": "approved", "confirm_missing_scores": True})
    assert r.status_code == 201, r.get_json()


def test_the_web_warns_names_the_missing_and_needs_the_box(app, platform):
    pid = _scored_by_expert_only(platform)
    chair = Web(app.test_client())
    chair.login("ghxl_chair")
    page = chair.get(f"/projects/{pid}/review").get_data(as_text=True)
    assert "尚未评分" in page and _chair_name(platform) in page.split('id="missing-scores"')[1].split("</div>")[0]
    assert 'name="confirm_missing_scores"' in page
    r = chair.post(f"/projects/{pid}/decide", {"outcome": "approved", "missing_scores_warned": "1"})
    assert r.status_code == 422
    assert "请勾选" in r.get_data(as_text=True)
    r = chair.post(f"/projects/{pid}/decide", {"outcome": "approved", "missing_scores_warned": "1",
                                               "confirm_missing_scores": "1"})
    assert r.status_code == 302


def test_the_web_refuses_where_every_score_is_required(app, platform):
    _require_all_scores(platform, True)
    pid = _scored_by_expert_only(platform)
    chair = Web(app.test_client())
    chair.login("ghxl_chair")
    page = chair.get(f"/projects/{pid}/review").get_data(as_text=True)
    assert "全体成员评分后方可" in page  # said before trying, with the clause
    r = chair.post(f"/projects/{pid}/decide", {"outcome": "approved", "missing_scores_warned": "1",
                                               "confirm_missing_scores": "1"})
    assert r.status_code == 422
    text = r.get_data(as_text=True)
    assert "全体成员评分后方可作出评审决定" in text and "本插件设置" in text


# -- the desk and the queue -------------------------------------------------------------------------

def test_the_desk_shows_the_application_its_files_and_the_scores_beside_the_forms(app, platform):
    pid = _scored_by_expert_only(platform, "口袋花园")
    expert = Web(app.test_client())
    expert.login("ghxl_expert")
    page = expert.get(f"/projects/{pid}/review").get_data(as_text=True)
    read, work = page.split('id="work"')
    assert "申报材料" in read and "小区停车难" in read and "活动物料" in read  # the form and the budget
    link = f"/projects/{pid}/attachments/"
    assert "会议记录.pdf" in read and link in read
    href = read.split(link)[1].split('"')[0]
    assert expert.get(f"{link}{href}").status_code == 200  # downloads, through the project's own checks
    assert 'id="scores"' in read and "24" in read  # the panel's scores so far (8 + 7 + 9)
    assert "保存评分" in work and "评审标准" in work
    assert "css/review.css" in page
    outsider = Web(app.test_client())
    outsider.login("yanchang")  # another neighbourhood: neither the page nor the file
    assert outsider.get(f"/projects/{pid}/review").status_code in (403, 404)
    assert outsider.get(f"{link}{href}").status_code in (403, 404)


def _queue_rows(page: str) -> list[str]:
    body = page.split('id="waiting"')[1].split("</tbody>")[0]
    return [row.split("</a>")[0].rsplit(">", 1)[1] for row in body.split("<tr data-project=")[1:]]


def test_the_queue_shows_each_reviewers_total_and_sorts_by_average(app, platform):
    low = _scored_by_expert_only(platform, "低分项目")  # 24
    high = submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "高分项目")
    with acting(platform, "jingan", "ghxl_expert") as ctx:
        review.score(ctx, high, {"feasibility": 10, "operability": 9, "compliance": 9})  # 28
    with acting(platform, "jingan", "ghxl_chair") as ctx:
        review.score(ctx, high, {"feasibility": 9, "operability": 9, "compliance": 9})  # 27 → 27.5
    unscored = submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "未评项目")
    chair = Web(app.test_client())
    chair.login("ghxl_chair")
    page = chair.get("/review").get_data(as_text=True)
    assert _queue_rows(page) == ["低分项目", "高分项目", "未评项目"]  # as submitted
    row = page.split(f'"{high}"')[1].split("</tr>")[0]
    assert "28" in row and "27" in row and "27.5" in row
    assert "未评" in page.split(f'"{low}"')[1].split("</tr>")[0]  # the chair has not scored it
    page = chair.get("/review?sort=average").get_data(as_text=True)
    assert _queue_rows(page) == ["高分项目", "低分项目", "未评项目"]
    ranks = [page.split(f'"{p}"')[1].split('class="rank">')[1].split("<")[0] for p in (high, low)]
    assert ranks == ["1", "2"] and 'class="rank"' not in page.split(f'"{unscored}"')[1].split("</tr>")[0]
    assert 'aria-sort="descending"' in page
    assert chair.get("/review?sort=nonsense").status_code == 200  # an unknown order is the default one
    assert 'id="caps"' not in page  # 共和新路's plan caps no number of projects



def test_the_queue_shows_the_policys_cap_and_how_many_are_selected(app, platform):
    from core.services import endorsement
    from tests.factories import jinjiang_project
    pid = jinjiang_project(platform, "qinghua", "jj-qingyang-a")
    with acting(platform, "jinjiang", "qingyang_admin") as ctx:
        endorsement.endorse(ctx, pid, "endorsed")
    chair = Web(app.test_client(), tenant="jinjiang")
    chair.login("jj_chair")
    page = chair.get("/review?sort=average").get_data(as_text=True)
    caps = page.split('id="caps"')[1].split("</ul>")[0]
    assert "试点上限" in caps and ">12<" in caps and "已确定" in caps and ">0<" in caps and "选取12个" in caps


def test_the_applicant_does_not_get_the_desk_of_its_own_application(app, platform):
    pid = _scored_by_expert_only(platform, "口袋花园")
    applicant = Web(app.test_client())
    applicant.login("luochuan")
    assert applicant.get(f"/projects/{pid}/review").status_code == 403  # review.read: the panel's and the deciders'
