"""The audit log as a street office reads it: each entry's time in Shanghai (2023年3月15日 14:05),
who acted, what they did, the thing it touched by its name (项目「口袋花园」), and each change in
words: 状态：评审中 → 已立项; 金额：1,000.00元 → 1,200.00元; a creation listed as 新建, a
deletion as 删除. Internal columns (keys, hashes, stamps) are left out; the words come from
``core.services.audit_words``.

The names of the rows an entry points at (a project's title, a user's name, a fund's name) are
read for a whole page at once, in one statement (a UNION of one select per kind of row), so a
page costs the same whatever the number of its entries. The page (``core.web.admin``) and the
export (``core.documents.audit_log``) both show what this module makes; the API keeps the raw
values and ISO times, and adds these words beside them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import String, cast, literal, null, select, union_all

from core import formats
from core.db import Base
from core.i18n import T, Text
from core.money import format_money
from core.services import audit_words as words
from core.services.context import Ctx

EMPTY = T("（空）", "(empty)")
YES, NO = T("是", "yes"), T("否", "no")
FILLED, CHANGED = T("（已填写）", "(filled in)"), T("（已修改）", "(changed)")
SYSTEM = T("系统", "system")
EVENTS = "audit_entries"  # the entity of a read or an export of the log itself
LONG_TEXT = 200  # characters of a long text shown in the log

# The rows whose name an entry may show instead of their id: table → (name column, English column).
NAMES: dict[str, tuple[str, str | None]] = {
    "users": ("display_name", None), "org_units": ("name", "name_en"), "projects": ("title", None),
    "programmes": ("title", None), "funds": ("name", None), "sponsors": ("name", None),
    "budget_items": ("description", None), "plan_tasks": ("title", None), "attachments": ("filename", None),
    "activity_files": ("filename", None), "obligations": ("label_zh", "label_en"),
    "obligation_periods": ("label_zh", "label_en"), "fund_request_batches": ("month", None),
    "fund_requests": ("purpose", None),
}


# -- times -------------------------------------------------------------------------------------------

# The log writes its times and days as every page does (core.formats).
moment_text, day_text = formats.moment_text, formats.day_text


# -- what one entry says ------------------------------------------------------------------------------

@dataclass
class Change:
    label: str
    before: str | None  # None: nothing before (a creation) or nothing to compare (a long document)
    after: str | None


@dataclass
class EntryView:
    id: int
    at: str
    actor: str
    action: str
    kind: str          # "create", "update", "delete", or "event" (a read, an export: no row changed)
    thing: str         # 项目「口袋花园」
    unit: str
    changes: list[Change] = field(default_factory=list)


def _targets(entity: str) -> dict[str, str]:
    """Each column of ``entity`` that points at another row: column → that row's table."""
    table = Base.metadata.tables.get(entity)
    if table is None:
        return {}
    return {c.name: next(iter(c.foreign_keys)).column.table.name for c in table.columns if c.foreign_keys}


def _policy_labels(ctx: Ctx) -> dict[str, dict[str, Text]]:
    """Every installed policy's track and attachment-kind labels by key (with its default
    settings: a label does not depend on the numbers a street sets)."""
    out: dict[str, dict[str, Text]] = {"track": {}, "attachment": {}}
    for policy in getattr(ctx.host, "policies", {}).values():
        try:
            config = policy.stored_config({})
            for track in policy.tracks(config):
                out["track"].setdefault(track.key, track.label)
            for kind in policy.attachment_kinds(config):
                out["attachment"].setdefault(kind.key, kind.label)
        except Exception:  # noqa: BLE001 - a failing plugin leaves its keys unnamed, the page still shows
            continue
    return out


class Reader:
    """Turns a page of entries into words, with the names it needs read in one statement."""

    def __init__(self, ctx: Ctx, locale: str | None = None):
        self.ctx = ctx
        self.locale = locale or ctx.locale or "zh"
        self.names: dict[tuple[str, int], Text] = {}
        self._policy: dict[str, dict[str, Text]] | None = None

    def say(self, text: Text | None) -> str:
        return text.render(self.locale) if text is not None else ""

    # The names of every row the entries point at.
    def load_names(self, entries) -> None:
        wanted: dict[str, set[int]] = {}
        for e in entries:
            if e.org_unit_id is not None:
                wanted.setdefault("org_units", set()).add(e.org_unit_id)
            if e.entity in NAMES and e.entity_id is not None:
                wanted.setdefault(e.entity, set()).add(e.entity_id)
            if e.entity == EVENTS:
                for key, table in (("unit_id", "org_units"), ("actor_id", "users")):
                    if isinstance((e.after or {}).get(key), int):
                        wanted.setdefault(table, set()).add(e.after[key])
            for column, table in _targets(e.entity).items():
                if table not in NAMES:
                    continue
                for values in (e.before or {}, e.after or {}):
                    ref = values.get(column)
                    if isinstance(ref, int) and not isinstance(ref, bool):
                        wanted.setdefault(table, set()).add(ref)
        wanted = {t: ids - {i for (n, i) in self.names if n == t} for t, ids in wanted.items()}
        parts = []
        for table_name, ids in sorted(wanted.items()):
            if not ids:
                continue
            table = Base.metadata.tables[table_name]
            zh, en = NAMES[table_name]
            parts.append(select(literal(table_name, String).label("t"), table.c.id.label("id"),
                                cast(table.c[zh], String).label("zh"),
                                (cast(table.c[en], String) if en else cast(null(), String)).label("en"))
                         .where(table.c.id.in_(sorted(ids)), table.c.tenant_id == self.ctx.tenant_id))
        if not parts:
            return
        stmt = parts[0] if len(parts) == 1 else union_all(*parts)
        for t, i, zh, en in self.ctx.session.execute(stmt):
            if t == "fund_request_batches":  # a batch is named by its month: 2023年3月
                zh, en = formats.month_text(zh, "zh"), formats.month_text(zh, "en")
            self.names[(t, i)] = Text(zh or "", en or zh or "")

    def policy_labels(self, kind: str) -> dict[str, Text]:
        if self._policy is None:
            self._policy = _policy_labels(self.ctx)
        return self._policy[kind]

    def value(self, entity: str, key: str, value, targets: dict[str, str]) -> str:
        """One stored value as a person reads it."""
        if value is None or value == "" or value == [] or value == {}:
            return self.say(EMPTY)
        if isinstance(value, bool):
            return self.say(YES if value else NO)
        if key in targets and isinstance(value, int):
            name = self.names.get((targets[key], value))
            return self.say(name) if name is not None and name.zh else f"#{value}"
        if key.endswith("_fen") and isinstance(value, int):
            return format_money(value, self.locale)
        if key == "volunteer_tenths" and isinstance(value, int):
            hours = f"{value // 10}.{value % 10}" if value % 10 else str(value // 10)
            return self.say(T(f"{hours}小时", f"{hours} h"))
        if isinstance(value, str):
            label = self._label(entity, key, value)
            if label is not None:
                return self.say(label)
            if key == "at" or key.endswith("_at") or key == "overdue_since":
                return moment_text(value, self.locale)
            if key.endswith("_on"):
                return day_text(value, self.locale)
            return value if len(value) <= LONG_TEXT else value[:LONG_TEXT - 1] + "…"
        if isinstance(value, (dict, list)):
            return self.say(FILLED)
        return str(value)

    def _label(self, entity: str, key: str, value: str) -> Text | None:
        enum_class = words.ENUMS.get((entity, key))
        if enum_class is not None:
            try:
                return enum_class(value).label
            except ValueError:
                return None
        own = words.OWN_LABELS.get((entity, key))
        if own is not None and value in own:
            return own[value]
        if (entity, key) == ("attachments", "kind"):
            return self.policy_labels("attachment").get(value)
        if (entity, key) in words.VALUE_COLUMNS:
            return words.VALUES.get(value)
        if (entity, key) == ("org_units", "kind"):
            return words.unit_kind_label(value)
        if key in ("track", "proposed_track"):
            return self.policy_labels("track").get(value)
        if key in ("plugin_name", "policy") and value in getattr(self.ctx.host, "policies", {}):
            return self.ctx.host.policies[value].info.title
        return None

    def note(self, note) -> str:
        """What a service said beside the change (``_note``): a reason, or why it was let
        through outside its phase."""
        if not isinstance(note, dict):
            return str(note)
        override = note.get("phase_override")
        if isinstance(override, dict):
            reason = override.get("reason", "")
            return self.say(T(f"时段外办理，理由：{reason}", f"outside its window, because: {reason}"))
        if "reason" in note:
            return self.say(T(f"理由：{note['reason']}", f"reason: {note['reason']}"))
        return self.say(FILLED)

    def changes(self, entry) -> list[Change]:
        before, after = entry.before or {}, entry.after or {}
        if entry.before is None and entry.after is None:
            return []
        targets = _targets(entry.entity)
        keys = list(after) + [k for k in before if k not in after]
        out = []
        for key in keys:
            if key == "_note":
                out.append(Change(self.say(words.FIELDS["_note"]), None, self.note(after.get(key, before.get(key)))))
                continue
            label = words.field_label(entry.entity, key)
            if label is None:
                continue
            old, new = before.get(key), after.get(key)
            if entry.before is None:
                if new in (None, "", [], {}):
                    continue  # a creation lists what was filled in
                out.append(Change(self.say(label), None, self.value(entry.entity, key, new, targets)))
            elif entry.after is None:
                if old in (None, "", [], {}):
                    continue
                out.append(Change(self.say(label), self.value(entry.entity, key, old, targets), None))
            elif old != new:
                if isinstance(old, (dict, list)) or isinstance(new, (dict, list)):
                    out.append(Change(self.say(label), None, self.say(CHANGED)))
                else:
                    out.append(Change(self.say(label), self.value(entry.entity, key, old, targets),
                                      self.value(entry.entity, key, new, targets)))
        return out

    def thing(self, entry) -> str:
        kind = self.say(words.thing(entry.entity))
        if entry.entity_id is None:
            return kind
        name = None
        column = NAMES.get(entry.entity, (None, None))[0]
        snapshot = entry.after or entry.before or {}
        if column and isinstance(snapshot.get(column), str) and snapshot.get(column):
            name = snapshot[column]
        elif (entry.entity, entry.entity_id) in self.names:
            name = self.say(self.names[(entry.entity, entry.entity_id)])
        if name:
            return self.say(T(f"{kind}「{name}」", f'{kind} "{name}"'))
        project = self.names.get(("projects", snapshot.get("project_id")))
        if project is not None:  # a decision, a score, a fund request: by the project it belongs to
            return self.say(T(f"{kind}（项目「{project.zh}」）", f'{kind} (project "{project.en}")'))
        return f"{kind} #{entry.entity_id}"

    def entry(self, entry, user) -> EntryView:
        if entry.before is None and entry.after is not None and entry.entity_id is not None:
            kind = "create"
        elif entry.after is None and entry.before is not None:
            kind = "delete"
        elif entry.entity_id is None:
            kind = "event"
        else:
            kind = "update"
        return EntryView(
            id=entry.id, at=moment_text(entry.at, self.locale),
            actor=user.display_name if user is not None else self.say(SYSTEM),
            action=self.say(words.action_label(entry.action, self.ctx.permissions.registry)),
            kind=kind, thing=self.thing(entry),
            unit=self.say(self.names.get(("org_units", entry.org_unit_id))) if entry.org_unit_id else "",
            changes=self.changes(entry) if kind != "event" else self._event(entry))

    def _event(self, entry) -> list[Change]:
        """A read or an export: what was asked for (the filter), in words."""
        out = []
        asked = entry.after or {}
        for key in words.FILTERS:  # in the filter's order, whatever order the database kept
            value = asked.get(key)
            if value in (None, ""):
                continue
            if key == "entity":
                shown = self.say(words.thing(str(value)))
            elif key == "action":
                shown = self.say(words.action_label(str(value), self.ctx.permissions.registry))
            elif key in ("unit_id", "actor_id") and isinstance(value, int):
                name = self.names.get(("org_units" if key == "unit_id" else "users", value))
                shown = self.say(name) if name is not None else f"#{value}"
            elif key in ("since", "until"):
                shown = day_text(value, self.locale)
            elif key == "entity_id":
                shown = f"#{value}"
            else:
                shown = str(value)
            out.append(Change(self.say(words.FILTERS[key]), None, shown))
        return out


def present(ctx: Ctx, rows, locale: str | None = None) -> list[EntryView]:
    """Each (entry, user) of a page as an ``EntryView``; one statement for the names."""
    reader = Reader(ctx, locale)
    reader.load_names([e for e, _ in rows])
    return [reader.entry(e, u) for e, u in rows]
