"""A plugin whose hook implementations take fewer arguments than the hookspecs offer, in
another order. pluggy calls each implementation with just the arguments it names, matched by
keyword, which is why core always calls hooks with keywords: a hook may gain arguments later
without breaking plugins like this one."""
from __future__ import annotations

import datetime as dt

from marshmallow import Schema

from core.plugin_host.toolkit import A, Allow, Phase, PolicyInfo, T, Track, Violation, hookimpl

NAME = "fixture_partial_args"


class Config(Schema):
    pass


@hookimpl
def tongxin_policy():
    return PolicyInfo(name=NAME, title=T("少参数", "Fewer arguments"), version="1", config_schema=Config,
                      source=T("《测试》", "Test"))


@hookimpl
def tongxin_tracks():  # takes no config at all
    return [Track("only", T("唯一类别", "The only track"))]


@hookimpl
def tongxin_phases(year):  # only the year
    return [Phase("application", T("申报", "Applications"), dt.date(year, 1, 1), dt.date(year, 6, 30),
                  (Allow(A.project_apply, T("测试办法 第二条：上半年申报", "Test rules, art. 2: apply in the first half")),))]


@hookimpl
def tongxin_project_rules(action, project):  # two of four, in reverse order
    if action == "submit" and not project.title.strip():
        return [Violation("title_missing", T("请填写项目名称", "Enter a title"), field="title",
                          clause=T("测试 第1条", "Test art. 1"))]
    return [Violation("seen", T(f"已检查「{project.title}」（{action}）", f"checked {project.title} ({action})"),
                      severity="needs_approval")]
