"""The supervision hooks stack (core.plugin_host.supervision): a district's checklist, archive
items and tools add up with the street's, own first; an inherited declaration without a clause
cites its policy's source; a key two policies both declare is the later policy's fault; and a
malformed answer is contained as a PluginFailure naming the hook."""
from __future__ import annotations

import pytest
from marshmallow import Schema

from core.plugin_host.validation import PluginFailure
from core.plugin_host.manager import PluginHost
from core.plugin_host.stack import Layer, PolicyStack
from core.plugin_host.toolkit import (ArchiveItem, Checklist, ChecklistItem, Evidence, PolicyInfo, T, Tool, Track,
                                      hookimpl)

STREET_DOC, DISTRICT_DOC = T("《测试街道办法》", "Street rules"), T("《测试区办法》", "District rules")
STREET_VISITS = T("街道办法 第五条：七月中期督导", "Street rules §5: mid-term visits in July")


class Empty(Schema):
    pass


class Street:
    def __init__(self, item_key="on_track", answer=None):
        self.item_key, self.answer = item_key, answer

    @hookimpl
    def tongxin_policy(self):
        return PolicyInfo(name="fx_street", title=T("街道", "Street"), version="1", config_schema=Empty, source=STREET_DOC)

    @hookimpl
    def tongxin_tracks(self):
        return [Track("general", T("自治项目", "Project"))]

    @hookimpl
    def tongxin_supervision_checklist(self):
        if self.answer is not None:
            return self.answer
        return Checklist(T("街道检查表", "Street checklist"), clause=STREET_VISITS, items=(
            ChecklistItem(self.item_key, T("按计划推进", "On track"), clause=STREET_VISITS),))

    @hookimpl
    def tongxin_archive(self):
        return [ArchiveItem("minutes", T("会议记录", "Minutes"), (Evidence("attachment", T("纪要", "Minutes"), {"kinds": ["m"]}),),
                            clause=STREET_VISITS)]

    @hookimpl
    def tongxin_project_tools(self):
        return [Tool("accounts", 1, T("决算表", "Final accounts"), T("结项", "Closing"), "final_accounts")]


class District:
    @hookimpl
    def tongxin_policy(self):
        return PolicyInfo(name="fx_district", title=T("区", "District"), version="1", config_schema=Empty,
                          source=DISTRICT_DOC, programme_level="district", applies_below=True)

    @hookimpl
    def tongxin_supervision_checklist(self):
        return Checklist(T("区检查表", "District checklist"), items=(
            ChecklistItem("district_list", T("在使用清单内", "Within the list")),))

    @hookimpl
    def tongxin_archive(self):
        return [ArchiveItem("district_money", T("资金公开", "Disclosure"), (Evidence("disclosure", T("公开", "Disclosed")),))]

    @hookimpl
    def tongxin_project_tools(self):
        return [Tool("district_form", 1, T("区登记表", "District form"), T("实施", "Carrying out"), "people")]


def stack(street: Street | None = None) -> PolicyStack:
    host = PluginHost(entry_points=False, plugins=[("fx_street", street or Street()), ("fx_district", District())])
    assert host.load_errors == {}
    return PolicyStack(Layer(host.policies["fx_street"], {}, "1", True),
                       [Layer(host.policies["fx_district"], {}, "1", False)])


def test_checklists_archive_items_and_tools_add_up_each_citing_its_document():
    s = stack()
    street, district = s.supervision_checklists({})
    assert (street.policy, district.policy) == ("fx_street", "fx_district")
    assert street.items[0].clause == STREET_VISITS
    assert district.clause == DISTRICT_DOC and district.items[0].clause == DISTRICT_DOC  # cites its source
    assert [i.key for i in s.archive_items({})] == ["minutes", "district_money"]
    assert s.archive_items({})[1].clause == DISTRICT_DOC
    assert [(t.key, t.clause) for t in s.project_tools({})] == [("accounts", None), ("district_form", DISTRICT_DOC)]


def test_a_key_both_policies_declare_is_the_later_policys_fault():
    with pytest.raises(PluginFailure) as failure:
        stack(Street(item_key="district_list")).supervision_checklists({})
    assert failure.value.plugin == "fx_district" and "district_list" in failure.value.detail


@pytest.mark.parametrize("answer", [
    ["not a checklist"],
    Checklist(T("无", "none"), items=("not an item",)),
    Checklist(T("重复", "twice"), items=(ChecklistItem("a", T("甲", "A")), ChecklistItem("a", T("乙", "B")))),
    Checklist("无标题", items=()),
])
def test_a_malformed_checklist_is_contained_naming_the_hook(answer):
    with pytest.raises(PluginFailure) as failure:
        stack(Street(answer=answer)).supervision_checklists({})
    assert failure.value.plugin == "fx_street" and failure.value.hook == "tongxin_supervision_checklist"
