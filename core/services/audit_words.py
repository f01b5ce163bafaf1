"""The words the audit log is read in: what each table holds (项目, 资金申请, 记账条目…), what
each column means, which columns a reader never sees, which columns hold a stored enum (shown by
its label) and what each audited action is called.

The log itself keeps the database's words (``core.models.auditing``: entity = table name,
before/after = column values), because it is append-only and must read as written; these are
only how it is shown, in one place, so the page, the export and the API say the same. The names
follow docs/glossary.md. ``tests/test_audit_words.py`` fails when a table, a shown column or an
audited action has no words here, so a new model cannot leak its English names to a reader.
"""
from __future__ import annotations

from core.i18n import T, Text
from core.models import (BatchState, DeliveryState, EntryKind, FundKind, FundRequestState, ItemState,
                         OutboxState, PersonRole, ProjectState, RectificationState, ReportState, Role, SponsorKind,
                         TaskStatus, UnitKind)
from core.models.obligation import AlertKind
from core.models.supervision import VisitKind, VisitMethod

# -- things ----------------------------------------------------------------------------------------

TABLES: dict[str, Text] = {
    "activity_files": T("活动照片、签到表", "activity photo or sign-in sheet"),
    "activity_participants": T("活动参与人", "activity participant"),
    "activity_records": T("活动记录", "activity record"),
    "api_tokens": T("访问令牌", "access token"),
    "attachments": T("附件", "attachment"),
    "audit_entries": T("审计日志", "audit log"),
    "budget_items": T("预算明细", "budget item"),
    "change_requests": T("项目变更申请", "change request"),
    "decisions": T("评审决定", "decision"),
    "due_items": T("待报事项", "due item"),
    "endorsements": T("审核盖章", "endorsement"),
    "fund_request_batches": T("月度汇总", "monthly batch"),
    "fund_requests": T("资金申请", "fund request"),
    "funds": T("资金", "fund"),
    "ledger_entries": T("记账条目", "ledger entry"),
    "login_sessions": T("登录会话", "signed-in browser"),
    "mail_deliveries": T("邮件投递", "mail delivery"),
    "memberships": T("任职", "role held"),
    "notifications": T("通知", "notification"),
    "obligation_alerts": T("提醒、督办", "reminder or escalation"),
    "obligation_periods": T("报送期", "period"),
    "obligation_reports": T("报告", "report"),
    "obligations": T("应交事项", "obligation"),
    "org_units": T("单位", "unit"),
    "outbox_messages": T("待发任务", "outbox message"),
    "panel_members": T("评审小组成员", "panel member"),
    "plan_revisions": T("计划修订", "plan revision"),
    "plan_tasks": T("实施计划任务", "plan task"),
    "pledges": T("认捐", "pledge"),
    "plugin_enablements": T("政策启用", "policy enabled"),
    "plugin_faults": T("插件故障", "plugin fault"),
    "programmes": T("年度项目", "programme"),
    "project_closeouts": T("结项", "close-out"),
    "projects": T("项目", "project"),
    "rectifications": T("整改", "rectification"),
    "registry_people": T("人员名册", "people registry"),
    "role_handovers": T("工作交接", "handover"),
    "scores": T("评分", "score"),
    "sponsors": T("共建单位", "sponsor"),
    "supervision_assignments": T("督导指派", "supervision assignment"),
    "supervision_visits": T("督导记录", "supervision visit"),
    "users": T("用户", "user"),
    "tenants": T("辖区", "tenant"),
}
OTHER_THING = T("其他记录", "other record")

# -- fields ----------------------------------------------------------------------------------------

# Never shown: the row's own keys, hashes and storage keys, idempotency and dedupe keys, secrets
# (already "***" in the log), a creation stamp that repeats the entry's own time, and machinery.
HIDDEN = frozenset({
    "id", "tenant_id", "created_at", "version", "sha256", "storage_key", "thumb_key", "token_hash", "key_hash",
    "password_hash", "totp_secret", "totp_recovery", "idempotency_key", "dedupe_key", "path", "slug", "transfer_id",
    "plugin_distribution", "kwargs", "task", "facts", "inherited_policies", "content_type", "width", "height",
    "subject_key", "key", "message_en", "label_en", "clause_en", "name_en", "position",
})

_BY = T("经办人", "by")
FIELDS: dict[str, Text] = {
    # what a row belongs to or points at
    "project_id": T("项目", "project"), "programme_id": T("年度项目", "programme"), "org_unit_id": T("单位", "unit"),
    "applicant_unit_id": T("申报单位", "applicant unit"), "street_unit_id": T("街道", "street"),
    "owner_unit_id": T("责任单位", "responsible unit"), "unit_id": T("单位", "unit"),
    "parent_id": T("上级单位", "parent unit"), "user_id": T("用户", "user"), "fund_id": T("资金", "fund"),
    "sponsor_id": T("共建单位", "sponsor"), "pledge_id": T("认捐", "pledge"),
    "budget_item_id": T("预算明细", "budget item"), "batch_id": T("月度汇总", "monthly batch"),
    "fund_request_id": T("资金申请", "fund request"), "voucher_attachment_id": T("凭证/发票", "voucher"),
    "stamp_attachment_id": T("盖章材料", "stamp"), "corrects_id": T("更正的条目", "entry corrected"),
    "plan_task_id": T("任务", "plan task"), "activity_id": T("活动记录", "activity record"),
    "person_id": T("人员", "person"), "visit_id": T("督导记录", "supervision visit"),
    "item_id": T("待报事项", "due item"), "obligation_id": T("应交事项", "obligation"),
    "period_id": T("报送期", "period"), "notification_id": T("通知", "notification"), "actor_id": _BY,
    # who
    "created_by_id": T("创建人", "created by"), "requested_by_id": T("申请人", "requested by"),
    "supervised_by_id": T("监督委员会审核人", "signed off by"), "accepted_by_id": T("街道审核人", "accepted by"),
    "approved_by_id": T("审批人", "approved by"), "recorded_by_id": T("登记人", "recorded by"),
    "uploaded_by_id": T("上传人", "uploaded by"), "decided_by_id": T("决定人", "decided by"),
    "endorsed_by_id": T("审核盖章人", "endorsed by"), "written_by_id": T("填写人", "written by"),
    "submitted_by_id": T("提交人", "submitted by"), "reviewed_by_id": T("审核人", "reviewed by"),
    "noticed_by_id": T("通报人", "notice by"), "closed_by_id": T("结项人", "closed by"),
    "opened_by_id": T("提出人", "opened by"), "reported_by_id": T("报告人", "reported by"),
    "assigned_by_id": T("指派人", "assigned by"), "handed_over_by_id": T("经办人", "handed over by"),
    "from_user_id": T("原任", "from"), "to_user_id": T("接任", "to"), "reviewer_id": T("评审人", "reviewer"),
    # when
    "at": T("时间", "time"), "submitted_at": T("提交时间", "submitted"), "accepted_at": T("街道审核时间", "accepted"),
    "supervised_at": T("监督委员会审核时间", "signed off"), "approved_at": T("审批时间", "approved"),
    "disbursed_at": T("拨付时间", "disbursed"), "decided_at": T("决定时间", "decided"),
    "endorsed_at": T("审核盖章时间", "endorsed"), "uploaded_at": T("上传时间", "uploaded"),
    "scored_at": T("评分时间", "scored"), "requested_at": T("申请时间", "requested"),
    "reviewed_at": T("审核时间", "reviewed"), "noticed_at": T("通报时间", "notice issued"),
    "closed_at": T("结项时间", "closed"), "opened_at": T("提出时间", "opened"), "reported_at": T("报告时间", "reported"),
    "assigned_at": T("指派时间", "assigned"), "ended_at": T("结束时间", "ended"), "revoked_at": T("撤销时间", "revoked"),
    "expires_at": T("到期时间", "expires"), "read_at": T("阅读时间", "read"), "sent_at": T("发送时间", "sent"),
    "claimed_at": T("开始发送时间", "claimed"), "next_attempt_at": T("下次重试时间", "next attempt"),
    "handed_over_at": T("交接时间", "handed over"), "recorded_at": T("记录时间", "recorded"),
    "occurred_at": T("发生时间", "occurred"), "updated_at": T("更新时间", "updated"),
    "password_changed_at": T("密码修改时间", "password changed"), "totp_enabled_at": T("两步验证启用时间", "second factor on"),
    "ends_at": T("截止时刻", "ends"), "overdue_since": T("逾期起始", "overdue since"),
    "starts_on": T("开始日期", "starts"), "ends_on": T("结束日期", "ends"), "due_on": T("截止日期", "due"),
    "opens_on": T("开始报送日期", "opens"), "closes_on": T("结束报送日期", "closes"), "held_on": T("活动日期", "held on"),
    "visited_on": T("督导日期", "visited on"), "pledged_on": T("认捐日期", "pledged on"),
    "consent_on": T("同意日期", "consent given on"), "fires_on": T("提醒日期", "sent on"), "until_on": T("截至", "until"),
    # money
    "amount_fen": T("金额", "amount"), "requested_fen": T("申请金额", "amount requested"),
    "approved_fen": T("批准金额", "amount approved"), "cap_fen": T("上限", "cap"),
    "authority_limit_fen": T("审批权限额度", "authority limit"), "approved_total_fen": T("批准总额", "total approved"),
    "committed_fen": T("已承诺", "committed"), "disbursed_fen": T("已拨付", "disbursed"), "spent_fen": T("已支出", "spent"),
    "released_fen": T("已释放", "released"),
    # what
    "title": T("名称", "title"), "name": T("名称", "name"), "display_name": T("姓名", "name"),
    "username": T("登录名", "user name"), "email": T("电子邮箱", "e-mail"), "locale": T("语言", "language"),
    "is_active": T("账号启用", "account active"), "must_change_password": T("须修改密码", "must change password"),
    "state": T("状态", "state"), "status": T("状态", "status"), "kind": T("类型", "kind"), "track": T("项目类型", "track"),
    "forms": T("申报表", "forms"), "tags": T("标签", "tags"), "description": T("说明", "description"),
    "category": T("预算类别", "category"), "filename": T("文件名", "file name"), "size": T("文件大小", "size"),
    "outcome": T("结果", "outcome"), "explanation": T("说明", "explanation"), "approvals": T("批准事项", "approvals"),
    "details": T("详情", "details"), "funding": T("资金来源", "funding sources"), "points": T("评分", "points"),
    "comment": T("评语", "comment"), "chair": T("组长", "chair"), "year": T("年度", "year"),
    "plugin_name": T("政策", "policy"), "plugin_version": T("政策版本", "policy version"), "config": T("设置", "settings"),
    "phases": T("年度安排", "calendar"), "month": T("月份", "month"), "purpose": T("用途", "purpose"),
    "beneficiaries": T("受益人", "beneficiaries"), "budget_item_description": T("预算明细", "budget item"),
    "refusal_reason": T("退回理由", "reason refused"), "supervision_note": T("监督委员会意见", "supervision's note"),
    "memo": T("摘要", "memo"), "in_kind": T("实物", "in kind"), "occasion": T("事由", "occasion"),
    "contact": T("联系人", "contact"), "reason": T("理由", "reason"), "decision_reason": T("决定理由", "reason for the decision"),
    "proposed_track": T("变更后的项目类型", "proposed track"), "proposed_forms": T("变更后的申报表", "proposed forms"),
    "tasks": T("任务", "tasks"), "number": T("次序", "number"), "body": T("内容", "content"),
    "review_note": T("审核意见", "review note"), "label_zh": T("名称", "name"), "clause_zh": T("依据", "clause"),
    "owed_by": T("报送方", "owed by"), "accepted_by": T("审核方", "accepted by"), "fund_kind": T("资金类型", "fund kind"),
    "fund_name": T("资金名称", "fund name"), "policy": T("政策", "policy"), "escalation_level": T("督办级别", "escalation level"),
    "notice_text": T("通报内容", "notice"), "address": T("地址", "address"), "attempts": T("尝试次数", "attempts"),
    "last_error": T("错误信息", "last error"), "subject": T("标题", "subject"), "link": T("链接", "link"),
    "role": T("角色", "role"), "level": T("级别", "level"), "message_zh": T("提醒内容", "message"),
    "gender": T("性别", "gender"), "id_number": T("身份证号码", "ID number"), "mobile": T("手机号码", "mobile"),
    "duty": T("分工或服务内容", "duty"), "skills": T("特长", "skills"), "consent": T("本人同意", "consent"),
    "consent_note": T("同意方式", "how consent was given"), "no_task_reason": T("无对应任务的理由", "why no task"),
    "place": T("地点", "place"), "content": T("内容", "content"), "participant_count": T("参与人数", "participants"),
    "volunteer_tenths": T("志愿服务时长", "volunteer hours"), "public": T("公开", "public"),
    "method": T("方式", "method"), "visitors": T("督导人员", "visitors"), "observed": T("所见情况", "observed"),
    "advice": T("意见建议", "advice"), "checklist": T("督导清单", "checklist"), "recorder_role": T("记录人角色", "recorder's role"),
    "item": T("整改事项", "item"), "report": T("整改情况", "report"), "returned_reason": T("退回理由", "reason returned"),
    "times_returned": T("退回次数", "times returned"), "acceptance_note": T("确认意见", "acceptance note"),
    "summary": T("结项小结", "summary"), "open_todos": T("移交的待办", "open to-dos"), "panel_seats": T("评审小组席位", "panel seats"),
    "hook": T("出错环节", "hook"), "error": T("错误信息", "error"), "enabled": T("启用", "enabled"), "code": T("编码", "code"),
    "_note": T("说明", "note"),
}
# Where a column means something narrower in one table.
TABLE_FIELDS: dict[tuple[str, str], Text] = {
    ("projects", "title"): T("项目名称", "title"), ("plan_tasks", "title"): T("任务名称", "task"),
    ("plan_tasks", "owner"): T("负责人", "owner"), ("funds", "kind"): T("资金类型", "fund kind"),
    ("funds", "tier"): T("补助档次", "tier"), ("ledger_entries", "kind"): T("记账类型", "entry kind"),
    ("attachments", "kind"): T("附件类别", "attachment kind"), ("activity_files", "kind"): T("文件类别", "file kind"),
    ("sponsors", "kind"): T("共建单位类型", "sponsor kind"), ("org_units", "kind"): T("单位层级", "unit level"),
    ("supervision_visits", "kind"): T("督导类型", "visit kind"), ("obligation_alerts", "kind"): T("提醒类型", "alert kind"),
    ("notifications", "kind"): T("通知类型", "notification kind"), ("login_sessions", "address"): T("网络地址", "network address"),
    ("mail_deliveries", "address"): T("收件地址", "address"), ("registry_people", "address"): T("楼组/门牌", "address"),
    ("rectifications", "closed_by_id"): T("确认人", "accepted by"), ("rectifications", "closed_at"): T("确认时间", "accepted"),
    ("obligation_reports", "number"): T("第几次报送", "hand-in"), ("plan_revisions", "number"): T("第几次修订", "revision"),
    ("api_tokens", "name"): T("令牌名称", "token name"), ("budget_items", "description"): T("预算明细", "budget item"),
    ("activity_participants", "name"): T("姓名", "name"), ("registry_people", "name"): T("姓名", "name"),
    ("activity_participants", "volunteer_tenths"): T("志愿服务时长", "volunteer hours"),
}

# Columns that hold a stored enum: shown by the enum's label.
ENUMS: dict[tuple[str, str], type] = {
    ("projects", "state"): ProjectState, ("fund_requests", "state"): FundRequestState,
    ("fund_request_batches", "state"): BatchState, ("funds", "kind"): FundKind, ("ledger_entries", "kind"): EntryKind,
    ("sponsors", "kind"): SponsorKind, ("memberships", "role"): Role, ("role_handovers", "role"): Role,
    ("obligation_alerts", "role"): Role, ("plan_tasks", "status"): TaskStatus, ("registry_people", "role"): PersonRole,
    ("rectifications", "state"): RectificationState, ("supervision_visits", "kind"): VisitKind,
    ("supervision_visits", "method"): VisitMethod, ("due_items", "state"): ItemState,
    ("mail_deliveries", "state"): DeliveryState, ("outbox_messages", "state"): OutboxState,
    ("supervision_visits", "recorder_role"): Role, ("funds", "fund_kind"): FundKind, ("obligations", "fund_kind"): FundKind,
}
# Stored enums without a label of their own.
OWN_LABELS: dict[tuple[str, str], dict[str, Text]] = {
    ("obligation_reports", "state"): {ReportState.draft.value: T("草稿", "draft"),
                                      ReportState.submitted.value: T("已提交", "submitted"),
                                      ReportState.returned.value: T("已退回", "returned"),
                                      ReportState.accepted.value: T("已通过", "accepted")},
    ("obligation_alerts", "kind"): {AlertKind.reminder.value: T("提醒", "reminder"),
                                    AlertKind.escalation.value: T("督办", "escalation")},
    ("activity_files", "kind"): {"photo": T("照片", "photo"), "sign_in": T("签到表", "sign-in sheet")},
    ("attachments", "kind"): {"voucher": T("凭证/发票", "voucher")},  # and each policy's kinds (audit_view)
    ("obligations", "owed_by"): {"applicant": T("申报单位", "the applicant"),
                                 "applicant_parent": T("申报单位的上级", "the applicant's parent unit"),
                                 "programme": T("年度项目所属单位", "the programme's unit"),
                                 "fund_owner": T("资金所属单位", "the fund's owner")},
    ("obligations", "accepted_by"): {"owner": T("报送单位", "the unit that owes it"),
                                     "neighbourhood": T("居民区", "neighbourhood"), "street": T("街道", "street"),
                                     "district": T("区", "district")},
}
# Stored values whose enum has no label of its own (outcomes, a request's decision, a gender).
VALUES: dict[str, Text] = {
    "approved": T("通过", "approved"), "rejected": T("不通过", "rejected"), "returned": T("退回修改", "returned"),
    "endorsed": T("已审核盖章", "endorsed"), "pending": T("待决定", "pending"), "refused": T("未同意", "refused"), "open": T("待处理", "open"),
    "male": T("男", "male"), "female": T("女", "female"), "zh": T("中文", "Chinese"), "en": T("英文", "English"),
}
VALUE_COLUMNS = frozenset({("decisions", "outcome"), ("endorsements", "outcome"), ("change_requests", "status"),
                           ("plan_revisions", "status"), ("registry_people", "gender"), ("users", "locale")})


def unit_kind_label(value: str) -> Text | None:
    try:
        kind = UnitKind(value)
    except ValueError:
        return None
    return T(kind.label_zh, kind.value)


# -- actions ---------------------------------------------------------------------------------------

ROW_ACTIONS: dict[str, Text] = {"create": T("新建", "created"), "update": T("修改", "changed"), "delete": T("删除", "deleted")}
ACTIONS: dict[str, Text] = {
    "audit.read": T("查看审计日志", "read the audit log"), "audit.export": T("导出审计日志", "exported the audit log"),
    "tenants.load": T("导入辖区设置", "loaded the tenant's definition"),
    "auth.logout": T("退出登录", "signed out"), "auth.login": T("登录", "signed in"),
    "auth.token_issue": T("签发访问令牌", "issued an access token"), "auth.token_revoke": T("撤销访问令牌", "revoked an access token"),
    "credentials.change": T("修改登录凭据", "changed credentials"), "password.change": T("修改密码", "changed password"),
    "second_factor.begin": T("开始启用两步验证", "began enrolling a second factor"),
    "second_factor.enable": T("启用两步验证", "enabled the second factor"),
    "second_factor.remove": T("停用两步验证", "removed the second factor"),
    "second_factor.recovery_code_used": T("使用恢复码登录", "used a recovery code"),
    "user.create": T("创建账号", "created an account"), "user.create_admin": T("创建管理员账号", "created an administrator"),
    "user.import": T("批量导入账号", "imported accounts"), "user.disable": T("停用账号", "disabled an account"),
    "user.enable": T("重新启用账号", "re-enabled an account"), "user.reset_password": T("重置密码", "reset a password"),
    "plugin.enable": T("启用政策并保存设置", "enabled a policy"), "plugin.disable": T("停用政策", "disabled a policy"),
    "programme.open": T("开设年度项目", "opened a programme"), "programme.panel": T("设置评审小组", "named the review panel"),
    "project.create": T("新建项目", "created a project"), "project.budget": T("修改预算", "changed the budget"),
    "project.attach": T("上传附件", "uploaded an attachment"), "project.submit": T("提交申报", "submitted"),
    "project.withdraw": T("撤回项目", "withdrew"), "project.endorse": T("审核盖章", "endorsed"),
    "project.endorsed": T("审核盖章通过", "endorsed"), "project.returned": T("审核盖章退回", "returned at endorsement"),
    "project.change_request": T("提交项目变更申请", "filed a change request"),
    "project.change_decision": T("决定项目变更申请", "decided a change request"), "project.close": T("项目结项", "closed a project"),
    "review.score": T("评分", "scored"), "review.decide": T("作出评审决定", "decided"),
    "fund.create": T("设立资金", "opened a fund"), "fund.set_cap": T("设置资金上限", "set a fund's cap"),
    "fund_request.file": T("提交资金申请", "filed a fund request"), "fund_request.withdraw": T("撤回资金申请", "withdrew a fund request"),
    "fund_request.supervise": T("监督委员会审核", "signed off a fund request"),
    "fund_request.supervision_refuse": T("监督委员会退回", "supervision refused a fund request"),
    "fund_request.accept": T("街道审核资金申请", "accepted a fund request"), "fund_request.refuse": T("退回资金申请", "refused a fund request"),
    "fund_request.disburse": T("拨付", "disbursed"), "fund_request.voucher": T("登记支出和凭证", "recorded spending"),
    "fund_request.batch_open": T("开立月度汇总", "opened a monthly batch"),
    "fund_request.batch_approve": T("领导审批月度汇总", "approved a monthly batch"),
    "ledger.transfer": T("调拨资金", "transferred money"), "ledger.correction": T("更正记账", "corrected an entry"),
    "sponsor.register": T("登记共建单位", "registered a sponsor"), "pledge.record": T("登记认捐", "recorded a pledge"),
    "pledge.receive": T("登记到账", "recorded a receipt"), "sponsor_fund.open": T("设立共治金", "opened a co-governance fund"),
    "notification.read": T("阅读通知", "read a notification"), "notification.read_all": T("全部标为已读", "read all notifications"),
    "role.hand_over": T("工作交接", "handed a role over"), "mail.claim": T("开始发送邮件", "began sending mail"),
    "mail.sent": T("邮件已发送", "mail sent"), "mail.failed": T("邮件发送失败", "mail failed"),
    "mail.retry": T("重新发送邮件", "sent mail again"), "outbox.send": T("发送待发任务", "sent an outbox message"),
    "outbox.failed": T("待发任务失败", "outbox message failed"),
    "plan.set": T("编写实施计划", "wrote the plan"), "plan.task_status": T("更新任务进度", "updated a task"),
    "plan.revision_request": T("申请修订计划", "asked to revise the plan"),
    "plan.revision_decision": T("决定计划修订", "decided a plan revision"),
    "activity.record": T("登记活动", "recorded an activity"), "activity.edit": T("更正活动记录", "corrected an activity"),
    "activity.delete": T("删除活动记录", "deleted an activity"), "activity.add_files": T("补充活动照片", "added activity files"),
    "activity.remove_file": T("删除活动照片", "removed an activity file"),
    "person.add": T("登记人员", "added a person"), "person.remove": T("删除人员", "removed a person"),
    "person.anonymise": T("匿名化人员信息", "anonymised a person"), "person.export": T("导出人员名册", "exported the registry"),
    "supervision.assign": T("指派督导", "assigned supervision"), "supervision.unassign": T("取消督导指派", "ended an assignment"),
    "supervision.visit": T("记录督导", "recorded a visit"), "rectification.report": T("报告整改情况", "reported a rectification"),
    "rectification.accept": T("确认整改完成", "accepted a rectification"),
    "rectification.return": T("退回整改", "returned a rectification"), "archive.upload": T("上传档案材料", "added to the archive"),
    "obligation.report_save": T("保存报告", "saved a report"), "obligation.report_submit": T("提交报告", "handed in a report"),
    "obligation.report_return": T("退回报告", "returned a report"), "obligation.report_accept": T("通过报告", "accepted a report"),
    "obligation.notice": T("通报逾期单位", "issued a notice"), "obligations.daily": T("每日提醒与督办", "daily reminders"),
}
LEDGER_PREFIX = "ledger."
FORM_PREFIX = "project.form."  # project.form.<the policy's form key>


def action_label(key: str, registry=None) -> Text:
    """What an audited action is called: a row-level fallback, a named action, a ledger posting
    (by its entry kind), a declared operation or a permission action (a plugin's own), else the key."""
    if key in ROW_ACTIONS:
        return ROW_ACTIONS[key]
    if key in ACTIONS:
        return ACTIONS[key]
    if key.startswith(FORM_PREFIX):
        return T("填写申报表", "filled in a form")
    if key.startswith(LEDGER_PREFIX):
        try:
            kind = EntryKind(key[len(LEDGER_PREFIX):]).label
            return T(f"记账：{kind.zh}", f"ledger: {kind.en}")
        except ValueError:
            pass
    from core.door.catalogue import operations  # late: the door imports the services

    for op in operations():
        if op.key == key:
            return op.summary
    if registry is not None and key in registry:
        return registry.get(key).label
    return T(key, key)


def thing(entity: str) -> Text:
    return TABLES.get(entity, OTHER_THING)


# Hidden in one table only: a notification's kind is the machinery's key, its subject says it.
HIDDEN_IN = frozenset({("notifications", "kind"), ("obligation_alerts", "position")})


def field_label(entity: str, key: str) -> Text | None:
    """The label of a column as shown, or None when the column is not shown."""
    if key in HIDDEN or (entity, key) in HIDDEN_IN:
        return None
    return TABLE_FIELDS.get((entity, key)) or FIELDS.get(key)



# What a read or an export of the log asked for (``audit.read`` / ``audit.export`` entries).
FILTERS: dict[str, Text] = {
    "entity": T("对象类型", "kind"), "entity_id": T("对象编号", "record"), "unit_id": T("单位", "unit"),
    "actor_id": T("操作人", "person"), "action": T("操作", "action"), "since": T("起始日期", "from"),
    "until": T("截止日期", "to"), "rows": T("导出条数", "rows exported"),
}
