"""Fixtures of the browser walks: the app in a real HTTP server on a free localhost port
(werkzeug.make_server in a thread) against the test database of the ``settings`` fixture, and a
page of Debian's chromium driven by Playwright that records console errors and failed assets."""
from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest

from core.app import create_app
from tests.browser.kit import ARGS, CHROMIUM, HANG_GUARD_MS, ROOT

from playwright import sync_api as playwright_api  # a test dependency: missing is a failure
sync_playwright, expect = playwright_api.sync_playwright, playwright_api.expect


@pytest.fixture
def live_server(settings):
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # keep a failure's output readable
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        app.extensions["tongxin"].db.dispose()


@pytest.fixture
def browser_page(request, profile):
    # scripts/test installs it: a missing browser is a broken set-up, not a reason to pass.
    assert Path(CHROMIUM).exists(), "Debian's chromium is not installed (apt-get install chromium)"
    # Each test module names its screenshot folder (ARTIFACTS); one folder per profile.
    out = ROOT / "test-artifacts" / f"{request.module.ARTIFACTS}-{profile}"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    expect.set_options(timeout=HANG_GUARD_MS)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
        context.set_default_timeout(HANG_GUARD_MS)
        page = context.new_page()
        problems: list[str] = []
        # CSP violations and script errors surface on the console; refused forms answer 4xx on
        # purpose, so resources are judged by their own responses: every asset must load.
        page.on("console", lambda m: problems.append(m.text)
                if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
                if r.request.resource_type != "document" and r.status >= 400 else None)
        page.artifacts, page.shots, page.problems = out, [0], problems
        try:
            yield page
        finally:
            context.close()
            browser.close()
