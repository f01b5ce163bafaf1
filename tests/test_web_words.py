"""The pages in words a zh-CN reader reads, through Flask's test client (so the rule runs in the
sqlite profile too): a project is applied for, scored and approved, and then each role's pages
are read as text, with the same rules as the browser walks (tests/words_rules.py): no ISO date,
no English table name, no raw field name or stored value."""
from __future__ import annotations

import io
from html.parser import HTMLParser

import pytest

from core.services import projects, review
from tests.clients import Web, text
from tests.factories import PDF, acting, application, programme_id, unit_id
from tests.words_rules import slips


class _Visible(HTMLParser):
    """What a person sees or hears: text outside scripts, styles and hidden elements, the title,
    and the title, placeholder and aria-label attributes."""

    SKIP = {"script", "style", "template"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__()
        self.out: list[str] = []
        self.hidden_depth = 0
        self.stack: list[bool] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        hidden = tag in self.SKIP or "hidden" in a or (tag == "input" and a.get("type") == "hidden")
        if not self.hidden_depth:
            self.out += [a[k] for k in ("title", "placeholder", "aria-label") if a.get(k)]
        if tag in self.VOID:
            return
        self.stack.append(hidden)
        self.hidden_depth += hidden

    def handle_endtag(self, tag):
        if tag in self.VOID or not self.stack:
            return
        self.hidden_depth -= self.stack.pop()

    def handle_data(self, data):
        if not self.hidden_depth:
            self.out.append(data)


def visible(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "\n".join(parser.out)


@pytest.fixture
def web(client, platform):
    w = Web(client)
    w.platform = platform
    return w


def _ready_project(platform, track: str, title: str, amount: str) -> int:
    directions = ("carrier",) if track == "yiju_yipin" else ("public_space",)
    with acting(platform, "jingan", "luochuan") as ctx:
        p = projects.create_project(ctx, programme_id(platform), unit_id(platform, "jingan", "ghxl-luochuan"), track, title)
        projects.save_form(ctx, p.id, "application", application(title, directions=directions))
        projects.set_budget(ctx, p.id, [{"description": "活动物料", "amount": amount}])
        projects.attach(ctx, p.id, "residents_minutes", "会议记录.pdf", io.BytesIO(PDF), platform.storage)
        return p.id


def _approved(platform) -> int:
    pid = _ready_project(platform, "yiju_yipin", "楼组议事会", "12000")
    with acting(platform, "jingan", "luochuan") as ctx:
        projects.submit(ctx, pid)
    for who in ("ghxl_expert", "ghxl_chair"):
        with acting(platform, "jingan", who) as ctx:
            review.score(ctx, pid, {"feasibility": 8, "operability": 7, "compliance": 9})
    with acting(platform, "jingan", "ghxl_chair") as ctx:
        review.decide(ctx, pid, "approved")
    return pid


def test_each_roles_pages_show_days_and_words_not_iso_dates_or_field_names(web, platform):
    pid = _approved(platform)
    draft = _ready_project(platform, "micro_venture", "口袋花园", "3000")
    street = unit_id(platform, "jingan", "gonghexinlu")
    pages = {
        None: ["/", "/projects", f"/programmes/{programme_id(platform)}", f"/projects/{pid}", "/disclosure"],
        "luochuan": ["/my", f"/projects/{pid}", f"/projects/{draft}", "/inbox", f"/projects/{pid}/plan",
                     f"/projects/{pid}/activities", "/obligations"],
        "ghxl_chair": ["/review", f"/projects/{pid}/review"],
        "ghxl_admin": [f"/overview/street/{street}", "/projects?state=approved", "/admin/audit", "/fund-requests",
                       "/inbox", f"/projects/{pid}/supervision", "/supervision"],
        "jingan_admin": ["/overview/district", "/money?year=2023"],
    }
    found = {}
    for who, paths in pages.items():
        if who:
            web.login(who)
        for path in paths:
            r = web.get(path)
            assert r.status_code == 200, (who, path, r.status_code)
            said = slips(visible(text(r)))
            if said:
                found[(who, path)] = said
        if who:
            web.logout()
    assert not found, "\n".join(f"{who} {path}:\n  " + "\n  ".join(s) for (who, path), s in found.items())


def test_the_visible_text_leaves_out_markup_and_hidden_things():
    html = ('<title>资金申请</title><p title="2023-03-15">x</p><script>var a="amount_fen"</script>'
            '<input type="hidden" value="2023-03-15"><div hidden><p>under_review</p></div><p>评审中</p>')
    seen = visible(html)
    assert "资金申请" in seen and "评审中" in seen and "2023-03-15" in seen  # the title attribute is heard
    assert "amount_fen" not in seen and "under_review" not in seen
