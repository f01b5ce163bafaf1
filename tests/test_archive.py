"""The archive and the tools (core.services.archive): 晋江's eight-item archive fills itself from a
pilot's records (the consultation minutes, the 方案书, a supervision visit, spending with its
voucher, the public disclosure) and from documents the community uploads, and shows what is
missing; items whose records another part of the platform keeps show "not yet recorded" until
a source is registered for them (the seam: registered at runtime, here by the test). 共和新路's
twelve tools each say where they are done, or that they are not available yet."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from werkzeug.datastructures import FileStorage

from core.i18n import T
from core.plugin_host.sources import Finding, Link, Source, SourceRegistry
from core.services import archive, endorsement, ledger, review, supervision
from core.services.archive.sources import register_core
from core.violations import Forbidden, RuleError
from tests.factories import JINJIANG_SELECTION_DAY, PDF, PNG, acting, jinjiang_project, on_day
from tests.money_factories import approved_project

pytestmark = pytest.mark.usefixtures("settings")
VISIT_DAY = "2023-07-18"


def pilot(platform) -> int:
    pid = jinjiang_project(platform, "qinghua", "jj-qingyang-a")
    with acting(platform, "jinjiang", "qingyang_admin") as ctx:
        endorsement.endorse(ctx, pid, "endorsed")
    with on_day(JINJIANG_SELECTION_DAY), acting(platform, "jinjiang", "jj_chair") as ctx:
        review.decide(ctx, pid, "approved", details={"selection": {"tier": "city"}})
    return pid


def rows(platform, pid: int, username: str = "qinghua") -> dict:
    with on_day(VISIT_DAY), acting(platform, "jinjiang", username) as ctx:
        return {r.item.key: r for r in archive.project_archive(ctx, pid).rows}


def upload(platform, pid: int, kind: str, name: str = "材料.pdf", data: bytes = PDF, username: str = "qinghua"):
    with on_day(VISIT_DAY), acting(platform, "jinjiang", username) as ctx:
        return archive.upload(ctx, pid, kind=kind, file=FileStorage(io.BytesIO(data), name), storage=platform.storage)


def test_the_archive_fills_itself_from_what_was_recorded_and_shows_what_is_missing(platform):
    pid = pilot(platform)
    found = rows(platform, pid)
    assert list(found) == ["minutes", "plan_and_photos", "guidance", "participation", "spending", "disclosure_and_media",
                           "self_assessments", "work_method"]
    assert found["minutes"].complete  # the residents' consultation minutes came with the application
    assert found["minutes"].item.clause.zh.startswith("通知 四.3 项目档案①")
    plan, photos = found["plan_and_photos"].found
    # Activity photos are the delivery's records (registered when the platform was built): none yet.
    assert plan.finding.found and not photos.finding.found and photos.finding.registered
    assert not found["plan_and_photos"].waiting_for_the_platform and "尚无活动照片" in photos.finding.detail.zh
    assert [k for k, r in found.items() if r.complete] == ["minutes"]

    # The city's mid-term field visit, spending with its voucher, and the community's uploads.
    with on_day(VISIT_DAY), acting(platform, "jinjiang", "jj_admin") as ctx:
        supervision.record_visit(ctx, pid, visited_on=dt.date(2023, 7, 18), kind="tracking", method="visit",
                                 visitors="市民政局 李科长", observed="邻里驿站已建成并开始值守。")
    voucher = upload(platform, pid, "publicity", "晋江经济报报道.png", PNG)
    upload(platform, pid, "work_method", "邻里驿站工作法.pdf")
    with acting(platform, "jinjiang", "jj_admin") as ctx:
        [(fund, _)] = [(f, b) for f, b in _funds(ctx, pid)]
        ledger.disburse(ctx, fund.id, 10_000_00, pid, "t:archive:pay", memo="首笔补助拨付")
        ledger.expense(ctx, fund.id, 8_000_00, pid, "t:archive:spend", memo="驿站桌椅", voucher_attachment_id=voucher.id)
    found = rows(platform, pid)
    done = {k for k, r in found.items() if r.complete}
    assert done == {"minutes", "guidance", "spending", "disclosure_and_media", "work_method"}
    assert "已督导1次" in found["guidance"].found[0].finding.detail.zh
    assert "1笔支出，均附凭证" in found["spending"].found[0].finding.detail.zh
    assert found["disclosure_and_media"].found[0].finding.link == Link("web.disclosure.project")
    # The commissioned-organisation-free city office reads the same archive.
    assert {k for k, r in rows(platform, pid, "jj_admin").items() if r.complete} == done

    # The seam: the delivery registered its sources when the platform was built; another one
    # under the same key is refused (tests/test_archive_sources.py fills every item for real).
    def photos_found(ctx, project, params):
        return Finding(True, T("3张活动照片", "3 activity photos"), Link("web.projects.show"), 3)
    with pytest.raises(ValueError, match="registered already"):
        platform.host.sources.register(Source("activity_photos", T("活动照片", "activity photos"), photos_found,
                                              lambda project, params: Link("web.projects.show")))


def _funds(ctx, pid):
    from core.services import funding
    from core.services.projects import get_project
    return funding.approved_funding(ctx, get_project(ctx, pid))


def test_archive_documents_are_refused_for_the_wrong_kind_person_project_or_file(platform):
    pid = pilot(platform)
    with pytest.raises(RuleError) as no:
        upload(platform, pid, "receipt")
    v = no.value.violations[0]
    assert v.code == "unknown_archive_kind" and "社区工作法" in v.message.zh and "晋江市民政局" in v.clause.zh
    with pytest.raises(Forbidden):
        upload(platform, pid, "work_method", username="andong")
    with pytest.raises(RuleError) as no:
        upload(platform, pid, "work_method", "工作法.exe", b"MZ\x90\x00not a document")
    assert no.value.status == 415
    not_yet = jinjiang_project(platform, "andong", "jj-anhai-a")
    with pytest.raises(RuleError) as no:
        upload(platform, not_yet, "work_method", username="andong")
    assert no.value.violations[0].code == "project_not_approved"
    with on_day(VISIT_DAY), acting(platform, "jinjiang", "qinghua") as ctx:
        # Nothing was added: the archive's documents are the minutes the application came with.
        assert [a.kind for a in archive.project_archive(ctx, pid).documents] == ["residents_consultation"]


def test_the_tools_of_gonghexinlu_each_say_where_they_are_done(platform):
    pid = approved_project(platform)
    with acting(platform, "jingan", "luochuan") as ctx:
        tools = archive.project_tools(ctx, supervision.project_for_supervision(ctx, pid))
    assert [t.tool.number for t in tools] == list(range(1, 13))
    assert [t.tool.number for t in tools if t.available] == list(range(1, 13))  # every tool has its source now
    by = {t.tool.number: t for t in tools}
    assert by[2].link == Link("web.projects.show", "form-application") and by[2].finding.found
    assert by[3].finding.found and by[3].tool.clause.zh == "附件2 工具清单 第3项：居民代表大会会议记录"
    assert not by[1].finding.found  # the intent form is optional and was not filled in
    assert by[4].link == Link("web.delivery.plan_page") and "尚未编写实施计划" in by[4].finding.detail.zh
    assert by[12].link == Link("web.projects.show", "fund-requests") and "决算表为空" in by[12].finding.detail.zh


def test_a_source_registry_takes_each_key_once():
    registry = SourceRegistry()
    register_core(registry)
    register_core(registry)  # again: nothing changes
    assert {"attachment", "expenses", "visits", "form", "disclosure", "final_accounts", "change_requests"} == set(registry.keys())
    with pytest.raises(ValueError, match="registered already"):
        registry.register(Source("visits", T("别的", "other"), lambda *a: None, lambda *a: None))
    unknown = registry.find(None, None, "people", {})
    assert not unknown.found and not unknown.registered
    assert archive.CORE_SOURCES[0].key == "form"
