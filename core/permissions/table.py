"""The permission table: which role may take which action, over which objects.

Why one table: who-may-do-what used to be written as role tuples in each service and again as
``may_*`` flags in the web views, and the copies drifted. Here each right is one ``Row`` of
role × action × scope; the service guard, the web button and the API all ask
``core.permissions.check.can``, and ``docs/permissions.md`` is generated from these rows
(``tongxin permissions doc``), so the documentation cannot drift from the code either.

A scope says how the role's unit must relate to the object (see ``Scope``). A role held at a
unit reaches every unit below it, as memberships always have. Plugins add actions and rows
through the ``tongxin_permissions`` hook; ``PermissionTable.extended`` validates them.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Iterable

from core.i18n import T, Text
from core.models.people import Role
from core.permissions.actions import A, Action, ActionRegistry


class Scope(str, enum.Enum):
    """How a role held at a unit reaches an object.

    ``below``: the object's unit is the role's unit or a unit below it (a street admin over
    the street's neighbourhoods). ``above``: the object belongs to the role's unit or a unit
    above it (a neighbourhood sees its street's pool). ``own_unit``: exactly the role's unit.
    ``programme``: the object's programme is run by the role's unit or a unit below it.
    ``assigned``: the object's project is assigned to the actor (a commissioned organisation's
    supervision, ``core.services.supervision``), and the actor's role is held at or above it.
    ``panel`` / ``panel_chair``: the actor sits on (chairs) the review panel of the object's
    programme. ``sponsor_of``: the actor represents the object's sponsor. ``self``: the object
    is the actor's own. ``anywhere``: holding the role at any unit of the tenant is enough."""

    below = "below"
    above = "above"
    own_unit = "own_unit"
    programme = "programme"
    panel = "panel"
    panel_chair = "panel_chair"
    sponsor_of = "sponsor_of"
    self = "self"
    anywhere = "anywhere"
    assigned = "assigned"

    @property
    def label(self) -> Text:
        return SCOPE_LABELS[self]


# Scopes that relate the role's unit to the object's (rather than a panel seat or a sponsor).
UNIT_SCOPES = frozenset({Scope.below, Scope.above, Scope.own_unit, Scope.programme, Scope.anywhere})

SCOPE_LABELS = {
    Scope.below: T("对象所在单位或其上级单位", "at the object's unit or a unit above it"),
    Scope.above: T("对象属于本单位或本单位的上级", "the object belongs to the holder's unit or one above it"),
    Scope.own_unit: T("仅本单位", "own unit only"),
    Scope.programme: T("年度项目的主办单位或其上级", "at the programme's unit or above"),
    Scope.panel: T("该年度项目的评审小组成员", "on the programme's review panel"),
    Scope.panel_chair: T("该年度项目的评审小组组长", "chair of the programme's review panel"),
    Scope.sponsor_of: T("代表该共建单位", "representing the sponsor"),
    Scope.self: T("本人", "oneself"),
    Scope.anywhere: T("任一单位", "at any unit"),
    Scope.assigned: T("街道指派给本机构督导的项目", "projects the street assigned to the holder to supervise"),
}


@dataclass(frozen=True)
class Row:
    """One right: ``role`` may take ``action`` on objects in ``scope``. ``source`` is "core"
    or the plugin that registered the row; ``note`` says why, for the docs."""

    role: Role
    action: Action
    scope: Scope
    note: Text | None = None
    source: str = "core"


# The role the tenant-definition loader acts as at the tenant's root, so that loading a tenant
# file passes the same guards as an administrator would.
ROOT_ROLE = Role.district_admin

R, S = Role, Scope
APPLICANTS = (R.neighbourhood_staff, R.project_member)
ADMINS = (R.street_admin, R.district_admin)


def _rows(roles: Iterable[Role], action: Action, scope: Scope, note: Text | None = None) -> list[Row]:
    return [Row(role, action, scope, note) for role in roles]


CORE_ROWS: tuple[Row, ...] = tuple([
    # Projects: the applicant's staff and team see and edit their own units' projects; oversight
    # roles see submitted ones from above the applicant or above the programme's unit.
    *_rows(APPLICANTS, A.project_view, S.below),
    *_rows(APPLICANTS, A.project_apply, S.below),
    # A programme's own unit applies where a track admits its kind (a street office applying
    # for a street-level co-governance project in its own programme); it does not decide it.
    *_rows(ADMINS, A.project_view, S.own_unit, T("本单位自己申报的项目", "projects the office applies for itself")),
    *_rows(ADMINS, A.project_apply, S.own_unit,
           T("仅当项目类型允许本级单位申报；自己申报的项目由评审小组或上级决定",
             "only where a track admits the office's own kind; the panel or the level above decides it")),
    *_rows((*ADMINS, R.reviewer, R.supervisor), A.project_oversee, S.below,
           T("从申报单位的上级看（镇街审核其村居的申报）", "from above the applicant (a town endorsing its villages)")),
    *_rows((*ADMINS, R.reviewer, R.supervisor), A.project_oversee, S.programme,
           T("从年度项目主办单位的上级看", "from above the programme's unit")),
    Row(R.street_admin, A.project_follow_drafts, S.below,
        T("仅当年度项目的政策允许（office_sees_drafts）；只见名称、申报单位、最后编辑时间和完成度，不见内容",
          "only where the programme's policy allows it (office_sees_drafts); title, unit, last edit and completeness, never the content")),
    Row(R.street_admin, A.project_endorse, S.below,
        T("审核层级的街道（镇）管理员", "street administrators of the endorsing level")),
    *_rows(APPLICANTS, A.change_request, S.below),
    *_rows(ADMINS, A.change_decide, S.programme),
    # Programmes and review.
    *_rows(ADMINS, A.programme_manage, S.below),
    Row(R.reviewer, A.review_read, S.panel),
    *_rows(ADMINS, A.review_read, S.programme),
    Row(R.reviewer, A.review_score, S.panel),
    Row(R.reviewer, A.review_decide, S.panel_chair),
    *_rows(ADMINS, A.review_decide, S.programme),
    # Funds. Administrators see and move the funds of their units; the other staff see their
    # units' funds and those above them (a neighbourhood sees its street's pool), never a
    # sibling street's.
    *_rows((*ADMINS, R.street_leader, R.supervisor, R.reviewer), A.fund_view, S.below,
           T("评审小组看其单位的资金，以便决定从哪里出钱", "reviewers see their units' funds, which a decision draws on")),
    *_rows((*APPLICANTS, R.street_leader, R.supervisor), A.fund_view, S.above,
           T("本单位及上级单位的资金（如所属街道的资金池）", "own and parent units' funds, e.g. the street's pool")),
    *_rows(ADMINS, A.fund_manage, S.below),
    *_rows(ADMINS, A.money_overview, S.below),
    Row(R.district_admin, A.district_overview, S.anywhere),
    # Monthly fund requests, from the applicant's unit up.
    *_rows((*APPLICANTS, R.supervisor, R.street_admin, R.street_leader, R.district_admin), A.fund_request_view, S.below),
    *_rows(APPLICANTS, A.fund_request_file, S.below),
    # An office that applied for its own project (a street's co-governance project in its own
    # programme) also files its fund requests and records their spending; its leader approves
    # the batch, as for any neighbourhood's.
    *_rows(ADMINS, A.fund_request_file, S.own_unit, T("本单位自己申报的项目", "projects the office applied for itself")),
    Row(R.supervisor, A.fund_request_supervise, S.below),
    Row(R.street_admin, A.fund_request_accept, S.below),
    *_rows((*APPLICANTS, R.street_admin), A.fund_request_refund, S.below,
           T("由持有凭据的一方登记：申请单位或街道自治办", "whoever holds the paperwork: the applicant or the street office")),
    *_rows((R.supervisor, R.street_admin, R.street_leader, R.district_admin), A.fund_request_summary, S.anywhere),
    *_rows((R.street_admin, R.street_leader, R.district_admin), A.batch_view, S.below),
    Row(R.street_leader, A.batch_approve, S.below,
        T("另受该领导的审批额度限制", "also bounded by the leader's authority limit")),
    # Sponsors and pledges.
    *_rows(ADMINS, A.sponsor_register, S.below),
    *_rows((*ADMINS, R.neighbourhood_staff), A.pledge_record, S.below),
    Row(R.sponsor, A.pledge_record, S.sponsor_of, T("共建单位自己认捐", "a sponsor pledges for itself")),
    *_rows((*ADMINS, R.neighbourhood_staff), A.pledge_claim, S.below),
    Row(R.sponsor, A.pledge_claim, S.sponsor_of, T("共建单位自己认领项目", "a sponsor claims a project itself")),
    *_rows((*ADMINS, R.neighbourhood_staff, R.supervisor), A.sponsor_view, S.below),
    Row(R.sponsor, A.sponsor_view, S.sponsor_of, T("共建单位看自己的认捐", "a sponsor sees its own pledges")),
    # The audit log: by the unit each entry carries; entries without a unit (people, tokens)
    # only for those holding the role at the tenant's root.
    *_rows(ADMINS, A.audit_read, S.below),
    # inbox: everyone reads their own inbox and marks their own notifications read; the offices
    # hand the roles held at their units over to a successor (with the role's to-dos).
    *_rows(tuple(R), A.inbox_view, S.self),
    *_rows(tuple(R), A.notification_read, S.self),
    *_rows(ADMINS, A.role_hand_over, S.below,
           T("本单位及下级单位人员所任的角色", "roles held at their units and the units below")),
    # Mail that could not be sent: the tenant's administrator (a mail belongs to a person, not
    # to a unit, and the SMTP server is the deployment's).
    Row(R.district_admin, A.mail_manage, S.anywhere,
        T("区级管理员：邮件属于个人而非某个单位", "the district administrator: a mail is a person's, not a unit's")),
    # delivery: plan tasks, activity records, people. The applicant's team writes the plan,
    # records activities and keeps the registry (an office for a project it applied for itself);
    # the oversight roles read them with personal numbers masked; only the applicant's unit and
    # the street office, who need them, read and export those numbers (every export audited).
    # Revising an approved plan is a change request: ``change.request`` / ``change.decide``.
    *_rows((*APPLICANTS, *ADMINS, R.reviewer, R.supervisor, R.street_leader), A.delivery_view, S.below),
    *_rows((*ADMINS, R.reviewer, R.supervisor), A.delivery_view, S.programme,
           T("从年度项目主办单位的上级看", "from above the programme's unit")),
    *_rows(APPLICANTS, A.plan_edit, S.below),
    *_rows(ADMINS, A.plan_edit, S.own_unit, T("本单位自己申报的项目", "projects the office applied for itself")),
    *_rows(APPLICANTS, A.activity_record, S.below),
    *_rows(ADMINS, A.activity_record, S.own_unit, T("本单位自己申报的项目", "projects the office applied for itself")),
    # Correcting or deleting a record (and its photos) is the recording team's while the project
    # runs, and the street office's, which answers for the records of the projects below it.
    *_rows(APPLICANTS, A.activity_edit, S.below, T("登记活动的申请单位和项目团队", "the applicant's unit and team, who record them")),
    Row(R.street_admin, A.activity_edit, S.below, T("街道社区自治办：更正其下项目的记录", "the street office, for the projects below it")),
    Row(R.district_admin, A.activity_edit, S.own_unit, T("本单位自己申报的项目", "projects the office applied for itself")),
    *_rows(APPLICANTS, A.person_record, S.below),
    *_rows(ADMINS, A.person_record, S.own_unit, T("本单位自己申报的项目", "projects the office applied for itself")),
    *_rows(APPLICANTS, A.person_read_personal, S.below, T("申请单位自己", "the applicant's own unit")),
    Row(R.street_admin, A.person_read_personal, S.below, T("街道社区自治办", "the street office")),
    # supervision: visits, rectifications, the archive and the close-out. The street office (or
    # the city, for its own call) supervises the projects below it and may commission a
    # professional organisation, which sees and supervises only the projects assigned to it.
    *_rows((*APPLICANTS, *ADMINS, R.street_leader), A.supervision_view, S.below),
    Row(R.commissioned_org, A.supervision_view, S.assigned, T("仅限街道指派的项目", "only the projects assigned to it")),
    *_rows(ADMINS, A.supervision_assign, S.below),
    *_rows(ADMINS, A.supervision_visit, S.below),
    Row(R.commissioned_org, A.supervision_visit, S.assigned,
        T("受街道委托，督导指派给本机构的项目", "commissioned by the street, for the projects assigned to it")),
    *_rows(APPLICANTS, A.rectification_report, S.below, T("整改责任单位：项目的申报单位", "the owner: the project's applicant")),
    *_rows(ADMINS, A.rectification_accept, S.below, T("由街道自治办确认整改完成", "the office accepts the closure")),
    *_rows(APPLICANTS, A.archive_upload, S.below),
    *_rows(ADMINS, A.project_close, S.programme, T("年度项目的主办单位办理结项", "the programme's office closes its projects")),
    # reporting: obligations with dates. The unit that owes a report writes and hands it in: a
    # neighbourhood's staff and team for their projects and funds, a street (town) office for
    # what the street itself owes (its pilots' monthly report, its supervision of each project).
    # The level the policy names accepts it (core.services.obligations.reports checks the level),
    # never the unit that owes it.
    *_rows((*APPLICANTS, R.street_leader, R.supervisor), A.obligation_view, S.below),
    *_rows(ADMINS, A.obligation_view, S.below),
    *_rows(ADMINS, A.obligation_view, S.programme, T("年度项目主办单位看其应交事项", "the programme's unit sees what falls due in it")),
    *_rows(APPLICANTS, A.obligation_report, S.below),
    *_rows(ADMINS, A.obligation_report, S.own_unit, T("本单位自己应交的报告（镇街的月报、街道的督导）",
                                                     "what the office's own unit owes (a town's monthly report, a street's supervision)")),
    *_rows(ADMINS, A.obligation_review, S.below, T("政策指定的审核层级（街道或区、市）", "at the level the policy names to accept it")),
    # accounts: everyone changes their own password, may add a second factor and holds API tokens; the offices
    # manage the accounts whose every role is held at their units or below (a street office
    # never reaches the district's accounts or a sibling street's).
    *_rows(tuple(R), A.password_change, S.self),
    *_rows(tuple(R), A.second_factor_manage, S.self),
    *_rows(tuple(R), A.token_manage, S.self),
    *_rows(ADMINS, A.user_manage, S.below, T("账号的每个角色都在本单位或下级单位", "every role of the account is held at their units or below")),
])


# accounts: the kinds of unit a role may be given at, where it matters (core.services.accounts):
# an office's role at its own level only, since a district role given at a street would reach
# what the street office itself may not. Roles not named here may be held at any unit.
ROLE_UNIT_KINDS: dict[str, frozenset[str]] = {
    R.district_admin.value: frozenset({"district"}),
    R.street_admin.value: frozenset({"street"}),
    R.street_leader.value: frozenset({"street"}),
    R.neighbourhood_staff.value: frozenset({"neighbourhood", "grid"}),
}


# Separation of duties: whoever may take the second action on an object may not take the first
# on it, whatever rows they hold. An office that applies for its own project does not decide it.
CONFLICTS: dict[str, tuple[Action, Text]] = {
    A.review_decide.key: (A.project_apply, T("本单位申报的项目不能由本单位决定，应由评审小组或上级单位决定",
                                              "an applicant does not decide its own application: the panel or the level above does")),
    A.review_read.key: (A.project_apply, T("本单位申报的项目的评分由评审小组和上级单位查看",
                                            "an applicant does not read the panel's scores of its own application")),
}


class PermissionTable:
    """The rows of one plugin host: core's plus each loaded plugin's. Immutable; extending
    returns a new table, so a plugin refused half-way leaves nothing behind. ``conflicts``
    (core's ``CONFLICTS``) separates duties the rows would otherwise join."""

    conflicts = CONFLICTS

    def __init__(self, registry: ActionRegistry, rows: Iterable[Row]):
        self.registry = registry
        self.rows: tuple[Row, ...] = tuple(rows)
        self._by_action: dict[str, list[Row]] = {}
        for row in self.rows:
            self._by_action.setdefault(row.action.key, []).append(row)

    @classmethod
    def core(cls) -> "PermissionTable":
        return cls(ActionRegistry(), CORE_ROWS)

    def rows_for(self, action: Action | str) -> list[Row]:
        return list(self._by_action.get(self.registry.get(action).key, ()))

    def roles_for(self, action: Action | str) -> tuple[Role, ...]:
        """The roles with any row for ``action`` (e.g. who may be named to a panel)."""
        return tuple(dict.fromkeys(r.role for r in self.rows_for(action)))

    def extended(self, source: str, actions: Iterable[Action], rows: Iterable[tuple]) -> "PermissionTable":
        """A copy with a plugin's actions and rows. Each row is ``(role, action, scope, note)``
        with names as strings or typed values; an unknown role, action or scope raises
        ``ValueError`` naming it, which keeps the plugin out."""
        registry = ActionRegistry(list(self.registry))
        for action in actions:
            if not action.key.startswith(f"{source}."):
                raise ValueError(f"action {action.key!r} must start with the plugin's name ({source}.)")
            registry.add(action)
        new = []
        for role, action, scope, note in rows:
            try:
                typed_role = role if isinstance(role, Role) else Role(role)
            except ValueError:
                raise ValueError(f"unknown role {role!r}; known: {', '.join(r.value for r in Role)}") from None
            try:
                typed_scope = scope if isinstance(scope, Scope) else Scope(scope)
            except ValueError:
                raise ValueError(f"unknown scope {scope!r}; known: {', '.join(s.value for s in Scope)}") from None
            try:
                typed_action = registry.get(action)
            except KeyError as exc:
                raise ValueError(str(exc.args[0])) from None
            new.append(Row(typed_role, typed_action, typed_scope, note, source))
        return PermissionTable(registry, [*self.rows, *new])
