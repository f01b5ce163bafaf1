"""What a zh-CN reader must never see on a page: an ISO date or time (2023-03-15: the pages write
2023年3月15日), an English table name (fund_requests) or a raw field name or stored value
(amount_fen, org_unit_id, under_review). The browser walks (tests/browser/words.py) and the
Flask test client's pages (tests/test_web_words.py) apply the same rules.

The names are read from the models, not listed by hand: every table on the metadata (core's and
any a plugin registers), every column name that is an identifier of two words or more (amount_fen;
one word such as ``title`` is also plain English), and every value of an Enum in core.models
(under_review, approved, street_admin: a state, kind or role shown raw instead of its label).
"""
from __future__ import annotations

import enum
import importlib
import inspect
import pkgutil
import re
from functools import lru_cache

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# Text a page may show although it looks like a rule's word, each with why. Kept short: a new
# entry needs a reason a reader would accept.
ALLOWED: dict[str, str] = {}


@lru_cache(maxsize=1)
def names() -> dict[str, frozenset[str]]:
    """{"tables": ..., "fields": ...}, read from the models once."""
    import core.models as models
    from core.db import Base

    tables = frozenset(Base.metadata.tables)
    columns = {c.name for t in Base.metadata.tables.values() for c in t.columns if "_" in c.name}
    values: set[str] = set()
    for info in pkgutil.iter_modules(models.__path__):
        module = importlib.import_module(f"core.models.{info.name}")
        for thing in vars(module).values():
            if inspect.isclass(thing) and issubclass(thing, enum.Enum) and thing.__module__ == module.__name__:
                values.update(str(member.value) for member in thing if isinstance(member.value, str))
    return {"tables": tables, "fields": frozenset(columns | values) - tables}


def _word(word: str) -> re.Pattern:
    # A whole identifier: not part of a longer one, an e-mail address, a path or a file name.
    return re.compile(rf"(?<![\w@./-]){re.escape(word)}(?![\w@/-]|\.\w)", re.ASCII)


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[str, str, re.Pattern], ...]:
    found = names()
    return tuple((kind, word, _word(word)) for kind in ("tables", "fields") for word in sorted(found[kind]))


def slips(text: str, allowed: tuple[str, ...] = ()) -> list[str]:
    """Each thing in ``text`` a zh-CN reader should not see, described. ``allowed``: strings this
    page may show as they are (what the user typed, a file's name), cut out before looking."""
    for ok in (*allowed, *ALLOWED):
        text = text.replace(ok, " ")
    out = [f"ISO date {m.group(0)!r} in …{_around(text, m)}…" for m in ISO_DATE.finditer(text)]
    for kind, word, pattern in _patterns():
        for m in pattern.finditer(text):
            label = "English table name" if kind == "tables" else "raw field name"
            out.append(f"{label} {word!r} in …{_around(text, m)}…")
    return out


def _around(text: str, m: re.Match, width: int = 30) -> str:
    return text[max(0, m.start() - width): m.end() + width].replace("\n", " ")
