"""Valid bodies for the matrix's writes: what the owner of the object would send, so that a
write naming a foreign object reaches the check of who may act on it rather than stopping at
the input schema (an empty body proves only that the schema holds).

A body is chosen by the end of the route's rule (the same operation on the web and the API
takes the same fields: ``OP.from_form`` and ``@blp.arguments(OP.schema)`` read one schema); a
write with no entry here is sent without a body, as it takes none or one too costly to build
(a checklist, a spreadsheet of accounts). Money keys are fresh on every call, so an
idempotent replay never stands in for the write itself."""
from __future__ import annotations

import io
import itertools
import re

from tests.factories import PDF, PNG

_keys = itertools.count(1)
_TASK = {"title": "清理空地", "owner": "居委会", "starts_on": "2023-04-01", "ends_on": "2023-06-30"}
_ACTIVITY = {"held_on": "2023-03-14", "place": "12号楼前空地", "content": "志愿者清理空地", "participant_count": 5,
             "no_task_reason": "计划外的日常活动"}

# rule ending (a regular expression) -> body, given the scope's ids
BODIES: list[tuple[str, object]] = [
    (r"/fund-requests/<[^>]+>/(acceptance|accept)$", lambda v: {"month": "2023-04"}),
    (r"/fund-requests/<[^>]+>/(refusal|refuse)$", lambda v: {"reason": "材料不全，请补充后重新申请"}),
    (r"/fund-requests/<[^>]+>/(supervision|supervise)$", lambda v: {"outcome": "approved", "note": "同意"}),
    (r"/fund-requests/<[^>]+>/expenses$", lambda v: {"amount": "10", "memo": "购买物料", "key": _key(),
                                                     "voucher": _file("发票.pdf", PDF)}),
    (r"/fund-requests/<[^>]+>/refunds$", lambda v: {"amount": "10", "memo": "结余退回", "key": _key()}),
    (r"/projects/<[^>]+>/fund-requests$", lambda v: {"amount": "100", "purpose": "购买物料", "key": _key()}),
    (r"/funds/<[^>]+>/allocations$", lambda v: {"amount": "100", "memo": "拨入", "key": _key()}),
    (r"/funds/entries/<[^>]+>/corrections$", lambda v: {"memo": "金额登记有误，予以更正", "key": _key()}),
    (r"/pledges/<[^>]+>/receipts$", lambda v: {"amount": "100", "key": _key()}),
    (r"/co-funds/<[^>]+>/receipts$", lambda v: {"pledge_id": v["pledge_id"], "amount": "100", "key": _key()}),
    (r"/co-funds/<[^>]+>/pledges$", lambda v: {"sponsor_id": v["sponsor_id"], "amount": "100", "key": _key()}),
    (r"/plan-tasks/<[^>]+>/status$", lambda v: {"status": "in_progress"}),
    (r"/plan-revisions/<[^>]+>/decision$", lambda v: {"outcome": "approved", "reason": "同意调整"}),
    (r"/projects/<[^>]+>/plan$", lambda v: {"tasks": [_TASK]}),
    (r"/projects/<[^>]+>/plan/revisions$", lambda v: {"reason": "场地施工推迟，计划顺延", "tasks": [_TASK]}),
    (r"/projects/<[^>]+>/activities$", lambda v: {**_ACTIVITY, "sign_in_sheet": _file("签到表.pdf", PDF)}),
    (r"/activities/<[^>]+>(/edit)?$", lambda v: dict(_ACTIVITY)),
    (r"/activities/<[^>]+>/(deletion|delete)$", lambda v: {"reason": "重复登记，予以删除"}),
    (r"/activities/<[^>]+>/files$", lambda v: {"photos": _file("照片.png", PNG)}),
    (r"/obligations/<[^>]+>/report$", lambda v: {"body": {"progress": "组建团队", "activities": "议事会"}}),
    (r"/obligations/<[^>]+>/return$", lambda v: {"reason": "请补充参与人次统计口径"}),
    (r"/obligations/<[^>]+>/review$", lambda v: {"do": "accept", "note": "已阅"}),
    (r"/obligations/<[^>]+>/acceptance$", lambda v: {"note": "已阅"}),
    (r"/obligations/<[^>]+>/notice$", lambda v: {"text": "请于本周内提交季报"}),
    (r"/rectifications/<[^>]+>/report$", lambda v: {"report": "已补齐签到表并上传"}),
    (r"/rectifications/<[^>]+>/(acceptance|accept)$", lambda v: {"outcome": "accepted", "note": "同意"}),
    (r"/supervision/visits$", lambda v: {"visited_on": "2023-03-14", "kind": "tracking", "method": "visit",
                                         "visitors": "社区自治办 王老师", "observed": "进展正常"}),
    (r"/projects/<[^>]+>/(closeout|close)$", lambda v: {"summary": "项目按计划完成，已交付居民使用"}),
    (r"/projects/<[^>]+>/people$", lambda v: {"name": "张志愿", "role": "volunteer", "consent": True}),
    (r"/projects/<[^>]+>/(change-requests|changes/new)$", lambda v: {"reason": "居民需求变化，调整项目内容"}),
    (r"/change-requests/<[^>]+>/(decision|decide)$", lambda v: {"outcome": "approved", "reason": "同意"}),
    (r"/projects/<[^>]+>/(decision|decide)$", lambda v: {"outcome": "approved"}),
    (r"/projects/<[^>]+>/(endorsement|endorse)$", lambda v: {"outcome": "endorsed"}),
    (r"/projects/<[^>]+>/(scores|score)$", lambda v: {"points": {"feasibility": 8, "operability": 7, "compliance": 9},
                                                      "comment": "可行"}),
    (r"/supervision/(assignments|assignments/end|assign|unassign)$", lambda v: {"user_id": v["user_id"]}),
    (r"/programmes/<[^>]+>/panel$", lambda v: {"user_ids": [v["user_id"]], "chair_id": v["user_id"]}),
    (r"/projects/<[^>]+>/budget$", lambda v: {"items": [{"description": "活动物料", "amount": "100"}]}),
    (r"/projects/<[^>]+>/(attachments|archive/documents)$", lambda v: {"kind": "supporting", "file": _file("材料.pdf", PDF)}),
]


def _key() -> str:
    return f"matrix-{next(_keys)}"


def _file(name: str, data: bytes):
    return lambda: (io.BytesIO(data), name)


def body_for(rule: str, values: dict) -> dict | None:
    for pattern, make in BODIES:
        if re.search(pattern, rule):
            return make(values)
    return None


def has_files(body: dict) -> bool:
    return any(callable(v) for v in body.values())


def as_multipart(body: dict) -> dict:
    """The body as a form with its files opened (each call gets a fresh stream)."""
    return {k: (v() if callable(v) else v) for k, v in body.items() if not isinstance(v, (list, dict))}


def as_form(body: dict) -> dict:
    """The scalar fields as a web form posts them (a report's fields are the page's own)."""
    flat = {**body.pop("body", {}), **body} if isinstance(body.get("body"), dict) else dict(body)
    return {k: (v() if callable(v) else ("y" if v is True else v)) for k, v in flat.items()
            if not isinstance(v, (list, dict))}
