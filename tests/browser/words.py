"""The words check of the browser walks: a zh-CN page shows no ISO date, no English table name
and no raw field name (the rules are tests/words_rules.py, shared with the Flask test client's
pages). It reads what a person sees: the page's visible text (``innerText``: hidden elements
and markup do not count) and the words a screen reader or a hover shows (title, placeholder,
aria-label), plus the document's title. English pages (``?lang=en``) are not judged."""
from __future__ import annotations

import os

from tests.words_rules import slips

# Set to a file's path to survey a walk: every slip is written there and the walk goes on.
SURVEY = "TONGXIN_WORDS_SURVEY"

# Everything a person sees or hears on the page, one piece per line; what people typed, shown as
# typed (``data-typed``: a form's answers), is theirs and left out.
_VISIBLE = """() => {
  let text = document.body ? document.body.innerText : "";
  for (const el of document.querySelectorAll("[data-typed]")) {
    if (el.innerText) text = text.split(el.innerText).join("\\n");
  }
  const out = [document.title, text];
  for (const el of document.querySelectorAll("[title], [placeholder], [aria-label]")) {
    for (const name of ["title", "placeholder", "aria-label"]) {
      const v = el.getAttribute(name);
      if (v) out.push(v);
    }
  }
  return out.join("\\n");
}"""


def visible_words(page) -> str:
    return page.evaluate(_VISIBLE)


def chinese_only(page, allowed: tuple[str, ...] = ()) -> None:
    """Fail, naming each slip and the page, when a zh-CN page shows an ISO date, an English table
    name or a raw field name. ``allowed``: what this page may show as typed (a file's name)."""
    lang = page.evaluate("() => document.documentElement.lang || ''")
    if lang.startswith("en"):
        return
    found = slips(visible_words(page), allowed)
    if found and os.environ.get(SURVEY):
        with open(os.environ[SURVEY], "a", encoding="utf-8") as out:
            out.write(f"{page.url}\n" + "".join(f"  {f}\n" for f in found))
        return
    assert not found, f"{page.url} shows a zh-CN reader:\n" + "\n".join(found)
