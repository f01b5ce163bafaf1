"""Empty lists say why they are empty and what to do next (issue 16, item 7), through one macro
(macros.html, empty()): a reviewer with nothing to score, a street's programme page with no
projects yet, and an inbox with nothing in it each show the fact, the next step and the local
icon (no CDN). Both profiles."""
from __future__ import annotations

import re

from tests.clients import Web, text


def empty_states(page: str) -> list[tuple[str, str]]:
    """(fact, next step) of every empty state on the page, tags stripped."""
    found = re.findall(r'class="empty">(.*?)</(?:p|li|td)>', page, flags=re.S)
    out = []
    for body in found:
        what = re.search(r'class="empty-what">(.*?)</span>(?:<span class="empty-next">(.*?)</span>)?', body, flags=re.S)
        assert what, f"an empty state without the macro's parts: {body!r}"
        out.append((re.sub(r"<[^>]+>", "", what.group(1)).strip(), (what.group(2) or "").strip()))
    return out


def test_an_empty_review_queue_and_inbox_say_what_comes_next(app, platform):
    web = Web(app.test_client())
    web.login("ghxl_expert")
    queue = text(web.get("/review"))
    assert ("目前没有待评审的项目。", "申报提交后会出现在这里；有新的评审任务时，收件箱也会提醒您。") in empty_states(queue)
    assert "/static/img/icons.svg#i-empty" in queue and 'aria-hidden="true"' in queue
    inbox = empty_states(text(web.get("/inbox")))
    assert any(what == "没有待办事项。" and "会列在这里" in then for what, then in inbox), inbox


def test_an_empty_project_list_tells_a_neighbourhood_how_to_start_one(app, platform):
    web = Web(app.test_client())
    web.login("ghxl_expert")
    states = empty_states(text(web.get("/projects")))
    assert ("还没有项目。", "申报单位可在申报期内从「我的项目」开始申报；已提交的申报会列在这里。") in states, states
    # a search that finds nothing says so, and how to widen it
    found = empty_states(text(web.get("/projects?q=没有这个项目的名字")))
    assert ("没有符合条件的项目。", "可以减少条件，或检查名称中的字词。") in found, found
    english = empty_states(text(web.get("/projects?lang=en")))
    assert any(what == "No projects yet." and "My projects" in then for what, then in english), english
