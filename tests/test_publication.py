"""What a policy marks public is what the public gets, on the web and the API alike, under core's
floor (``core.services.publication``): a marked attachment kind lists and downloads without a
login, a marked field shows with its numbers masked, a field marked but ``personal`` never shows;
and where policies stack, the markings add up."""
from __future__ import annotations

import re

from core.models import Programme, Project
from core.plugin_host.contributions import PublicParts
from core.plugin_host.stack import PolicyStack
from core.services.programmes import policy_of
from tests.factories import acting, programme_id
from tests.money_factories import approved_project

PHONE = "13912345678"


def _marked(monkeypatch, parts: PublicParts) -> None:
    monkeypatch.setattr(PolicyStack, "public_parts", lambda self, config: parts)


def test_a_marked_kind_and_field_are_public_and_a_personal_field_never(client, platform, monkeypatch):
    pid = approved_project(platform)
    with acting(platform, "jingan", "luochuan") as ctx:
        p = ctx.session.get(Project, pid)
        p.forms = {**p.forms, "application": {**p.forms["application"], "team": f"组长王阿姨 {PHONE}"},
                   "intent": {"title": p.title, "directions": ["public_space"], "summary": "把空地变成花园",
                              "contact_name": "联系人甄秘密", "contact_phone": PHONE}}
        minutes = p.attachments[0].id
    _marked(monkeypatch, PublicParts(fields=("application.team", "intent.contact_name", "intent.contact_phone"),
                                     attachment_kinds=("residents_minutes",)))
    body = client.get(f"/api/v1/t/jingan/projects/{pid}").get_json()
    page = client.get(f"/t/jingan/projects/{pid}").get_data(as_text=True)
    assert body["forms"] == {"application": {"team": "组长王阿姨 ***"}}
    assert set(re.findall(r'data-public-field="([^"]+)"', page)) == {"application.team"}
    assert PHONE not in page and "甄秘密" not in page and "甄秘密" not in str(body)
    assert [a["id"] for a in body["attachments"]] == [minutes]
    assert re.findall(r'data-public-file="(\d+)"', page) == [str(minutes)]
    api = client.get(f"/api/v1/t/jingan/projects/{pid}/attachments/{minutes}")
    web = client.get(f"/t/jingan/projects/{pid}/attachments/{minutes}")
    assert api.status_code == web.status_code == 200 and api.data.startswith(b"%PDF") and web.data == api.data


def test_nothing_is_public_unless_marked(client, platform, monkeypatch):
    pid = approved_project(platform)
    _marked(monkeypatch, PublicParts())
    body = client.get(f"/api/v1/t/jingan/projects/{pid}").get_json()
    assert body["forms"] == {} and body["attachments"] == [] and body["decisions"] == []
    assert "data-public-field" not in client.get(f"/t/jingan/projects/{pid}").get_data(as_text=True)


def test_markings_add_up_where_policies_stack(platform, monkeypatch):
    """共和新路's programme also carries 静安区's district policy: what each marks adds up (the
    district's marks nothing today; given a mark, it joins 共和新路's)."""
    with acting(platform, "jingan", None) as ctx:
        stack, config = policy_of(ctx, ctx.session.get(Programme, programme_id(platform, plugin="gonghexinlu")))
        assert [layer.name for layer in stack.layers] == ["gonghexinlu", "jingan_fund"]
        own = stack.own.public_parts(config)
        assert stack.public_parts(config) == own and "application.goals" in own.fields
        assert "intent.contact_phone" not in own.fields
        district = stack.inherited[0].policy
        monkeypatch.setattr(district, "public_parts", lambda cfg: PublicParts(
            fields=("jingan_fund_formation.meeting_date",), attachment_kinds=("jingan_fund_minutes",)))
        both = stack.public_parts(config)
        assert both.fields == (*own.fields, "jingan_fund_formation.meeting_date")
        assert both.attachment_kinds == ("jingan_fund_minutes",)
