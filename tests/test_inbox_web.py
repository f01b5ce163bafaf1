"""The inbox in the web UI (core.web.inbox): the count in every page's header, the inbox page
with its to-dos (each linking to where it is done, gone once done) and messages (opened and
marked read), English with ?lang=en, and a page whose statements do not grow with its items.
Both profiles."""
from __future__ import annotations

import re

from tests.clients import Web, counting, text
from tests.factories import acting, submitted_project
from core.services import review


def _header_count(page: str) -> tuple[int, int]:
    todo = re.search(r'id="inbox-count"[^>]*>(\d+)<', page)
    unread = re.search(r'id="inbox-unread"[^>]*>[^<\d]*(\d+)<', page)
    assert todo, "no inbox count in the header"
    return int(todo.group(1)), int(unread.group(1)) if unread else 0


def test_every_page_shows_the_count_and_the_inbox_lists_what_to_do(app, platform):
    pid = submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    web = Web(app.test_client())
    web.login("ghxl_expert")
    for path in ("/", "/projects", f"/projects/{pid}", "/review", "/inbox"):
        assert _header_count(text(web.get(path))) == (1, 1), path
    page = text(web.get("/inbox"))
    assert "待我评分的申报 1" in page and "口袋花园" in page and "洛川居民区" in page
    assert f'href="/t/jingan/projects/{pid}/review"' in page  # where the work is done
    # What a screen reader says: the visible words and counts, with hidden hints between them.
    assert '<span class="sr-only">项待办</span>' in page and 'aria-label="收件箱' not in page
    # Done: the to-do leaves the inbox and the header.
    with acting(platform, "jingan", "ghxl_expert") as ctx:
        review.score(ctx, pid, {"feasibility": 8, "operability": 7, "compliance": 8})
    page = text(web.get("/inbox"))
    assert _header_count(page) == (0, 1) and "没有待办事项" in page
    # Nobody signed in: no inbox in the header, and the page asks for a login.
    anonymous = Web(app.test_client())
    assert 'id="inbox-count"' not in text(anonymous.get("/"))
    assert anonymous.get("/inbox").status_code == 302


def test_a_message_is_opened_marked_read_and_all_can_be_marked_read(app, platform):
    pids = [submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", t) for t in ("口袋花园", "楼道花箱")]
    web = Web(app.test_client())
    web.login("ghxl_chair")
    page = text(web.get("/inbox"))
    assert page.count('class="unread"') == 2 and "新的项目申报待评审：楼道花箱" in page
    note = int(re.search(r'data-notification="(\d+)"', page).group(1))  # the newest first: 楼道花箱
    opened = web.post(f"/inbox/notifications/{note}/read", {"open": "1"})
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/t/jingan/projects/{pids[1]}")
    assert _header_count(text(web.get("/inbox"))) == (4, 1)
    done = web.post("/inbox/notifications/read", follow_redirects=True)
    assert "已将1条消息标为已读" in text(done) and _header_count(text(done)) == (4, 0)
    assert 'class="unread"' not in text(done)
    assert "Messages" in text(web.get("/inbox?lang=en")) and "Applications waiting for my decision" in text(web.get("/inbox"))


def test_another_persons_message_cannot_be_marked(app, platform):
    submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    chair = Web(app.test_client())
    chair.login("ghxl_chair")
    note = int(re.search(r'data-notification="(\d+)"', text(chair.get("/inbox"))).group(1))
    expert = Web(app.test_client())
    expert.login("ghxl_expert")
    assert expert.post(f"/inbox/notifications/{note}/read").status_code == 404
    assert 'class="unread"' in text(chair.get("/inbox"))


def test_the_inbox_page_costs_the_same_statements_for_few_and_many_items(app, platform):
    web = Web(app.test_client())
    web.login("ghxl_chair")
    engine = app.extensions["tongxin"].db.engine

    def cost() -> int:
        web.get("/inbox")
        with counting(engine) as statements:
            r = web.get("/inbox")
        assert r.status_code == 200
        return len(statements), _header_count(text(r))

    submitted_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    few, counts_few = cost()
    for i in range(12):
        submitted_project(platform, "yanchang", "ghxl-yanchang", "micro_venture", f"微项目{i:02d}")
    many, counts_many = cost()
    assert (counts_few, counts_many) == ((2, 1), (26, 13))
    # the tenant, the person and their roles (PostgreSQL: and the tenant's setting), the programmes,
    # the panel seats, the counts (the header's too), a page of to-dos, a page of messages and their number
    assert few == many <= 12, (few, many)
