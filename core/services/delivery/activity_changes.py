"""Correcting an activity record, deleting one, and adding or removing its photos and sign-in
sheets, under the rules it was recorded by (``core.services.delivery.activities.record_values``):
inside the project's period, not after today, a task of the plan or the reason why not, and only
while the project is carried out (a closed project takes no more records:
``core.services.closed``). Who may: ``A.activity_edit`` (the recording team while the project
runs, and the street office), asked of the project; someone who may not even see the project's
records is told there is no such record (404), someone who may see them but not change them is
refused (403).

Every change is in the audit log with the values before and after (``core.models.auditing``):
a corrected record's old date, place, names and hours; a deleted record's every column, its
participants and its files (name, size, SHA-256), with the reason given for deleting it.

**Deleting removes, it does not hide.** The record's row goes, and with it its participants, so
every number derived from the records (the project's progress, each volunteer's hours, the
reports prefilled from them, the archive checklist) follows at once without each reader having
to remember a "deleted" flag; a flag one reader forgets would count a deleted activity in a
report to the street. A street office deletes a record because it should never have been there
(recorded twice, on the wrong project, a photo a resident asked to be withdrawn), and expects it
gone; what it needs afterwards is to know who deleted what and why, which the audit log keeps.
The photos and sign-in sheets are removed from storage too, but only **after the deletion is
committed** (``Ctx.after_commit``): a deletion refused or rolled back never loses a file. A
sign-in sheet carries names and often phone numbers, and once its record is gone nothing needs
them (PIPL's minimum). Files are stored by content (``core.services.storage``), so the same
bytes may back another record or document: a file is removed only when no stored row of any kind
still names it.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Sequence

from sqlalchemy import select

from core.db import Base
from core.i18n import T, Text
from core.models import ActivityRecord, Project
from core.permissions import A
from core.services import calendar
from core.services.closed import refuse_if_closed
from core.services.context import Ctx
from core.services.delivery.activities import MAX_PHOTOS, Upload, record_values, stored_files
from core.services.delivery.common import MIN_REASON, REASON_MAX, require_open
from core.services.projects import get_project
from core.violations import Forbidden, NotFound, RuleError, Violation

log = logging.getLogger(__name__)

EDITING = T("修改活动记录", "correct an activity record")
DELETING = T("删除活动记录", "delete an activity record")
ADDING = T("补充活动照片或签到表", "add photos or a sign-in sheet to an activity record")
REMOVING = T("删除活动照片或签到表", "remove a photo or sign-in sheet of an activity record")
RECORD = T("活动记录", "activity record")
KEY_COLUMNS = ("storage_key", "thumb_key")  # how every stored row names its file (core.models)


def editing(ctx: Ctx, activity_id: int, doing: Text) -> tuple[ActivityRecord, Project]:
    """The record and its project, locked, if the actor may change it now."""
    record = ctx.session.get(ActivityRecord, activity_id) if isinstance(activity_id, int) else None
    if record is None:
        raise NotFound(RECORD, field="activity_id")
    project = get_project(ctx, record.project_id, for_update=True)  # not even the project: 404
    if not ctx.can(A.activity_edit, project):
        if not ctx.can(A.delivery_view, project):
            raise NotFound(RECORD, field="activity_id")
        raise Forbidden(T(f"您不能{doing.zh}：只有登记活动的申请单位（项目实施期间）和街道社区自治办可以",
                          f"You may not {doing.en}: only the unit that records the project's activities (while it "
                          f"runs) and the street office may"), field="activity_id")
    refuse_if_closed(ctx, project, doing, field="activity_id")
    require_open(project, doing)
    calendar.require(ctx, project.programme, A.activity_record, project)  # the window recording has
    return record, project


def edit_activity(ctx: Ctx, activity_id: int, held_on: dt.date, place: str, content: str, participant_count: int,
                  participants: Sequence[str] = (), volunteer_hours: str | None = None,
                  plan_task_id: int | None = None, no_task_reason: str = "", public: bool = False) -> ActivityRecord:
    """The record as it should read (every field, as on recording; its files stay). The named
    participants are replaced, so each volunteer's hours follow."""
    record, project = editing(ctx, activity_id, EDITING)
    values, named = record_values(ctx, project, held_on, place, content, participant_count, participants, volunteer_hours,
                            plan_task_id, no_task_reason, bool(record.sign_in_sheets), keep_task=record.plan_task_id)
    with ctx.action("activity.edit"):
        for key, value in values.items():
            setattr(record, key, value)
        record.public = bool(public)
        for old in record.participants:  # deleted by name, not as orphans: the audit log sees only those
            ctx.session.delete(old)
        record.participants = named
    return record


def delete_activity(ctx: Ctx, activity_id: int, reason: str, *, storage) -> int:
    """Delete the record (see the module's doc: removed, its files once committed); the reason
    is kept in the audit log. The project's id."""
    record, project = editing(ctx, activity_id, DELETING)
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise RuleError(Violation("reason_required", T(f"请写明删除的原因（至少{MIN_REASON}个字），将记入操作日志",
                                                       f"Say why it is deleted (at least {MIN_REASON} characters); "
                                                       f"the audit log keeps it"), field="reason"))
    keys = _keys(record.files)
    ctx.session.info["audit_note"] = {"reason": reason[:REASON_MAX]}
    with ctx.action("activity.delete"):
        for child in (*record.participants, *record.files):  # each in the audit log with the record
            ctx.session.delete(child)
        ctx.session.delete(record)
    _forget_after_commit(ctx, storage, keys)
    return project.id


def add_files(ctx: Ctx, activity_id: int, photos: Sequence[Upload] = (), sign_in_sheet: Upload | None = None, *,
              storage) -> ActivityRecord:
    """Photos and a sign-in sheet added to a record, checked as on recording (JPEG or PNG read
    whole by Pillow, stored without location or camera data, with a thumbnail)."""
    record, _ = editing(ctx, activity_id, ADDING)
    if not photos and sign_in_sheet is None:
        raise RuleError(Violation("files_required", T("请选择要上传的照片或签到表", "Choose the photos or the sign-in sheet to upload"),
                                  field="photos"))
    if len(photos) > MAX_PHOTOS:
        raise RuleError(Violation("too_many_photos", T(f"一次最多上传{MAX_PHOTOS}张照片", f"At most {MAX_PHOTOS} photos at once"),
                                  field="photos"))
    files = stored_files(ctx, storage, photos, sign_in_sheet)
    with ctx.action("activity.add_files"):
        record.files.extend(files)
    return record


def remove_file(ctx: Ctx, activity_id: int, file_id: int, *, storage) -> ActivityRecord:
    """One photo or sign-in sheet removed from its record (its file once committed). The last
    sign-in sheet of a record that counts people but names none stays: it is the record's only
    proof of who came."""
    record, _ = editing(ctx, activity_id, REMOVING)
    found = next((f for f in record.files if f.id == file_id), None)
    if found is None:
        raise NotFound(T("活动文件", "activity file"), field="file_id")
    others = [f for f in record.sign_in_sheets if f is not found]
    if found.kind == "sign_in" and not others and record.participant_count > 0 and not record.participants:
        raise RuleError(Violation("sign_in_required", T(
            f"这是本次活动唯一的签到表，活动记有{record.participant_count}人参加：请先补充参加人员名单或上传新的签到表，再删除它",
            f"This is the record's only sign-in sheet for {record.participant_count} participants: list them or upload "
            f"another sheet first"), field="file_id"), status=409)
    keys = _keys([found])
    with ctx.action("activity.remove_file"):
        ctx.session.delete(found)  # by name, so the audit log has it
        record.files.remove(found)
    _forget_after_commit(ctx, storage, keys)
    return record


def _keys(files) -> set[str]:
    return {key for f in files for key in (f.storage_key, f.thumb_key) if key}


def _forget_after_commit(ctx: Ctx, storage, keys: set[str]) -> None:
    if storage is None or not keys:
        return
    session = ctx.session
    ctx.after_commit(lambda: forget(session, storage, keys))


def referenced(session, keys: set[str]) -> set[str]:
    """The ``keys`` some stored row still names, whatever its kind (an activity's file, a
    project's attachment, a voucher, an archive document): every mapped table with a file-key
    column is asked, so a kind added later is asked too."""
    found: set[str] = set()
    for mapper in Base.registry.mappers:
        table = mapper.local_table
        for name in KEY_COLUMNS:
            if name in table.c:
                found.update(session.scalars(select(table.c[name]).where(table.c[name].in_(sorted(keys)))))
    return found


def forget(session, storage, keys: set[str]) -> None:
    """Remove the files of ``keys`` that no row names any more. Runs after the commit; a failure
    here leaves an unreferenced file behind (as a refused upload may), never a row without its
    file, so it is logged and not raised."""
    try:
        # A request storing the very same bytes between this check and the unlink would find its
        # file gone; content-addressed storage makes that a photo uploaded twice within the same
        # instant, and its page then shows the photo missing rather than a wrong one.
        gone = keys - referenced(session, keys)
        session.rollback()  # only read: end the transaction the check opened
        for key in sorted(gone):
            storage.path(key).unlink(missing_ok=True)
    except Exception:  # noqa: BLE001 - the deletion is committed; a file left over harms no one
        log.exception("could not remove the files of a deleted activity record or photo")
