"""晋江's supervision checklist and its project archive (通知 四.3's eight items), as policy data.

The checklist is what the city bureau's mid-term field visit looks at (四.4) against what the
notice asks of a pilot: on schedule for 30 November and not swapped (三, 四.3), the archive kept
as it goes (四.3), the money published to residents (五.2), residents and society taking part
(二.5, 四.3 ④), and the town's monthly progress report by the 20th (五.3).

The archive's items fill themselves from the platform's records where it keeps them (the
consultation minutes, the 项目方案书, supervision visits, spending with vouchers, the public
disclosure, activity photos, the volunteers of the people registry, the completion report with
its final self-assessment and the written summary with its work method) and from documents the
community uploads to the archive (minutes of later meetings, evidence of towns' guidance,
publicity, the mid-term self-assessment, which no obligation of the notice asks to be handed in,
and the distilled work method). The reports are named by the obligations' keys
(``plugins.jinjiang.obligations``).
"""
from __future__ import annotations

from core.plugin_host.toolkit import ArchiveItem, Checklist, ChecklistItem, Evidence, T, hookimpl
from plugins.jinjiang import clauses

FIELD_VISIT = T("通知 四.4：项目中期市民政局将结合我市城乡社区调研工作，组织实地走访了解项目开展情况，并提出意见建议",
                "Notice §4.4: at mid-term the city bureau visits the pilots on site and gives its advice")
ARCHIVE = T("通知 四.3：建立健全项目档案……项目档案主要包括但不限于①至⑧",
            "Notice §4.3: each pilot keeps a project archive holding at least items 1 to 8")
MONTHLY = T("通知 五.3：各相关镇（街道）应于每月20日前向市民政局报送试点工作进展情况",
            "Notice §5.3: each town/street reports its pilots' progress to the city bureau by the 20th of every month")
PARTICIPATION = T("通知 二.5：推进社区与社会组织、社会工作者、社区志愿者、社会慈善资源的“五社联动”机制",
                  "Notice §2.5: communities, social organisations, social workers, volunteers and charity work together")


@hookimpl
def tongxin_supervision_checklist(config):
    return Checklist(T("项目中期实地走访检查表", "Mid-term field visit checklist"), clause=FIELD_VISIT, items=(
        ChecklistItem("on_schedule", T("按项目方案推进，能于11月30日前完成", "Following the plan; will finish by 30 November"),
                      clause=clauses.COMPLETION),
        ChecklistItem("not_swapped", T("项目未中途更换，目标计划具体明确", "Not swapped mid-way; goals stay specific"),
                      clause=clauses.NO_SWAPPING),
        ChecklistItem("archive_kept", T("项目档案建立健全，及时收集视频、音频、照片素材", "The archive is kept, with videos, recordings and photos"),
                      clause=ARCHIVE),
        ChecklistItem("money_disclosed", T("资金使用情况已通过村（居）务公开平台公布", "The money's use is published to residents"),
                      clause=clauses.DISCLOSURE),
        ChecklistItem("society_takes_part", T("居民自治和社会力量参与（五社联动）", "Residents and society take part (five-party linkage)"),
                      clause=PARTICIPATION),
        ChecklistItem("monthly_reported", T("镇（街道）按月报送试点进展", "The town reports progress every month"), clause=MONTHLY),
    ))


def _item(number: str, key: str, label: T, *evidence: Evidence, need: str = "all") -> ArchiveItem:
    return ArchiveItem(key, T(f"{number} {label.zh}", f"{number} {label.en}"), tuple(evidence), need=need,
                       clause=T(f"通知 四.3 项目档案{number}：{label.zh}", f"Notice §4.3, archive item {number}: {label.en}"))


def _uploaded(kind: str, label: T) -> Evidence:
    return Evidence("attachment", label, {"kinds": [kind]})


@hookimpl
def tongxin_archive(config):
    return [
        _item("①", "minutes", T("村（居）民会议、代表会议等相关会议记录、纪要", "Minutes of residents' and representatives' meetings"),
              Evidence("attachment", T("会议记录、纪要", "Meeting minutes"), {"kinds": ["residents_consultation", "meeting_minutes"]})),
        _item("②", "plan_and_photos", T("项目申报方案、项目实施的图文资料", "The project plan and implementation photos and texts"),
              Evidence("form", T("项目方案书", "Project plan"), {"form": "plan"}),
              Evidence("activity_photos", T("活动照片及文字记录", "Activity photos and records"))),
        _item("③", "guidance", T("民政部门和乡镇（街道）开展工作指导督导的佐证材料", "Evidence of guidance and supervision visits"),
              Evidence("visits", T("督导记录", "Supervision visits")),
              _uploaded("guidance_evidence", T("指导督导佐证材料", "Guidance evidence")), need="any"),
        _item("④", "participation", T("社区推动居民自治和社会力量参与的佐证材料", "Evidence of residents' and society's participation"),
              Evidence("people", T("志愿者及参与人员名册", "Volunteers and participants"), {"role": "volunteer"}),
              _uploaded("participation_evidence", T("居民及社会参与佐证材料", "Participation evidence")), need="any"),
        _item("⑤", "spending", T("项目资金使用明细表", "Itemised use of the money"),
              Evidence("expenses", T("支出及凭证", "Expenses with vouchers"))),
        _item("⑥", "disclosure_and_media", T("村（居）务公开及媒体宣传报道的佐证材料", "Evidence of public disclosure and media coverage"),
              Evidence("disclosure", T("资金使用情况公开", "The money published")),
              _uploaded("publicity", T("媒体宣传报道", "Media coverage"))),
        _item("⑦", "self_assessments", T("项目中期自评报告和结项自评报告", "Mid-term and final self-assessment reports"),
              _uploaded("mid_term_self_assessment", T("中期自评报告", "Mid-term self-assessment")),
              Evidence("reports", T("结项自评报告（项目完成情况及结项自评）", "Final self-assessment (the completion report)"),
                       {"obligation": "completion"})),
        _item("⑧", "work_method", T("总结提炼形成的社区工作法", "The distilled community work method"),
              _uploaded("work_method", T("社区工作法", "Community work method")),
              Evidence("reports", T("项目工作总结（含提炼的社区工作法）", "The written summary, with the work method"),
                       {"obligation": "summary"}), need="any"),
    ]
