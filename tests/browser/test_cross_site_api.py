"""The finding of issue 14, played in headless Chromium: a page served on *another port* of the
same host (same-site, so the SameSite=Lax session cookie goes along) tries to withdraw a signed-in
applicant's project through the API, with a multipart form it submits and with a no-cors fetch of an
empty body. Both are refused (403 csrf) and the project stays a draft; the app's own page calling
the same API (same origin) still works, and the API's docs page loads under its Content Security
Policy without a violation. Also: signing out ends the session for a copied cookie in a browser.
Screenshots go to test-artifacts/cross-site-<profile>/."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from core.models import Project
from tests.browser.kit import shot, sign_in, sign_out
from tests.factories import acting, draft_project

pytestmark = pytest.mark.browser

ARTIFACTS = "cross-site"

EVIL = """<!doctype html><html><head><meta charset="utf-8"><title>抽奖活动</title></head><body>
<h1>恭喜中奖</h1>
<form id="f" method="post" enctype="multipart/form-data" action="{target}">
  <input type="hidden" name="reason" value="x"><button type="submit">领取</button>
</form>
<script>
  fetch("{target}", {{method: "POST", mode: "no-cors", credentials: "include"}})
    .then(function () {{ document.title = "fetched"; }}, function () {{ document.title = "fetched"; }});
</script>
</body></html>"""


@pytest.fixture
def evil_server():
    """Another server on another port of 127.0.0.1: same site as the app, not the same origin."""
    pages: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the stdlib's name
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", pages
    finally:
        server.shutdown()
        thread.join()


def _state(platform, pid) -> str:
    with acting(platform, "jingan", None) as ctx:
        return ctx.session.scalar(select(Project.state).where(Project.id == pid))


def test_a_page_on_another_port_cannot_withdraw_a_project_and_the_app_still_can(live_server, evil_server,
                                                                                browser_page, platform):
    page, base = browser_page, live_server
    evil, pages = evil_server
    assert evil.rsplit(":", 1)[0] == base.rsplit(":", 1)[0] and evil != base  # same site, another origin
    pid = draft_project(platform, "luochuan", "ghxl-luochuan", "micro_venture", "口袋花园")
    target = f"{base}/api/v1/t/jingan/projects/{pid}/withdraw"
    pages["/prize.html"] = EVIL.format(target=target)

    sign_in(page, base, "jingan", "luochuan")
    cookie = next(c for c in page.context.cookies() if c["name"] == "session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    # The attack: a fetch on load, then the form a visitor is tempted to press.
    page.goto(f"{evil}/prize.html")
    page.wait_for_function("document.title === 'fetched'")
    with page.expect_response(target) as answered:
        page.locator("#f button").click()
    refused = answered.value
    assert refused.status == 403 and refused.json()["code"] == "csrf"
    shot(page, "refused", ours=False)  # the API's JSON answer, shown raw by Chromium
    assert _state(platform, pid) == "draft"

    # The app's own page calling the same API (same origin: the browser sends the site's Origin).
    page.goto(f"{base}/t/jingan/my")
    status = page.evaluate("""async (target) => {
        const r = await fetch(target, {method: "POST", credentials: "same-origin"});
        return r.status;
    }""", target)
    assert status == 200 and _state(platform, pid) == "withdrawn"
    page.problems.clear()  # the refused form's 403 above was the point

    # The API's docs page runs under its CSP: Swagger UI renders, nothing is blocked.
    page.goto(f"{base}/api/docs")
    page.wait_for_selector(".swagger-ui .info")
    shot(page, "api-docs", ours=False)  # Swagger UI's own markup and colours, as shipped
    assert not page.problems, page.problems


def test_a_copied_cookie_dies_when_its_owner_signs_out(live_server, browser_page):
    page, base = browser_page, live_server
    sign_in(page, base, "jingan", "luochuan")
    copied = page.context.cookies()
    thief = page.context.browser.new_context(locale="zh-CN")
    try:
        thief.add_cookies(copied)
        other = thief.new_page()
        other.goto(f"{base}/api/v1/t/jingan/me")
        assert "luochuan" in other.content()
        sign_out(page)
        response = other.goto(f"{base}/api/v1/t/jingan/me")
        assert response.status == 401 and "登录已结束" in other.content()
    finally:
        thief.close()


def test_the_tokens_page_at_desktop_and_phone(live_server, browser_page):
    """The user's tokens page: create one (shown once), see it listed, revoke it; nothing scrolls
    sideways at phone width."""
    from tests.browser.kit import expect, press
    page, base = browser_page, live_server
    sign_in(page, base, "jingan", "luochuan")
    press(page, page.locator("a.who"))  # one's own account: the password first, then its other pages
    press(page, page.get_by_role("navigation", name="我的账号").get_by_role("link", name="访问令牌与登录"))
    expect(page.locator("h1")).to_have_text("访问令牌与登录")
    page.get_by_label("名称").fill("数据导出脚本")
    page.get_by_label("有效期（天）").fill("14")
    press(page, page.get_by_role("button", name="生成令牌"))
    expect(page.locator("#issued-token")).to_contain_text("txn_")
    shot(page, "tokens-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "the page scrolls sideways"
    shot(page, "tokens-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.on("dialog", lambda d: d.accept())
    press(page, page.locator("#tokens").get_by_role("button", name="撤销"))
    expect(page.locator("#tokens")).to_contain_text("已撤销")
    assert not page.problems, page.problems
