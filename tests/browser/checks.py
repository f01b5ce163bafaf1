"""Checks every page a browser walk visits must pass (kit.both_widths runs them at both widths).

``accessible``: axe-core, run in the same Chromium on the page as it stands, reports no WCAG 2.0
or 2.1 level A or AA violation (issue 16, "Done means"). axe-core is pinned in
tests/browser/axe/package-lock.json and installed by scripts/test (scripts/lib/common.sh,
ensure_axe); a missing checker is a broken set-up and fails, it never skips.
"""
from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Runs axe on the whole document and keeps what a reader of a failure needs: the rule, how bad,
# which elements (a CSS selector each) and axe's one-line advice with its own summary.
RUN = """async (tags) => {
  const result = await window.axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.map(String).join(' '), summary: n.failureSummary || ''})),
  }));
}"""


def _inject(page) -> None:
    # The pages' security policy (script-src 'self') refuses inline scripts, which is what
    # page.add_script_tag inserts; page.evaluate runs through the DevTools protocol, outside the
    # page's policy, so the checker is loaded without weakening the policy the walks also test.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    assert page.evaluate("() => typeof window.axe === 'object'"), "axe-core did not load into the page"


def violations(page) -> list[dict]:
    """axe-core's WCAG A/AA violations on the page as it stands."""
    assert AXE.exists(), (f"axe-core is missing ({AXE}): scripts/test installs it (ensure_axe), or run "
                          "`npm ci` in tests/browser/axe")
    _inject(page)
    return page.evaluate(RUN, TAGS)


def report(found: list[dict], where: str) -> str:
    lines = [f"{where}: {len(found)} accessibility rule(s) violated (axe-core, WCAG 2.1 A/AA)"]
    for v in found:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}  <{v['url']}>")
        for n in v["nodes"][:8]:
            summary = " ".join(n["summary"].split())
            lines.append(f"    at {n['target']}: {summary[:300]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


def accessible(page, name: str = "") -> None:
    """Fail, listing each violation (rule, impact, element, advice), if axe finds any."""
    found = violations(page)
    where = f"{name} " if name else ""
    assert not found, report(found, f"{where}{page.url} at {page.viewport_size['width']}px")
