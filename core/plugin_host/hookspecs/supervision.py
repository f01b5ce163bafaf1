"""What a policy declares about supervising approved projects and keeping their records: the
checklist a supervision visit answers, the archive a project keeps and the tools it works with.
All three stack: every policy that applies to a programme contributes (``core.plugin_host.supervision``).
See the package doc (``core.plugin_host.hookspecs``) for the contract."""
from __future__ import annotations

from core.plugin_host.markers import hookspec
from core.plugin_host.supervision import ArchiveItem, Checklist, Tool


@hookspec(firstresult=True)
def tongxin_supervision_checklist(config: dict) -> Checklist | None:
    """The checklist a supervision visit (中期督导, 跟踪调研) of your programme's projects is
    answered by: a ``Checklist`` (its title, the clause asking for visits, and its
    ``ChecklistItem``s, each with a key unique across the programme's policies and the clause it
    comes from), or None. Every policy that applies to the programme adds its checklist (a
    district's beside the street's); a visit answers each item met / partly met / not met / not
    applicable, a mid-term visit must answer every item, and an answer for an item no checklist
    has is refused citing the checklist's clause.

    Example::

        @hookimpl
        def tongxin_supervision_checklist(config):
            plan = T("实施方案 五（二）：七月开展中期督导", "Plan §5(2): mid-term supervision in July")
            return Checklist(T("中期督导检查表", "Mid-term checklist"), clause=plan, items=(
                ChecklistItem("on_schedule", T("按计划推进", "On schedule"), clause=plan),
                ChecklistItem("residents_involved", T("居民参与", "Residents take part"), clause=plan),
            ))
    """


@hookspec(firstresult=True)
def tongxin_archive(config: dict) -> list[ArchiveItem]:
    """The archive each project of your programme keeps (项目档案): ``ArchiveItem``s (key,
    label, clause), each naming the ``Evidence`` that fills it — records of a source the
    platform knows how to find, by key: "attachment" (``params={"kinds": [...]}``: files of
    those kinds, uploaded with the application or to the archive), "form" (``{"form": key}``),
    "expenses" (spending recorded, each with its voucher), "disclosure" (the project's public
    disclosure shows its money), "visits" (supervision visits), and sources other parts of the
    platform register ("plan_tasks", "activity_photos", "people", "reports"...). An item is
    complete when ``need="all"`` (default) or ``"any"`` of its evidence is found; evidence whose
    source is not registered shows as not yet recorded. Items of every applicable policy add up.

    Example::

        @hookimpl
        def tongxin_archive(config):
            notice = T("通知 四.3：项目档案包括……", "Notice §4.3: the archive holds ...")
            return [
                ArchiveItem("minutes", T("会议记录", "Meeting minutes"), clause=notice, evidence=(
                    Evidence("attachment", T("居民会议记录", "Residents' minutes"), {"kinds": ["minutes"]}),)),
                ArchiveItem("spending", T("资金使用明细", "Itemised spending"), clause=notice, evidence=(
                    Evidence("expenses", T("支出及凭证", "Expenses with vouchers")),)),
            ]
    """


@hookspec(firstresult=True)
def tongxin_project_tools(config: dict) -> list[Tool]:
    """The tools (forms and registers) your policy gives projects to work with, in order:
    ``Tool``s with a number, a label, the stage they are used in, and where each is done — a
    source key as for ``tongxin_archive`` ("form", "attachment", "change_requests",
    "final_accounts", "visits", ...). The project page lists them, each linking to where it is
    done, or "not yet available" where no source of that key is registered. Tools of every
    applicable policy add up.

    Example::

        @hookimpl
        def tongxin_project_tools(config):
            stage = T("项目实施阶段", "Implementation")
            return [
                Tool("change", 1, T("项目变更申请表", "Change request form"), stage, "change_requests",
                     note=T("根据需要使用", "as needed")),
                Tool("accounts", 2, T("项目经费决算表", "Final accounts"), T("项目总结阶段", "Closing"),
                     "final_accounts"),
            ]
    """
