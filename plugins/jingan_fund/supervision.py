"""The district's own questions on a supervision visit: a street's visit to a project in 静安区
answers these beside the street's own checklist (policies stack), each citing the district's
plan — that the money is spent on what the district's list of uses allows, and that the project
came bottom-up through the meetings the plan names."""
from __future__ import annotations

from core.plugin_host.toolkit import Checklist, ChecklistItem, T, hookimpl
from plugins.jingan_fund import clauses


@hookimpl
def tongxin_supervision_checklist(config):
    return Checklist(T("社区发展基金使用检查（区级）", "Community development fund check (district)"), clause=clauses.TWO_FORMS, items=(
        ChecklistItem("fund_spent_on_list", T("经费支出在居民区工作经费使用清单范围内", "Spending stays within the district's list of uses"),
                      clause=clauses.SPENDING_LIST),
        ChecklistItem("fund_formed_bottom_up", T("项目经“三会一代理”“四议”等程序形成，记录齐全", "The project came through 三会一代理 / 四议, with records"),
                      clause=clauses.FORMATION_RECORD),
    ))
