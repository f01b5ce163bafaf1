"""One truth per amount (issue 10, item 5): what a decision approves, what the funds commit and
what the project page, the API and the disclosure show are the same figures, each source named.

A 晋江 pilot of 130,000 yuan, recommended to 泉州's programme: the city's matching subsidy pays
50,000 (the tier's amount, committed at selection); the town and a charity had claimed it for
20,000 and 10,000 (the charity's first 4,000 arrived); the remaining 50,000 is the town's share
and other sources (镇街配套及社会资金), named rather than left as a silent difference. The
shares add up to the approved amount; each fund's lines add up to what the ledger committed.
Both profiles."""
from __future__ import annotations

import re

from core import migrate
from core.models import Decision
from core.services import approval_sources, endorsement, funding, pledges, projects, review
from tests.clients import Web, login, text
from tests.factories import JINJIANG_SELECTION_DAY, acting, gonghexinlu_project, jinjiang_project, on_day

J = "jinjiang"
YUAN = 100
API = f"/api/v1/t/{J}"


def pilot(platform, budget: str = "130000") -> int:
    """青华社区's application for ``budget`` yuan, stamped by 青阳街道."""
    pid = jinjiang_project(platform, "qinghua", "jj-qingyang-a", submit=False)
    with acting(platform, J, "qinghua") as ctx:
        projects.set_budget(ctx, pid, [{"description": "场地改造", "amount": budget}])
        projects.submit(ctx, pid)
    with acting(platform, J, "qingyang_admin") as ctx:
        endorsement.endorse(ctx, pid, "endorsed")
    return pid


def claim(platform, pid: int, sponsor: str, amount: str, key: str, received: str | None = None) -> int:
    """青阳街道 records a claim of the pilot (and money received for it, if any)."""
    with acting(platform, J, "qingyang_admin") as ctx:
        project = projects.get_project(ctx, pid)
        fund = pledges.open_fund(ctx, project.programme_id, project.applicant_unit_id)
        sponsor_id = next(s.id for s in pledges.eligible_sponsors(ctx, project.applicant_unit) if s.name == sponsor)
        row = pledges.pledge(ctx, sponsor_id, fund.id, amount, project_id=pid, occasion="镇（街道）配套", key=key)
        if received:
            pledges.receive(ctx, row.id, received, f"{key}-received", memo="到账")
        return row.id


def select_pilot(platform, pid: int, tier: str) -> Decision:
    with on_day(JINJIANG_SELECTION_DAY), acting(platform, J, "jj_chair") as ctx:
        return review.decide(ctx, pid, "approved", details={"selection": {"tier": tier}})


def standing(platform, pid: int) -> list[tuple[str, str, int, int, int]]:
    """The approval's sources: (source, label, share, committed by the decision, committed now)."""
    with acting(platform, J, "jj_admin") as ctx:
        decision = review.decisions(ctx, pid)[-1]
        return [(s.line.source, s.line.label.zh, s.line.amount_fen, s.line.committed_fen, s.committed_fen)
                for s in approval_sources.sources(ctx, decision)]


def ledger_committed(platform, pid: int) -> dict[str, int]:
    """What each fund has committed to the project, by the fund's name (the funds view's figures)."""
    with acting(platform, J, "jj_admin") as ctx:
        project = projects.get_project(ctx, pid)
        return {f.name: b.committed for f, b in funding.approved_funding(ctx, project)}


def test_a_quanzhou_pilots_decision_funds_page_api_and_disclosure_read_the_same_figures(app, client, platform):
    pid = pilot(platform)
    town = claim(platform, pid, "青阳街道办事处", "20000", "town")
    charity = claim(platform, pid, "晋江市慈善总会青阳分会", "10000", "charity", received="4000")

    # Before deciding, the chair sees the same sources the decision will record.
    with on_day(JINJIANG_SELECTION_DAY), acting(platform, J, "jj_chair") as ctx:
        planned = [(p.source, p.label.zh, p.amount_fen, p.line.committed_fen)
                   for p in funding.plan(ctx, projects.get_project(ctx, pid), 130_000 * YUAN,
                                         {"selection": {"tier": "quanzhou"}})]
    decision = select_pilot(platform, pid, "quanzhou")
    expected = [("fund", "泉州级试点配套补助", 50_000 * YUAN, 50_000 * YUAN, 50_000 * YUAN),
                ("claim", "青阳街道办事处认领", 20_000 * YUAN, 0, 0),
                ("claim", "晋江市慈善总会青阳分会认领", 10_000 * YUAN, 4_000 * YUAN, 4_000 * YUAN),
                ("other", "镇街配套及社会资金", 50_000 * YUAN, 0, 0)]
    assert standing(platform, pid) == expected
    assert planned == [line[:4] for line in expected]
    assert decision.approved_fen == 130_000 * YUAN == sum(line[2] for line in expected)
    # The funds commit what the decision says: the city's subsidy 50,000, the co-funding 4,000.
    assert ledger_committed(platform, pid) == {"泉州级试点配套补助": 50_000 * YUAN, "镇街配套及社会资金": 4_000 * YUAN}

    # The API: the decision's funding beside approved_amount, and the funds view, agree.
    headers = login(client, "qinghua", J)
    [d] = client.get(f"{API}/projects/{pid}", headers=headers).get_json()["decisions"]
    assert d["approved_amount"] == "130000.00"
    assert [(f["source"], f["label"], f["amount"], f["committed_on_decision"], f["committed"]) for f in d["funding"]] == [
        ("fund", "泉州级试点配套补助", "50000.00", "50000.00", "50000.00"),
        ("claim", "青阳街道办事处认领", "20000.00", "0.00", "0.00"),
        ("claim", "晋江市慈善总会青阳分会认领", "10000.00", "4000.00", "4000.00"),
        ("other", "镇街配套及社会资金", "50000.00", "0.00", "0.00")]
    subsidy, co_funding = d["funding"][0]["fund"], d["funding"][3]["fund"]
    assert (subsidy["kind"], subsidy["tier"], subsidy["org_unit"]["name"]) == ("subsidy", "泉州级", "晋江市")
    assert (co_funding["kind"], co_funding["org_unit"]["name"]) == ("sponsor_fund", "青华社区")
    assert d["funding"][1]["pledge_id"] == town and d["funding"][2]["pledge_id"] == charity
    english = client.get(f"{API}/projects/{pid}?lang=en", headers=headers).get_json()["decisions"][0]["funding"]
    assert [f["label"] for f in english] == ["Quanzhou-level matching subsidy", "claimed by 青阳街道办事处",
                                            "claimed by 晋江市慈善总会青阳分会", "Town contribution and other sources"]
    admin = login(client, "jj_admin", J)
    funds_view = client.get(f"{API}/funds/projects/{pid}", headers=admin).get_json()["items"]
    assert {(i["fund"]["id"], i["committed"]) for i in funds_view} == {
        (subsidy["id"], "50000.00"), (co_funding["id"], "4000.00")}

    # The project page shows the same lines (to the public as to the community), and the
    # public disclosure too.
    community = Web(app.test_client(), tenant=J)
    community.login("qinghua")
    page = text(community.get(f"/projects/{pid}"))
    assert _rows(page, "funding-sources") == _rows(text(Web(app.test_client(), tenant=J).get(f"/projects/{pid}")),
                                                   "funding-sources")
    rows = _rows(page, "funding-sources")
    assert rows == _rows(text(Web(app.test_client(), tenant=J).get(f"/disclosure/projects/{pid}")),
                         f"approval-sources-{pid}")
    assert [r[0] for r in rows] == ["泉州级试点配套补助", "青阳街道办事处认领", "晋江市慈善总会青阳分会认领", "镇街配套及社会资金"]
    assert [(r[3], r[4]) for r in rows] == [("50,000.00", "50,000.00"), ("20,000.00", "0.00"), ("10,000.00", "4,000.00"),
                                            ("50,000.00", "0.00")]
    assert "泉州级试点配套补助·泉州级" in rows[0][1] and rows[0][2] == "晋江市"
    total = page[page.index('id="funding-sources"'):]
    assert re.search(r"合计（核定金额）.*?130,000\.00.*?54,000\.00", total[:total.index("</tfoot>")], re.S)
    notice = page[page.index('id="approved-notice"'):][:800]
    assert "泉州级试点配套补助 50,000.00元 + 青阳街道办事处认领 20,000.00元" in notice

    # The town's money arrives: its claim's share is committed, and the page follows the ledger.
    with acting(platform, J, "qingyang_admin") as ctx:
        got = pledges.receive(ctx, town, "20000", "town-received", memo="镇街配套资金到位")
    assert got.commitment.amount_fen == 20_000 * YUAN
    # A later claim (after the selection) is money for the town's share and other sources.
    claim(platform, pid, "青阳街道办事处", "6000", "town-more", received="6000")
    assert [line[4] for line in standing(platform, pid)] == [50_000 * YUAN, 20_000 * YUAN, 4_000 * YUAN, 6_000 * YUAN]
    assert ledger_committed(platform, pid) == {"泉州级试点配套补助": 50_000 * YUAN, "镇街配套及社会资金": 30_000 * YUAN}
    rows = _rows(text(Web(app.test_client(), tenant=J).get(f"/projects/{pid}")), "funding-sources")
    assert [r[4] for r in rows] == ["50,000.00", "20,000.00", "4,000.00", "6,000.00"]
    assert "待落实 44,000.00" in rows[3][5] and "已全部承诺" in rows[1][5]


def test_a_city_level_pilot_within_its_subsidy_is_paid_by_the_city_alone(platform):
    pid = pilot(platform, "80000")
    select_pilot(platform, pid, "city")
    assert standing(platform, pid) == [("fund", "晋江市级试点补助", 80_000 * YUAN, 80_000 * YUAN, 80_000 * YUAN)]
    assert ledger_committed(platform, pid) == {"晋江市级试点补助": 80_000 * YUAN}


def test_a_signature_project_over_its_line_names_the_line_and_the_pools_excess(platform):
    pid, _ = gonghexinlu_project(platform, "luochuan", "ghxl-luochuan", "yiju_yipin", "楼组议事会", "45000")
    with acting(platform, "jingan", "ghxl_chair") as ctx:
        decision = review.decide(ctx, pid, "approved", approvals=["signature_over_line"])
        lines = [(ln.source, ln.label.zh, ln.amount_fen, ln.committed_fen) for ln in approval_sources.recorded(decision)]
        committed = {f.name: b.committed for f, b in funding.approved_funding(ctx, projects.get_project(ctx, pid))}
    assert lines == [("fund", "居民自治经费（一居一品）", 30_000 * YUAN, 30_000 * YUAN),
                     ("fund", "自治项目资金池（超出居民自治经费部分，经评审小组批准）", 15_000 * YUAN, 15_000 * YUAN)]
    assert committed == {"居民自治经费": 30_000 * YUAN, "自治项目资金池": 15_000 * YUAN}
    assert decision.approved_fen == sum(line[2] for line in lines)


def test_a_rejection_or_a_return_records_no_sources(platform):
    pid = pilot(platform)
    with on_day(JINJIANG_SELECTION_DAY), acting(platform, J, "jj_chair") as ctx:
        returned = review.decide(ctx, pid, "returned", explanation="请补充居民参与方式")
    assert returned.funding == []


def test_the_migration_backfills_older_decisions_from_their_commitments(platform, settings):
    """A decision written before decisions recorded their sources gets them from the ledger:
    the commitments it made, and the rest as "其他来源" (the policy is not for a migration to ask)."""
    pid = pilot(platform)
    select_pilot(platform, pid, "quanzhou")
    platform.db.dispose()
    migrate.downgrade(settings, "0005_audit_units")
    migrate.upgrade(settings)
    with acting(platform, J, "jj_admin") as ctx:
        [decision] = review.decisions(ctx, pid)
        lines = [(ln.source, ln.label.zh, ln.fund_id is not None, ln.amount_fen, ln.committed_fen)
                 for ln in approval_sources.recorded(decision)]
    assert lines == [("fund", "泉州级试点配套补助·泉州级", True, 50_000 * YUAN, 50_000 * YUAN),
                     ("other", "其他来源", False, 80_000 * YUAN, 0)]


def _rows(html: str, table_id: str) -> list[list[str]]:
    """The cells' text of each body row of the table with this id."""
    part = html[html.index(f'id="{table_id}"'):]
    body = part[part.index("<tbody>"):part.index("</tbody>")]
    return [[re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]

