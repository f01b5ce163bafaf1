"""The actions a person may be allowed to take, as typed names.

Why a registry and not free strings: a permission row, a service guard and a web button must
all name the same action, and a typo must fail loudly, not silently deny (or silently allow).
Core's actions are the members of ``A`` below, so core code refers to them as attributes
(``A.fund_request_file``) and a misspelling is an ``AttributeError`` at import. A plugin adds
its own actions through the ``tongxin_permissions`` hook (``core.plugin_host.hookspecs``); the
host registers them when it loads the plugin, and a row naming an action nobody declared keeps
the plugin out (``PluginHost.load_errors``), as any other invalid contribution does.

An action's key is dotted: ``<object>.<verb>`` (``project.apply``), and a plugin's keys start
with its own name (``riverside.visit``) so two plugins cannot collide.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Iterator

from core.i18n import T, Text

KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


@dataclass(frozen=True)
class Action:
    """One thing a person may do. ``label`` names it in refusals and in docs/permissions.md."""

    key: str
    label: Text

    def __str__(self) -> str:
        return self.key


class A:
    """Core's actions. Add one here (with a row in ``core.permissions.table``) before using it."""

    # projects
    project_view = Action("project.view", T("查看本单位的项目（含草稿）", "see own units' projects, drafts included"))
    project_oversee = Action("project.oversee", T("查看已提交的项目", "see submitted projects"))
    project_follow_drafts = Action("project.follow_drafts", T("查看辖区草稿的进度（政策允许时）",
                                                              "follow the drafts in progress below (where the policy allows)"))
    project_apply = Action("project.apply", T("申报、修改、提交或撤回项目", "apply, edit, submit or withdraw a project"))
    project_endorse = Action("project.endorse", T("审核盖章（镇街审核）", "endorse an application"))
    change_request = Action("change.request", T("提交项目变更申请", "file a change request"))
    change_decide = Action("change.decide", T("决定项目变更申请", "decide a change request"))
    # programmes and review
    programme_manage = Action("programme.manage", T("启用本单位采用的政策、开设年度项目、设置评审小组",
                                                    "enable policies, open programmes, name panels"))
    review_read = Action("review.read", T("查看评分（评审页）", "see the scores (the review page)"))
    review_score = Action("review.score", T("评分", "score an application"))
    review_decide = Action("review.decide", T("作出评审决定", "decide an application"))
    # money: funds and the overview
    fund_view = Action("fund.view", T("查看资金及其流水", "see a fund and its entries"))
    fund_manage = Action("fund.manage", T("拨入、调剂、更正资金", "allocate, transfer or correct a fund's money"))
    district_overview = Action("district.overview", T("查看全区概览", "see the district overview"))
    money_overview = Action("money.overview", T("查看资金总览", "see the money overview"))
    # monthly fund requests
    fund_request_view = Action("fund_request.view", T("查看资金申请", "see fund requests"))
    fund_request_file = Action("fund_request.file", T("提交、撤回资金申请，登记支出", "file or withdraw a fund request, record spending"))
    fund_request_supervise = Action("fund_request.supervise", T("监督委员会审核资金申请", "give the supervision committee's sign-off"))
    fund_request_accept = Action("fund_request.accept", T("审核、退回资金申请并拨付", "accept, refuse and disburse fund requests"))
    fund_request_refund = Action("fund_request.refund", T("登记退回的资金", "record a refund"))
    fund_request_summary = Action("fund_request.summary", T("查看资金申请汇总", "see the fund request summary"))
    batch_view = Action("batch.view", T("查看月度汇总", "see monthly batches"))
    batch_approve = Action("batch.approve", T("审批月度汇总（在权限额度内）", "approve a monthly batch within one's authority"))
    # sponsors and pledges
    sponsor_register = Action("sponsor.register", T("登记共建单位", "register a sponsor"))
    sponsor_view = Action("sponsor.view", T("查看共建单位、共治金及认捐", "see sponsors, co-governance funds and pledges"))
    pledge_record = Action("pledge.record", T("登记认捐、到账，设立共治金", "record pledges and receipts, open a co-governance fund"))
    pledge_claim = Action("pledge.claim", T("认领项目（认捐时指定项目）", "claim a project with a pledge"))
    # the audit log
    audit_read = Action("audit.read", T("查看操作日志", "read the audit log"))
    # inbox: to-dos, notifications and their e-mail, handing a role over
    inbox_view = Action("inbox.view", T("查看自己的收件箱（待办与消息）", "see one's own inbox (to-dos and notifications)"))
    notification_read = Action("notification.read", T("将自己的消息标为已读", "mark one's own notifications read"))
    role_hand_over = Action("role.hand_over", T("交接角色（人员变动）", "hand a role over to a successor (a staff change)"))
    mail_manage = Action("mail.manage", T("查看发送失败的通知邮件并重新发送", "see the notification mails that failed and send them again"))
    # delivery: plan tasks, activity records, people
    delivery_view = Action("delivery.view", T("查看实施计划、活动记录和人员名册（证件号、手机号遮蔽）",
                                              "see the plan, activity records and people registry (numbers masked)"))
    plan_edit = Action("plan.edit", T("编写实施计划，更新任务进度", "write the plan and update its tasks' progress"))
    activity_record = Action("activity.record", T("登记项目活动", "record an activity"))
    activity_edit = Action("activity.edit", T("更正、删除活动记录，补充或删除其照片和签到表",
                                              "correct or delete an activity record, add or remove its photos and sign-in sheets"))
    person_record = Action("person.record", T("登记、删除人员名册中的人员", "add people to or remove them from the registry"))
    person_read_personal = Action("person.read_personal", T("查看和导出完整的身份证号、手机号",
                                                            "see and export full ID and mobile numbers"))
    # supervision, the archive and the close-out
    supervision_view = Action("supervision.view", T("查看项目督导记录、整改、档案和工具",
                                                    "see a project's supervision visits, rectifications, archive and tools"))
    supervision_assign = Action("supervision.assign", T("指派受委托专业机构督导项目",
                                                        "assign a project to a commissioned organisation"))
    supervision_visit = Action("supervision.visit", T("记录督导（中期督导、跟踪调研）并提出整改",
                                                      "record a supervision visit and open rectifications"))
    rectification_report = Action("rectification.report", T("报告整改完成情况", "report what was done to put a rectification right"))
    rectification_accept = Action("rectification.accept", T("确认整改完成或退回", "accept (close) or return a rectification"))
    archive_upload = Action("archive.upload", T("上传项目档案材料", "add documents to a project's archive"))
    project_close = Action("project.close", T("项目结项（决算并释放未使用的承诺资金）",
                                              "close a project (final accounts, unspent commitments released)"))
    # reporting: obligations with dates (应交事项), their reports, and the 通报 of late units
    obligation_view = Action("obligation.view", T("查看应交事项及其报告", "see obligations and their reports"))
    obligation_report = Action("obligation.report", T("填写、提交本单位应交的报告", "write and hand in a report one's unit owes"))
    obligation_review = Action("obligation.review", T("审核报告：通过或退回，通报逾期单位",
                                                      "accept or return reports, issue a notice on late units"))

    # accounts: one's own password and second factor; the offices' accounts of their units
    password_change = Action("password.change", T("修改自己的密码", "change one's own password"))
    second_factor_manage = Action("second_factor.manage", T("启用或停用自己的两步验证（TOTP）",
                                                            "enrol or remove one's own second factor (TOTP)"))
    token_manage = Action("token.manage", T("签发、撤销自己的API令牌", "issue and revoke one's own API tokens"))
    user_manage = Action("user.manage", T("为本单位及下级单位创建、停用、启用账号，重置密码，批量导入账号",
                                          "create, disable, re-enable and reset the accounts of one's units, import them in bulk"))

    @classmethod
    def all(cls) -> list[Action]:
        return [v for v in vars(cls).values() if isinstance(v, Action)]


class ActionRegistry:
    """The actions known to one plugin host: core's, then each loaded plugin's.

    ``get`` is how a plugin's rows are resolved: an unknown key raises ``KeyError`` naming it,
    so the plugin is refused at load time rather than its row being ignored at run time."""

    def __init__(self, actions: Iterable[Action] = ()):
        self._by_key: dict[str, Action] = {}
        for action in A.all():
            self.add(action)
        for action in actions:
            self.add(action)

    def add(self, action: Action) -> Action:
        if not isinstance(action, Action):
            raise TypeError(f"not an Action: {action!r}")
        if not KEY.match(action.key):
            raise ValueError(f"action key {action.key!r} must be dotted lower-case words, e.g. 'riverside.visit'")
        if action.key in self._by_key and self._by_key[action.key] != action:
            raise ValueError(f"action {action.key!r} is declared twice")
        self._by_key[action.key] = action
        return action

    def get(self, key: str | Action) -> Action:
        k = key.key if isinstance(key, Action) else key
        try:
            return self._by_key[k]
        except KeyError:
            raise KeyError(f"unknown action {k!r}; declare it first (known: {', '.join(sorted(self._by_key))})") from None

    def __contains__(self, key) -> bool:
        return (key.key if isinstance(key, Action) else key) in self._by_key

    def __iter__(self) -> Iterator[Action]:
        return iter(self._by_key.values())
