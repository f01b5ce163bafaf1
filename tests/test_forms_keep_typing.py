"""Nothing typed is ever lost (issue 16, item 2), through Flask's test client and the templates:
a text field's length rule is shown beside its label from the very validator that refuses it,
and the refusal says 字 and names the field; amounts are text inputs that take "5,000元"; days
and months use pickers; every input re-shows what was typed when a page refuses; the sections of
the project page that hold typing are marked for the page's unsaved-changes guard (site.js, walked
in tests/browser/test_unsaved_walk.py); an optional form with required fields says both."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from marshmallow import Schema, fields, validate
from werkzeug.datastructures import MultiDict

from core.forms import describe
from core.i18n import Text
from core.money import Yuan
from core.web.forms import controls
from plugins.gonghexinlu.forms import application_schema
from tests.clients import Web, text
from tests.factories import application, programme_id, unit_id

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = [ROOT / "core" / "web" / "templates", *sorted((ROOT / "plugins").glob("*/templates"))]
TAG = re.compile(r"<(input|textarea)\b((?:[^>{]|\{\{.*?\}\}|\{%.*?%\})*)>", re.S)
NOT_TYPED = {"hidden", "checkbox", "radio", "file", "password", "submit", "search"}


def tags():
    """(template, line, element, type, attributes) of every input and textarea of every template."""
    for base in TEMPLATES:
        for path in sorted(base.rglob("*.html")):
            source = path.read_text(encoding="utf-8")
            for m in TAG.finditer(source):
                kind, attrs = m.group(1), m.group(2)
                found = re.search(r'\btype="([^"]+)"', attrs)
                where = f"{path.relative_to(base.parent)}:{source.count(chr(10), 0, m.start()) + 1}"
                yield where, kind, (found.group(1) if found else "text"), attrs, source[m.end():m.end() + 3]


def name_of(attrs: str) -> str:
    found = re.search(r'\bname="([^"]+)"', attrs)
    return found.group(1) if found else ""


def field_html(html: str, html_id: str) -> str:
    at = html.index(f'id="{html_id}"')
    start = max(html.rfind('<div class="field', 0, at), html.rfind('<fieldset class="field', 0, at + 1))
    end = html.find('<div class="field', at)
    return html[start:end if end > 0 else None]


@pytest.fixture
def web(client, platform):
    w = Web(client)
    w.platform = platform
    return w


def new_project(web: Web, track: str, title: str) -> int:
    r = web.post(f"/programmes/{programme_id(web.platform)}/projects/new",
                 {"track": track, "applicant_unit_id": str(unit_id(web.platform, "jingan", "ghxl-luochuan")), "title": title})
    assert r.status_code == 302, text(r)
    return int(r.headers["Location"].rsplit("/", 1)[-1])


def post_pairs(web: Web, path: str, pairs: list[tuple[str, str]]):
    data = MultiDict(pairs)
    data.add("csrf_token", web.token())
    return web.client.post(web.url(path), data=data)


def pairs_of(values: dict) -> list[tuple[str, str]]:
    return [(k, x) for k, v in values.items() for x in (v if isinstance(v, list) else [v])]


# -- limits shown before typing --------------------------------------------------------------------

def test_the_length_rule_beside_a_label_is_the_validators_own():
    made_up = Schema.from_dict({
        "both": fields.String(validate=validate.Length(min=3, max=9)),
        "floor": fields.String(validate=validate.Length(min=7)),
        "ceiling": fields.String(validate=validate.Length(min=1, max=40)),
        "free": fields.String(),
        "money": Yuan(),
    })
    hints = {f.name: f.length_hint for f in describe(made_up)}
    assert hints == {"both": Text("3–9 字", "3–9 characters"), "floor": Text("至少 7 字", "at least 7 characters"),
                     "ceiling": Text("最多 40 字", "at most 40 characters"), "free": None, "money": None}
    background = next(f for f in describe(application_schema("yiju_yipin", ("x",))) if f.name == "background")
    assert (background.min_length, background.max_length) == (20, 2000)


def test_the_project_page_shows_limits_before_typing_and_the_refusal_says_characters(web):
    web.login("luochuan")
    pid = new_project(web, "micro_venture", "口袋花园")
    page = text(web.get(f"/projects/{pid}"))
    background = field_html(page, "f-application-background")
    assert re.search(r'<span class="limit" id="f-application-background-limit"[^>]*>20–2000 字</span>', background)
    assert re.search(r'<textarea id="f-application-background"[^>]*aria-describedby="f-application-background-limit', background)
    assert ">2–60 字</span>" in field_html(page, "f-application-title")
    data = application("口袋花园改造", directions=("public_space",))
    data["background"] = "太短"
    refused = text(post_pairs(web, f"/projects/{pid}/forms/application", pairs_of(data)))
    assert "项目背景与居民需求：长度应在 20 到 2000 字之间" in field_html(refused, "f-application-background")


def test_a_new_projects_title_rule_comes_from_the_doors_schema(web):
    web.login("luochuan")
    page = text(web.get(f"/programmes/{programme_id(web.platform)}/projects/new"))
    assert "2–60 字，之后可在申报表中修改" in page


# -- an optional form whose fields are required ----------------------------------------------------

def test_an_optional_form_with_required_fields_says_both(web):
    web.login("luochuan")
    pid = new_project(web, "micro_venture", "口袋花园")
    page = text(web.get(f"/projects/{pid}"))
    head = page[page.index('id="form-intent"'):page.index('<form', page.index('id="form-intent"'))]
    assert "选填；填写时以下各项必填" in head
    assert re.search(r'<span class="badge badge-opt">选填</span>', head) is None  # not a bare "optional"
    assert "必填" in field_html(page, "f-intent-summary")  # and its fields still say so, in agreement
    application_head = page[page.index('id="form-application"'):page.index('<form', page.index('id="form-application"'))]
    assert "提交前必填" in application_head


# -- amounts, days and months ----------------------------------------------------------------------

def test_every_amount_input_is_text_that_takes_what_people_type():
    amounts = [(where, kind, typ, attrs) for where, kind, typ, attrs, _ in tags()
               if re.fullmatch(r"(.*_)?amount|.*_yuan", name_of(attrs))]
    assert len(amounts) >= 8  # the budget, fund requests, spending, refunds, pledges, receipts, decisions ...
    wrong = [where for where, kind, typ, attrs in amounts if typ != "text" or 'inputmode="decimal"' not in attrs]
    assert wrong == []
    # a policy's own amount field renders the same way (never type=number, which refuses "5,000元")
    schema = Schema.from_dict({"grant": Yuan(metadata={"label": Text("资助", "Grant")})})
    (c,) = controls(schema, {}, None, "t")
    assert (c.input_type, c.inputmode) == ("text", "decimal")


def test_days_and_months_are_typed_with_pickers():
    dated = [(where, typ, name_of(attrs)) for where, kind, typ, attrs, _ in tags() if kind == "input"
             and re.fullmatch(r".*(_on|_date|date_.*)|month", name_of(attrs))]
    assert len(dated) >= 8
    wrong = [(where, typ, name) for where, typ, name in dated if typ != ("month" if name == "month" else "date")]
    assert wrong == []


def test_a_budget_in_yuan_as_typed_is_saved_and_a_bad_one_comes_back_as_typed(web):
    web.login("luochuan")
    pid = new_project(web, "micro_venture", "口袋花园")
    r = post_pairs(web, f"/projects/{pid}/budget", [("description", "绿植"), ("amount", "5,000元"),
                                                     ("description", "花盆"), ("amount", "1200")])
    assert r.status_code == 302
    assert "6,200.00" in text(web.get(f"/projects/{pid}"))
    r = post_pairs(web, f"/projects/{pid}/budget", [("description", "绿植"), ("amount", "五千块"),
                                                     ("description", "花盆"), ("amount", "1200")])
    page = text(r)
    assert r.status_code == 422 and 'value="五千块"' in page and 'value="花盆"' in page
    assert "error-text" in page[page.index('id="b-amount-1"'):page.index('id="b-desc-2"')], page[page.index('id="budget"'):][:3000]
    budget_form = page[page.index('id="budget"'):]
    assert re.search(r"<form[^>]*data-keep[^>]*data-unsaved", budget_form)  # the guard knows it is not saved


def test_a_bad_date_is_refused_in_chinese_and_comes_back(web):
    web.login("luochuan")
    pid = new_project(web, "micro_venture", "口袋花园")
    data = application("口袋花园改造", directions=("public_space",), start="2023-13-45")
    r = post_pairs(web, f"/projects/{pid}/forms/application", pairs_of(data))
    page = text(r)
    assert r.status_code == 422
    assert "开始日期：不是有效的日期" in field_html(page, "f-application-start_date")
    assert 'value="2023-13-45"' in field_html(page, "f-application-start_date")
    assert 'value="口袋花园改造"' in page


# -- every refusing page re-shows what was typed ---------------------------------------------------

def test_every_typed_input_of_every_template_is_bound_to_what_was_typed():
    """A page that refuses renders the posted values back into its inputs: that only works when
    every input a person types into takes its value from the page's context. One-time codes are
    the exception: a refused code is spent and typed afresh."""
    unbound = []
    for where, kind, typ, attrs, after in tags():
        if (kind == "input" and typ in NOT_TYPED) or 'autocomplete="one-time-code"' in attrs:
            continue
        bound = re.search(r'\bvalue="[^"]*\{\{', attrs) if kind == "input" else after.startswith("{{")
        if not bound:
            unbound.append(f"{where} {name_of(attrs)}")
    assert unbound == []


def test_the_scans_would_notice(tmp_path):
    bad = tmp_path / "templates"
    bad.mkdir()
    (bad / "x.html").write_text('<form method="post">' + '<input name="amount" type="number" value="{{ a }}">' * 8
                                + '<input name="held_on" type="text" value="{{ v }}">' * 8
                                + '<textarea name="t"></textarea></form>')
    found = list(TAG.finditer((bad / "x.html").read_text()))
    assert [m.group(1) for m in found] == ["input"] * 16 + ["textarea"]
    global TEMPLATES
    saved, TEMPLATES = TEMPLATES, [bad]
    try:
        with pytest.raises(AssertionError):
            test_every_amount_input_is_text_that_takes_what_people_type()
        with pytest.raises(AssertionError):
            test_days_and_months_are_typed_with_pickers()
        with pytest.raises(AssertionError):
            test_every_typed_input_of_every_template_is_bound_to_what_was_typed()
    finally:
        TEMPLATES = saved
