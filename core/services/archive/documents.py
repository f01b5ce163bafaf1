"""Documents added to a project's archive after approval (会议纪要, 宣传报道, 社区工作法 ...): the
applicant uploads a file under one of the kinds its policies' archive items ask for as
attachments. An application's own attachments are uploaded while it is a draft
(``core.services.projects.attach``); this is the way for what the year produces afterwards.
The file is checked as every upload is (its size, and its real type by its content)."""
from __future__ import annotations

from core.i18n import T, Text
from core.models import Attachment, Project, ProjectState
from core.permissions import A
from core.plugin_host.contributions import AttachmentKind
from core.services.closed import refuse_if_closed
from core.services.context import Ctx
from core.services.programmes import policy_of
from core.services.projects import get_project
from core.violations import RuleError, Violation

ACCEPTED = AttachmentKind("", T("", "")).content_types  # PDF, JPEG, PNG, Word: as any attachment


def upload_kinds(ctx: Ctx, project: Project) -> list[tuple[str, Text]]:
    """The kinds the archive asks for as attachments, labelled as the policy labels them."""
    policy, config = policy_of(ctx, project.programme)
    declared = {k.key: k.label for k in policy.attachment_kinds(config)}
    out: dict[str, Text] = {}
    for item in policy.archive_items(config):
        for e in item.evidence:
            if e.source != "attachment":
                continue
            for kind in e.params.get("kinds") or ():
                out.setdefault(str(kind), declared.get(str(kind), e.label))
    return list(out.items())


def upload(ctx: Ctx, project_id: int, *, kind: str, file, storage=None) -> Attachment:
    """The applicant adds a document to the approved project's archive."""
    project = get_project(ctx, project_id, for_update=True)
    ctx.require(A.archive_upload, project.applicant_unit, T(
        f"只有「{project.applicant_unit.name}」的工作人员或项目团队可以上传档案材料",
        f"Only the staff or team of {project.applicant_unit.name_en or project.applicant_unit.name} add archive documents"))
    refuse_if_closed(ctx, project, T("上传档案材料", "add archive documents"))
    if project.state != ProjectState.approved.value:
        raise RuleError(Violation("project_not_approved", T(
            "项目立项后才有档案；申报材料请在申报页面的“附件”中上传",
            "The archive starts once the project is approved; upload application files with the application"),
            field="project_id"), status=409)
    kinds = dict(upload_kinds(ctx, project))
    if kind not in kinds:
        names = "、".join(label.zh for label in kinds.values()) or "（本项目的档案不收附件）"
        raise RuleError(Violation("unknown_archive_kind", T(f"档案材料类别无效，可选：{names}",
                                                            f"Not a kind the archive takes; choose one of: {', '.join(kinds)}"),
                                  field="kind", clause=policy_of(ctx, project.programme)[0].info.source))
    name = (getattr(file, "filename", None) or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:255]
    stream = getattr(file, "stream", None)
    if not name or stream is None:
        raise RuleError(Violation("file_missing", T("请选择要上传的文件", "Choose a file to upload"), field="file"))
    data, content_type = storage.read_upload(stream, name, ACCEPTED)
    key, digest = storage.save(ctx.tenant_id, data)
    with ctx.action("archive.upload"):
        att = Attachment(project_id=project.id, kind=kind, filename=name, content_type=content_type, size=len(data),
                         sha256=digest, storage_key=key, uploaded_by_id=ctx.actor.id)
        project.attachments.append(att)
    return att
