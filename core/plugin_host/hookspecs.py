"""The contract between Tongxin's core and jurisdiction plugins.

A plugin is a module (or object) with functions marked ``@hookimpl``, published under the
entry-point group ``tongxin.plugins``::

    # pyproject.toml of the plugin's distribution
    [project.entry-points."tongxin.plugins"]
    gonghexinlu = "plugins.gonghexinlu.plugin"

Installed is not enabled: core calls a policy's hooks only for programmes of that policy, at
org units where a street (or city) switched it on. Hooks are always called with keyword
arguments, so a hook may gain arguments later without breaking plugins that do not take them.
Everything a plugin returns is validated by core (``core.plugin_host.manager``); anything it
raises is contained, recorded as a ``PluginFault`` for the tenant's administrators, and turned
into a clear refusal for the user, while other tenants and policies keep working.

Every hook below has an example from the 共和新路 plugin (``plugins/gonghexinlu``); the test
``tests/test_hookspecs_documented.py`` fails when a hook lacks a docstring or an example.
"""
from __future__ import annotations

import pluggy

from core.plugin_host.contributions import AttachmentKind, Choice, Criterion, FormSpec, Phase, PolicyInfo, Track
from core.plugin_host.facts import ProjectFacts, RuleContext
from core.violations import Violation

PROJECT_NAME = "tongxin"
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec(firstresult=True)
def tongxin_policy() -> PolicyInfo:
    """Declare the policy: its name (must equal the entry-point name), title, version, the
    source document, which level owns a programme, and the marshmallow config schema whose
    defaults are the document's numbers.

    Example (共和新路)::

        @hookimpl
        def tongxin_policy():
            return PolicyInfo(name="gonghexinlu", title=T("共和新路街道自治项目", "..."),
                              version="2023.1", config_schema=GonghexinluConfig,
                              source=T("《共和新路街道关于进一步支持居民区开展自治项目化工作的实施方案（试行）》", "..."))
    """


@hookspec(firstresult=True)
def tongxin_tracks(config: dict) -> list[Track]:
    """The tracks (project types) a programme under this config accepts, with the directions
    each offers.

    Example (共和新路): ``[Track("yiju_yipin", T("一居一品", ...), directions=(...5 choices)),
    Track("micro_venture", T("七彩微创投", ...), directions=(...7 choices))]``.
    """


@hookspec(firstresult=True)
def tongxin_forms(config: dict) -> list[FormSpec]:
    """The forms an applicant fills, in order. Each ``FormSpec`` names a marshmallow schema that
    validates the API input, renders the HTML form and fills exports.

    Example (共和新路): the 申报意向表 ``FormSpec("intent", ..., IntentForm)`` and the 申报表
    ``FormSpec("application", ..., ApplicationForm)``.
    """


@hookspec(firstresult=True)
def tongxin_attachment_kinds(config: dict) -> list[AttachmentKind]:
    """The kinds of files a project may carry, which are required before submission, and the
    clause that requires them.

    Example (共和新路): ``AttachmentKind("residents_minutes", T("居民代表大会会议记录", ...),
    required_for_submit=True, clause=T("工具清单第3项", ...))``.
    """


@hookspec(firstresult=True)
def tongxin_tags(config: dict) -> list[Choice]:
    """Tags a project may carry (focus areas of the year), or an empty list.

    Example (共和新路): the ten 2023 focus areas, from ``config["focus_areas"]``.
    """


@hookspec(firstresult=True)
def tongxin_phases(config: dict, year: int) -> list[Phase]:
    """The programme's calendar for ``year``. A phase whose ``allows`` contains "submit" is an
    application window: core refuses submissions outside every such window. Frozen into the
    programme when it opens.

    Example (共和新路): the Q1 application window, ``Phase("application", T("申报立项", ...),
    date(year, 1, 1), date(year, 3, 31), frozenset({"submit"}))`` (dates from config).
    """


@hookspec(firstresult=True)
def tongxin_review_rubric(config: dict) -> list[Criterion]:
    """The criteria reviewers score, each 0..max_points.

    Example (共和新路): 可行性 / 操作性 / 合规性, as clause 五(一)2 lists them.
    """


@hookspec(firstresult=True)
def tongxin_check_project(project: ProjectFacts, action: str, config: dict,
                          context: RuleContext) -> list[Violation]:
    """The policy's rules. Called before core lets ``action`` happen ("save", "submit",
    "approve"); return every violation found (empty list when all is well). A violation with
    ``severity="needs_approval"`` does not block submission but must be explicitly approved by
    the named approver in the decision.

    Example (共和新路): on "submit", a second 一居一品 of the same neighbourhood returns
    ``Violation("signature_one_per_neighbourhood", ..., clause=T("实施方案 四（一）", ...))``;
    a micro project over ``config["micro_max_yuan"]`` returns ``micro_over_limit`` citing 七.
    """


@hookspec(firstresult=True)
def tongxin_blueprints() -> list:
    """Flask blueprints with the plugin's own pages (and templates). Core mounts each under
    ``/t/<tenant>/p/<plugin name>/`` and only serves it where the plugin is enabled.

    Example (共和新路): a public page with the year's 申报导则 (directions and focus areas).
    """


@hookspec(firstresult=True)
def tongxin_migration_dirs() -> list[str]:
    """Directories of Alembic revisions for the plugin's own tables: one branch per plugin,
    labelled with the plugin's name and depending on core's head.

    Example: the 共和新路 plugin has no tables yet and returns ``[]``; a plugin with tables
    returns ``[str(Path(__file__).parent / "migrations")]``.
    """


@hookspec
def tongxin_project_transitioned(project: ProjectFacts, action: str, before: str, after: str,
                                 config: dict) -> None:
    """Told after a project changed state (submitted, approved, ...), within the same
    transaction; for side effects a policy wants, such as extra notifications.

    Example (共和新路): nothing yet; core itself notifies the panel on submission.
    """


__all__ = [
    "hookimpl", "hookspec", "AttachmentKind", "Choice", "Criterion", "FormSpec", "Phase",
    "PolicyInfo", "Track", "ProjectFacts", "RuleContext", "Violation",
]
