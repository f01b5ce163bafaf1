"""Two small test policies that stack: a street's own (``StreetRules``) and a district's
(``DistrictRules``, no tracks of its own: it only holds beside the streets' policies).

Both set the same kinds of limit — a cap on what a project may ask for and a window for
applying — each from its own config, citing its own document, so a test can show the stricter
cap holding and an action outside one policy's window refused with that policy's clause. Both
declare a fund under the same key ("pool"), which must stay two funds; the district's draws
first (``draw_yuan`` of each approval), the street's meets the rest. Each adds a form, an
attachment kind, a review criterion and budget categories of its own, which add up (or, for
categories, must all hold). ``DistrictRules(version=...)`` is how a newer release is simulated;
its rule reads the version the programme froze (``project.policy_version``).
"""
from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, fields, validate

from core.plugin_host.toolkit import (
    A, Allow, AttachmentKind, Choice, Criterion, Draw, FormSpec, FundSpec, MonthDay, Phase, PolicyInfo, T, Track,
    Violation, YuanDecimal, hookimpl, money_text, on, yuan_to_fen,
)

STREET_DOC = T("《测试街道自治项目办法》", "Test street rules")
DISTRICT_DOC = T("《测试区社区基金办法》", "Test district fund rules")
STREET_CAP = T("街道办法 第一条：单个项目不超过上限", "Street rules §1: a project asks at most the cap")
DISTRICT_CAP = T("区办法 第一条：单个项目不超过上限", "District rules §1: a project asks at most the cap")
STREET_WINDOW = T("街道办法 第二条：申报时段", "Street rules §2: when to apply")
DISTRICT_WINDOW = T("区办法 第二条：申报时段", "District rules §2: when to apply")
DISTRICT_CATEGORIES = T("区办法 第三条：经费使用清单", "District rules §3: the spending list")


class RulesConfig(Schema):
    cap_yuan = YuanDecimal(load_default="5000.00", metadata={"label": T("单个项目上限（元）", "Cap per project (yuan)")})
    opens = MonthDay(load_default="01-01", metadata={"label": T("申报开始（月-日）", "Applications open")})
    closes = MonthDay(load_default="12-31", metadata={"label": T("申报截止（月-日）", "Applications close")})
    draw_yuan = YuanDecimal(load_default="0.00", metadata={"label": T("每个项目由本政策资金支付（元）", "Paid by this policy per project")})
    categories = fields.List(fields.String(validate=validate.Length(min=1, max=20)), load_default=list,
                             metadata={"label": T("预算类别", "Budget categories"), "widget": "lines"})


def _fen(config, key: str) -> int:
    return yuan_to_fen(Decimal(str(config[key])))


class _Rules:
    level = "street"
    applies_below = False
    doc = STREET_DOC
    cap_clause = STREET_CAP
    window_clause = STREET_WINDOW

    def __init__(self, name: str, *, version: str = "1.0"):
        self.name, self.version = name, version
        self.told: list[tuple[str, str | None]] = []  # (action, policy_version) of each transition heard

    @hookimpl
    def tongxin_policy(self):
        return PolicyInfo(name=self.name, title=T(f"测试政策{self.name}", f"Test policy {self.name}"), version=self.version,
                          config_schema=RulesConfig, source=self.doc, programme_level=self.level,
                          applies_below=self.applies_below, rule_codes=("over_cap", "category_not_listed"))

    @hookimpl
    def tongxin_forms(self, config):
        note = Schema.from_dict({"note": fields.String(load_default="", metadata={"label": T("说明", "Note")})})
        return [FormSpec(f"{self.name}_note", T(f"{self.name}说明", f"{self.name} note"), note, required_for_submit=False)]

    @hookimpl
    def tongxin_attachment_kinds(self, config):
        return [AttachmentKind(f"{self.name}_minutes", T(f"{self.name}会议记录", f"{self.name} minutes"))]

    @hookimpl
    def tongxin_review_rubric(self, config):
        return [Criterion(f"{self.name}_fit", T(f"{self.name}契合度", f"{self.name} fit"), 5)]

    @hookimpl
    def tongxin_budget_categories(self, config):
        return [Choice(c, T(c, c)) for c in config["categories"]]

    @hookimpl
    def tongxin_phases(self, config, year):
        return [Phase(f"{self.name}_apply", T(f"{self.name}申报", f"{self.name} applications"),
                      on(year, config["opens"]), on(year, config["closes"]), (Allow(A.project_apply, self.window_clause),))]

    def cap_fen(self, config, project) -> int:
        return _fen(config, "cap_yuan")

    @hookimpl
    def tongxin_project_rules(self, project, action, config, context):
        if action != "submit":
            return []
        found = []
        cap = self.cap_fen(config, project)
        if project.requested_fen > cap:
            found.append(Violation("over_cap", T(f"申请金额不能超过{money_text(cap).zh}", f"At most {money_text(cap).en}"),
                                   field="budget", clause=self.cap_clause))
        listed = set(config["categories"])
        for i, row in enumerate(project.budget):
            if listed and row.category not in listed:
                found.append(Violation("category_not_listed", T(f"第{i + 1}行的类别不在清单内", f"Item {i + 1}: not on the list"),
                                       field=f"budget.{i}.category"))  # no clause: core cites the policy's source
        return found

    @hookimpl
    def tongxin_funds(self, config):
        return [FundSpec("pool", "pool", "programme", T(f"{self.name}资金池", f"{self.name} pool"))]

    @hookimpl
    def tongxin_project_transitioned(self, project, action):
        self.told.append((action, project.policy_version))


class StreetRules(_Rules):
    """The street's own policy: one track; pays what the district's policy left open."""

    @hookimpl
    def tongxin_tracks(self, config):
        return [Track("general", T("常规项目", "General project"), applicants_clause=STREET_DOC)]

    @hookimpl
    def tongxin_funding(self, project, config, context):
        return [Draw("pool", project.approved_fen or 0)]


class DistrictRules(_Rules):
    """The district's policy: no tracks (it owns no programmes), draws ``draw_yuan`` first.
    From version 2.0 on its cap is halved; a programme that froze an older version keeps the
    old cap (the rule reads ``project.policy_version``)."""

    level = "district"
    applies_below = True
    doc = DISTRICT_DOC
    cap_clause = DISTRICT_CAP
    window_clause = DISTRICT_WINDOW

    @hookimpl
    def tongxin_tracks(self, config):
        return []

    def cap_fen(self, config, project) -> int:
        cap = _fen(config, "cap_yuan")
        newer = project.policy_version is not None and int(project.policy_version.split(".")[0]) >= 2
        return cap // 2 if newer else cap

    @hookimpl
    def tongxin_funding(self, project, config, context):
        draw = min(_fen(config, "draw_yuan"), project.approved_fen or 0)
        return [Draw("pool", draw)] if draw else []


class CityCall(StreetRules):
    """A city's own call, enabled at the city like the district's rules but not applying below
    (``applies_below`` False): it judges only its own programmes, never the streets'."""

    level = "district"
