"""A small, well-behaved policy that can be told to fail in chosen hooks.

``SamplePolicy(name, fail_in={"tongxin_project_rules"})`` behaves like a real plugin with a
bug: the named hooks raise ``ZeroDivisionError`` (``"form_schema"``: its form's validator does). Every hook is a method, so several instances
can be registered side by side under different names.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.plugin_host.toolkit import (
    A, Allow, Criterion, FormSpec, Phase, PolicyInfo, T, Track, Violation, format_yuan, hookimpl, yuan_to_fen,
)

CLAUSE = T("测试办法 第一条", "Test rules, article 1")
APPLICANTS = T("测试办法 第三条：由规定的单位申报", "Test rules, article 3: who applies")


def _month_day(value: str) -> None:
    try:  # 2001 is not a leap year: a window must exist every year
        dt.datetime.strptime(f"2001-{value}", "%Y-%m-%d")
    except (TypeError, ValueError):
        raise ValidationError("应为“月-日”格式，如 12-31 | Must be month-day, e.g. 12-31") from None


class SampleConfig(Schema):
    max_yuan = fields.Decimal(places=2, as_string=True, load_default="1000.00", validate=validate.Range(min=0),
                              metadata={"label": T("单个项目上限（元）", "Limit per project (yuan)")})
    closes = fields.String(load_default="12-31", validate=_month_day,
                           metadata={"label": T("申报截止（月-日）", "Applications close (month-day)")})


class ProposalForm(Schema):
    title = fields.String(required=True, validate=validate.Length(min=2, max=60),
                          metadata={"label": T("项目名称", "Title")})
    summary = fields.String(required=True, validate=validate.Length(min=5, max=500),
                            metadata={"label": T("项目简介", "Summary")})


class CrashingProposalForm(ProposalForm):
    """The same form with a buggy validator: schemas are plugin code too."""

    @validates_schema
    def _buggy(self, data, **kwargs):
        1 / 0


class SamplePolicy:
    def __init__(self, name: str = "fixture_sample", *, fail_in=(), level: str = "street",
                 applicant_kinds: tuple[str, ...] = ("neighbourhood",)):
        self.name, self.fail_in, self.level = name, frozenset(fail_in), level
        self.applicant_kinds = applicant_kinds  # ("street",): the programme's own office applies
        self.transitions: list[tuple[int | None, str, str, str]] = []

    def _maybe_fail(self, hook: str) -> None:
        if hook in self.fail_in:
            1 / 0  # a bug in the plugin, not a deliberate refusal

    def _limit_fen(self, config) -> int:
        return yuan_to_fen(Decimal(str(config["max_yuan"])))

    @hookimpl
    def tongxin_policy(self):
        self._maybe_fail("tongxin_policy")
        return PolicyInfo(name=self.name, title=T("测试政策", "Test policy"), version="1.0",
                          config_schema=SampleConfig, source=T("《测试办法》", "Test rules"),
                          programme_level=self.level)

    @hookimpl
    def tongxin_tracks(self, config):
        self._maybe_fail("tongxin_tracks")
        return [Track("general", T("常规项目", "General project"), applicant_kinds=self.applicant_kinds,
                      applicants_clause=APPLICANTS)]

    @hookimpl
    def tongxin_forms(self, config):
        self._maybe_fail("tongxin_forms")
        schema = CrashingProposalForm if "form_schema" in self.fail_in else ProposalForm
        return [FormSpec("proposal", T("项目建议书", "Proposal"), schema)]

    @hookimpl
    def tongxin_attachment_kinds(self, config):
        self._maybe_fail("tongxin_attachment_kinds")
        return []

    @hookimpl
    def tongxin_tags(self, config):
        return []

    @hookimpl
    def tongxin_phases(self, config, year):
        self._maybe_fail("tongxin_phases")
        month, day = (int(p) for p in config["closes"].split("-"))
        return [Phase("application", T("申报", "Applications"), dt.date(year, 1, 1), dt.date(year, month, day),
                      (Allow(A.project_apply, CLAUSE),))]

    @hookimpl
    def tongxin_review_rubric(self, config):
        return [Criterion("merit", T("价值", "Merit"), 5)]

    @hookimpl
    def tongxin_project_rules(self, project, action, config, context):
        self._maybe_fail("tongxin_project_rules")
        limit = self._limit_fen(config)
        if action == "submit" and project.requested_fen > limit:
            return [Violation("over_limit", T(f"申请金额不能超过{format_yuan(limit)}元", f"At most {format_yuan(limit)} yuan"),
                              field="budget", clause=CLAUSE)]
        return []

    @hookimpl
    def tongxin_project_transitioned(self, project, action, before, after):
        self._maybe_fail("tongxin_project_transitioned")
        self.transitions.append((project.id, action, before, after))
