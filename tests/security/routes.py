"""Calling every route of the URL map: the routes themselves (from ``app.url_map``, so a new one is
called or the suite fails), their parameters filled from a scope's objects, and what a response
says, searchable as text (a workbook or a zip is unpacked)."""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from tests import figures

# A row id no table holds: a parameter a scope has no object for still names something that
# does not exist, and the answer must say so without data.
NOTHING = 2_000_000_000
# Ids no scope's objects carry: rows a scope does not own in the matrix's world name nothing.
ID_PARAMS = {"project_id", "unit_id", "programme_id", "attachment_id", "person_id", "sponsor_id", "fund_id",
             "entry_id", "request_id", "batch_id", "pledge_id", "change_id", "notification_id", "token_id",
             "task_id", "revision_id", "activity_id", "file_id", "rectification_id", "item_id", "user_id",
             "delivery_id"}
OTHER_PARAMS = {"tenant", "plugin_name", "form_key", "filename"}
# Routes about what an approved project carries (its registry, delivery, money, archive): called
# with the scope's approved project, when it has one.
APPROVED_PARTS = ("/people", "/activities", "/plan", "/supervision", "/archive", "/tools", "/closeout", "/close",
                  "final-accounts", "fund-requests/projects", "funds/projects", "/fund-requests")
# Routes about what a closed project carries (its close-out, its archive): called with the
# scope's closed project, when it has one.
CLOSED_PARTS = ("/closeout", "/close", "/archive")
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class Route:
    method: str
    rule: str
    endpoint: str
    arguments: tuple[str, ...]

    @property
    def api(self) -> bool:
        return self.rule.startswith("/api/")

    @property
    def write(self) -> bool:
        return self.method in WRITES

    @property
    def label(self) -> str:
        return f"{self.method} {self.rule}"

    def url(self, values: dict) -> str:
        path = self.rule
        for name in self.arguments:
            path = path.replace(f"<{name}>", str(values[name]))
            for conv in ("int", "id", "tenant", "key", "path"):
                path = path.replace(f"<{conv}:{name}>", str(values[name]))
        return path


def routes(app) -> list[Route]:
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            # a rule's defaults (export.xlsx's fmt) are not in its address: nothing to fill
            found.append(Route(method, rule.rule, rule.endpoint, tuple(sorted(rule.arguments - set(rule.defaults or ())))))
    return sorted(found, key=lambda r: (r.rule, r.method))


def unfillable(route: Route) -> list[str]:
    return [a for a in route.arguments if a not in ID_PARAMS | OTHER_PARAMS]


def body_text(response) -> str:
    """What the response says, as text: a zip (xlsx, docx, an archive) unpacked member by member."""
    data = response.get_data()
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                return "\n".join(z.read(n).decode("utf-8", "ignore") for n in z.namelist())
        except zipfile.BadZipFile:
            pass
    return data.decode("utf-8", "ignore")


def json_project_ids(response) -> set[int]:
    """Project ids a JSON answer names: ``project_id`` values and the ``id`` of project-shaped objects."""
    if not response.is_json:
        return set()
    found: set[int] = set()

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("project_id"), int):
                found.add(node["project_id"])
            if isinstance(node.get("id"), int) and "title" in node and "state" in node:
                found.add(node["id"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(response.get_json(silent=True))
    return found


def record_counts(counts: dict) -> None:
    """Add the suite's security figures to the run's (tests/figures.py: scripts/test prints
    them at its end, and fails on a leak)."""
    for name, value in counts.items():
        figures.record(name, value)
