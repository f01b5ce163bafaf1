"""docs/glossary.md says one word means one thing; this holds the code and the API to it.

Its section "Forbidden words" is machine-readable: each rule forbids identifiers (names, and
identifier-like string literals split at dots) in the ``.py`` files and templates under
``core/`` and ``plugins/`` (optionally only under some paths, except on lines it allows), field
and parameter names and path segments in the OpenAPI document, and phrases in the docs. A find
names its file and line (or the schema and field) and says what to write instead. The scan is
shown to fail on a planted tree and a planted document. The glossary also covers every model and
every stored kind and state of ``core.models``, so a new concept arrives with its words."""
from __future__ import annotations

import ast
import enum
import io
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

import yaml

import core.models as models
from core.db import Base

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"
CODE_ROOTS = ("core", "plugins")
PHRASE_FILES = ("README.md", "docs/*.md", "core/**/*.py", "core/**/*.html", "plugins/**/*.py", "plugins/**/*.html")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
IDENTIFIER_LIKE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
QUOTED = re.compile(r"""'([^'\\\n]*)'|"([^"\\\n]*)\"""")
HTML_NAME = re.compile(r"""\bname="([^"{}]*)\"""")
TRANSLATED = re.compile(r"""_t\(\s*("[^"]*"|'[^']*')\s*,\s*("[^"]*"|'[^']*')\s*\)""")


@dataclass
class Rule:
    means: str
    use: str
    identifiers: list[re.Pattern] = field(default_factory=list)
    within: tuple[str, ...] = ()
    allowed: re.Pattern | None = None
    api: list[re.Pattern] = field(default_factory=list)
    paths: list[re.Pattern] = field(default_factory=list)
    phrases: list[re.Pattern] = field(default_factory=list)

    def applies_to(self, relative: str) -> bool:
        return not self.within or any(relative.startswith(prefix) for prefix in self.within)

    def says(self, word: str) -> str:
        return f"`{word}` is the old word for {self.means}: use {self.use}"


def rules(text: str) -> list[Rule]:
    section = text[text.index("## Forbidden words"):]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block, "docs/glossary.md: the section 'Forbidden words' has no ```yaml block"
    out = []
    for entry in yaml.safe_load(block.group(1)):
        out.append(Rule(
            means=entry["means"], use=entry["use"],
            identifiers=[re.compile(p) for p in entry.get("identifiers", [])],
            within=tuple(entry.get("in", [])),
            allowed=re.compile(entry["except"]) if entry.get("except") else None,
            api=[re.compile(p) for p in entry.get("api", [])],
            paths=[re.compile(p) for p in entry.get("paths", [])],
            phrases=[re.compile(p, re.I) for p in entry.get("phrases", [])]))
    return out


# -- the words in code ------------------------------------------------------------------------------

def _split(value: str) -> set[str]:
    return {value, *value.split(".")} - {""}


def python_words(source: str):
    """(line, word, the line's text) for every name and identifier-like string literal."""
    lines = source.splitlines()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.NAME:
            yield tok.start[0], tok.string, lines[tok.start[0] - 1]
        elif tok.type == tokenize.STRING:
            try:
                value = ast.literal_eval(tok.string)
            except (ValueError, SyntaxError):
                continue  # an f-string
            if isinstance(value, str) and IDENTIFIER_LIKE.match(value):
                for word in _split(value):
                    yield tok.start[0], word, lines[tok.start[0] - 1]


def template_words(source: str):
    """(line, word, the line's text) for the names in Jinja blocks (their identifier-like
    strings, e.g. a form field's key, included; other text, which people read, left out) and
    every form control's ``name``."""
    lines = source.splitlines()

    def at(offset: int) -> int:
        return source.count("\n", 0, offset) + 1

    for block in JINJA.finditer(source):
        code = TRANSLATED.sub(lambda m: " " * len(m.group(0)), block.group(0))
        for quoted in QUOTED.finditer(code):
            value = quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
            if IDENTIFIER_LIKE.match(value):
                for word in _split(value):
                    n = at(block.start() + quoted.start())
                    yield n, word, lines[n - 1]
        bare = QUOTED.sub(" ", code)
        for name in IDENTIFIER.finditer(bare):
            n = at(block.start() + name.start())
            yield n, name.group(0), lines[n - 1]
    for control in HTML_NAME.finditer(source):
        n = at(control.start())
        for word in _split(control.group(1)):
            yield n, word, lines[n - 1]


def code_finds(root: Path, glossary: list[Rule]) -> list[str]:
    finds = []
    for top in CODE_ROOTS:
        for path in sorted((root / top).rglob("*")):
            if path.suffix not in (".py", ".html") or "__pycache__" in path.parts:
                continue
            relative = path.relative_to(root).as_posix()
            applicable = [r for r in glossary if r.identifiers and r.applies_to(relative)]
            if not applicable:
                continue
            source = path.read_text(encoding="utf-8")
            words = python_words(source) if path.suffix == ".py" else template_words(source)
            for line, word, text in words:
                for rule in applicable:
                    if any(p.fullmatch(word) for p in rule.identifiers) and not (rule.allowed and rule.allowed.search(text)):
                        finds.append(f"{relative}:{line}: {rule.says(word)}")
    return sorted(set(finds))


def phrase_finds(root: Path, glossary: list[Rule]) -> list[str]:
    finds = []
    phrased = [r for r in glossary if r.phrases]
    for pattern in PHRASE_FILES:
        for path in sorted(root.glob(pattern)):
            if path == root / "docs" / "glossary.md" or "__pycache__" in path.parts:
                continue  # the glossary names the words it forbids
            relative = path.relative_to(root).as_posix()
            for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                for rule in phrased:
                    for p in rule.phrases:
                        for match in p.finditer(text):
                            finds.append(f"{relative}:{n}: {rule.says(match.group(0))}")
    return sorted(set(finds))


# -- the words in the API -----------------------------------------------------------------------------

def api_finds(spec: dict, glossary: list[Rule]) -> list[str]:
    finds = []

    def fields(where: str, node):
        if isinstance(node, dict):
            for name in (node.get("properties") or {}):
                yield where, name
            for key, value in node.items():
                yield from fields(where, value)
        elif isinstance(node, list):
            for value in node:
                yield from fields(where, value)

    named = list(fields("", []))
    for schema, body in (spec.get("components", {}).get("schemas") or {}).items():
        named += [(f"schema {schema}", name) for _, name in fields("", body)]
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            params = op if method == "parameters" else (op.get("parameters", []) if isinstance(op, dict) else [])
            named += [(f"{method.upper()} {path}", p.get("name", "")) for p in params if isinstance(p, dict)]
            if isinstance(op, dict) and method != "parameters":
                named += [(f"{method.upper()} {path}", name) for _, name in fields("", op.get("requestBody", {}))]
                named += [(f"{method.upper()} {path}", name) for _, name in fields("", op.get("responses", {}))]
    for where, name in named:
        for rule in glossary:
            if any(p.fullmatch(name) for p in rule.api):
                finds.append(f"OpenAPI {where}: field {rule.says(name)}")
    for path in spec.get("paths", {}):
        for segment in re.split(r"[/.-]", path):
            for rule in glossary:
                if any(p.fullmatch(segment) for p in rule.paths):
                    finds.append(f"OpenAPI path {path}: {rule.says(segment)}")
    return sorted(set(finds))


# -- the tests ------------------------------------------------------------------------------------------

def glossary() -> list[Rule]:
    return rules(GLOSSARY.read_text(encoding="utf-8"))


def test_the_glossary_forbids_the_collided_words():
    found = glossary()
    assert len(found) >= 4 and all(r.use and r.means for r in found)
    words = {p.pattern for r in found for p in r.identifiers}
    assert {"BudgetLine\\w*", "\\w*receipt_attachment\\w*", "tongxin_check_project", "(?i)\\w*micro_?projects?\\w*"} <= words


def test_no_forbidden_word_in_the_code():
    assert code_finds(ROOT, glossary()) == []


def test_no_forbidden_phrase_in_the_docs_or_the_code():
    assert phrase_finds(ROOT, glossary()) == []


def test_no_forbidden_word_in_the_api(client):
    spec = client.get("/api/openapi.json").get_json()
    assert len(spec["components"]["schemas"]) > 50  # the scan below really reads the document
    assert api_finds(spec, glossary()) == []


PLANTED_PY = '''\
from core.models import FundKind


class BudgetLineSchema:  # a budget's row under the old word
    kind = FundKind.budget_line  # the fund kind keeps its word


def record(ctx, receipt_attachment_id=None):
    return ctx.action("fund_request.check")
'''
PLANTED_HTML = '''\
<p>{{ _t("收据", "Receipt") }}</p>
<input name="receipt" type="file">
{% for x in row.receipts %}{{ x }}{% endfor %}
'''


def test_the_scan_finds_planted_words_naming_file_and_line(tmp_path):
    (tmp_path / "core" / "services" / "fund_requests").mkdir(parents=True)
    (tmp_path / "core" / "services" / "fund_requests" / "planted.py").write_text(PLANTED_PY, encoding="utf-8")
    (tmp_path / "core" / "web" / "templates" / "pages" / "fund_requests").mkdir(parents=True)
    (tmp_path / "core" / "web" / "templates" / "pages" / "fund_requests" / "planted.html").write_text(
        PLANTED_HTML, encoding="utf-8")
    (tmp_path / "plugins" / "riverside").mkdir(parents=True)
    (tmp_path / "plugins" / "riverside" / "plugin.py").write_text(
        "def tongxin_check_project(project, action):\n    return []\n", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text("# Guide\n\nA Micro project asks for little.\n", encoding="utf-8")
    finds = code_finds(tmp_path, glossary())
    where = {f.split(": ", 1)[0] + ": " + re.search(r"`([^`]+)`", f).group(1) for f in finds}
    assert where == {
        "core/services/fund_requests/planted.py:4: BudgetLineSchema",
        "core/services/fund_requests/planted.py:8: receipt_attachment_id",
        "core/services/fund_requests/planted.py:9: check",  # the operation's key, split at the dot
        "core/web/templates/pages/fund_requests/planted.html:2: receipt",
        "core/web/templates/pages/fund_requests/planted.html:3: receipts",
        "plugins/riverside/plugin.py:1: tongxin_check_project",
    }, finds
    # The fund kind keeps its word; the text people read in a template is not scanned.
    assert not any(":5:" in f or "html:1:" in f for f in finds)
    assert any("use budget item" in f for f in finds)
    assert phrase_finds(tmp_path, glossary()) == [
        "docs/guide.md:3: `Micro project` is the old word for a project on the micro-venture track (七彩微创投): "
        "use micro-venture (micro_venture, \"micro-venture project\")"]


def test_the_api_scan_finds_a_planted_field_and_path():
    spec = {"components": {"schemas": {"Expense": {"properties": {"memo": {}, "receipt": {"type": "string"}}},
                                       "Receipt": {"properties": {"amount": {}}}}},
            "paths": {"/api/v1/t/{tenant}/fund-requests/{request_id}/check": {"post": {"parameters": [
                {"name": "checked_by", "in": "query"}]}},
                      "/api/v1/t/{tenant}/sponsors/pledges/{pledge_id}/receipts": {}}}
    assert api_finds(spec, glossary()) == sorted([
        "OpenAPI schema Expense: field `receipt` is the old word for an expense's proof (凭证/发票): "
        "use voucher (voucher_attachment_id, vouchers, \"Voucher\")",
        "OpenAPI POST /api/v1/t/{tenant}/fund-requests/{request_id}/check: field `checked_by` is the old word for "
        "the street office's acceptance of a fund request, a policy's rules, or the validation of a plugin: use accept / "
        "acceptance (fund_requests.accept, state accepted); judge (tongxin_project_rules); validation",
        "OpenAPI path /api/v1/t/{tenant}/fund-requests/{request_id}/check: `check` is the old word for the street "
        "office's acceptance of a fund request, a policy's rules, or the validation of a plugin: use accept / acceptance "
        "(fund_requests.accept, state accepted); judge (tongxin_project_rules); validation",
    ])


def test_the_glossary_covers_every_model_and_stored_kind():
    text = GLOSSARY.read_text(encoding="utf-8")
    mapped = sorted(m.class_.__name__ for m in Base.registry.mappers if m.class_.__module__.startswith("core.models"))
    stored = sorted({f"{e.__name__}.{m.name}" for e in vars(models).values()
                     if isinstance(e, type) and issubclass(e, enum.Enum) and e.__module__.startswith("core.models")
                     for m in e if f"`{m.value}`" not in text})
    assert len(mapped) >= 20
    assert [name for name in mapped if f"`{name}`" not in text] == [], "add these models to docs/glossary.md"
    assert stored == [], "add these stored values to docs/glossary.md"
