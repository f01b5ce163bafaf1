"""What people type is shown as text, never run as markup (ASVS V5.3): a title, a form's text, a
budget row and a file name holding HTML and script reach every page that shows them escaped
(Jinja2's autoescape), and the API answers JSON, never HTML."""
from __future__ import annotations

import io

from core.services import projects
from tests.clients import Web, login, url
from tests.factories import APPLICATION_DAY, PDF, acting, application, on_day, programme_id, unit_id

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _hostile_project(platform) -> int:
    with on_day(APPLICATION_DAY), acting(platform, "jingan", "luochuan") as ctx:
        p = projects.create_project(ctx, programme_id(platform, plugin="gonghexinlu"),
                                    unit_id(platform, "jingan", "ghxl-luochuan"), "micro_venture", "口袋<b>花园</b>")
        form = application("口袋<b>花园</b>", directions=("public_space",))
        form["goals"] = HOSTILE + "建立楼组议事会"
        projects.save_form(ctx, p.id, "application", form)
        projects.set_budget(ctx, p.id, [{"description": HOSTILE[:60], "amount": "100"}])
        projects.attach(ctx, p.id, "residents_minutes", '"><svg onload=alert(1)>.pdf', io.BytesIO(PDF), platform.storage)
        return p.id


def test_hostile_text_is_escaped_on_the_pages_that_show_it(app, client, platform):
    pid = _hostile_project(platform)
    web = Web(client)
    web.login("luochuan")
    for path in (f"/projects/{pid}", "/projects", "/my"):
        html = web.get(path).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x onerror" not in html
        assert "<svg onload" not in html and "<b>花园</b>" not in html
    page = web.get(f"/projects/{pid}").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page and "口袋&lt;b&gt;花园&lt;/b&gt;" in page


def test_the_api_answers_json_with_the_text_as_typed(client, platform):
    pid = _hostile_project(platform)
    r = client.get(url(f"/projects/{pid}"), headers=login(client, "luochuan"))
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert r.get_json()["forms"]["application"]["goals"].startswith(HOSTILE)
