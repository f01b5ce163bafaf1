"""Enabling policies at streets, opening programmes (which freezes every policy that applies),
the programme's policies (``policy_of``: its own and those it inherits, as one ``PolicyStack``),
and panels.

**Policies stack.** A policy that applies below (``PolicyInfo.applies_below``: a district's
rules) enabled on a unit applies to every programme of the units below it, beside the
programme's own policy. When a programme opens it freezes each of them: its own policy's config,
calendar and version in their columns, and every such policy enabled (and switched on) at a unit
above its own, nearest settings winning where one policy is enabled at two levels, in
``Programme.inherited_policies``. A policy enabled above later applies from the next
programme on; a change of settings likewise. How the policies' answers combine is
``core.plugin_host.stack``.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from core.i18n import T
from core.models import Membership, OrgUnit, PanelMember, PluginEnablement, Programme, User
from core.permissions import A
from core.plugin_host.contributions import Phase
from core.plugin_host.manager import Policy
from core.plugin_host.stack import Layer, PolicyStack
from core.services.context import Ctx
from core.services.org import get_unit
from core.violations import Forbidden, NotFound, RuleError, Violation

PROGRAMME = T("年度项目", "programme")


def _require_admin(ctx: Ctx, unit) -> None:
    if not ctx.can(A.programme_manage, unit):
        raise Forbidden(T(f"您不是「{unit.name}」的管理员", f"You do not administer {unit.name_en or unit.name}"))


def enablements(ctx: Ctx, unit_id: int | None = None) -> list[PluginEnablement]:
    stmt = select(PluginEnablement).order_by(PluginEnablement.id)
    if unit_id is not None:
        stmt = stmt.where(PluginEnablement.org_unit_id == unit_id)
    return list(ctx.session.scalars(stmt))


def enable_plugin(ctx: Ctx, unit_id: int, plugin_name: str, config: dict | None = None,
                  enabled: bool = True) -> PluginEnablement:
    """Switch a policy on (or off) at a street or city with settings validated by the plugin's
    own config schema. Existing programmes keep the config they froze."""
    unit = get_unit(ctx, unit_id)
    _require_admin(ctx, unit)
    policy = ctx.host.policy(plugin_name)
    if unit.kind != policy.info.programme_level:
        raise RuleError(Violation(
            "wrong_level",
            T(f"「{policy.info.title.zh}」只能在{_level_zh(policy.info.programme_level)}一级启用",
              f"'{policy.info.title.en}' is enabled at {policy.info.programme_level} level"),
            field="org_unit_id"))
    stored = policy.stored_config(config)
    row = ctx.session.scalars(select(PluginEnablement).where(
        PluginEnablement.org_unit_id == unit.id, PluginEnablement.plugin_name == plugin_name)).one_or_none()
    with ctx.action("plugin.enable" if enabled else "plugin.disable"):
        if row is None:
            row = PluginEnablement(org_unit_id=unit.id, plugin_name=plugin_name, config=stored, enabled=enabled)
            ctx.session.add(row)
        elif (row.config, row.enabled) != (stored, enabled):
            # Unchanged settings are not a change: re-applying tenant files must not stamp
            # updated_at or write audit entries.
            row.config, row.enabled, row.updated_at = stored, enabled, ctx.clock.now()
    return row


def _level_zh(level: str) -> str:
    return {"street": "街道/镇", "district": "区/县级市"}.get(level, level)


def enablement(ctx: Ctx, unit_id: int, plugin_name: str) -> PluginEnablement | None:
    return ctx.session.scalars(select(PluginEnablement).where(
        PluginEnablement.org_unit_id == unit_id, PluginEnablement.plugin_name == plugin_name,
        PluginEnablement.enabled.is_(True))).one_or_none()


def open_programme(ctx: Ctx, unit_id: int, plugin_name: str, year: int, title: str | None = None) -> Programme:
    unit = get_unit(ctx, unit_id)
    _require_admin(ctx, unit)
    enabled, policy, config = _openable(ctx, unit, plugin_name)
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise RuleError(Violation("invalid_year", T("年度应为2000至2100之间的整数", "The year must be 2000..2100"), field="year"))
    exists = ctx.session.scalars(select(Programme.id).where(
        Programme.org_unit_id == unit.id, Programme.plugin_name == plugin_name, Programme.year == year)).first()
    if exists:
        raise RuleError(Violation("programme_exists", T(f"{year}年度项目已开设", f"The {year} programme already exists"),
                                  field="year"), status=409)
    phases = [p.as_json() for p in policy.phases(config, year)]
    inherited = [_frozen(ctx, row, year) for row in inherited_enablements(ctx, unit, besides=plugin_name)]
    with ctx.action("programme.open"):
        programme = Programme(org_unit_id=unit.id, plugin_name=plugin_name, plugin_version=policy.info.version,
                              plugin_distribution=policy.distribution or "",
                              year=year, title=title or f"{unit.name}{year}年度{policy.info.title.zh}",
                              config=enabled.config, phases=phases, inherited_policies=inherited)
        ctx.session.add(programme)
    return programme


def _openable(ctx: Ctx, unit, plugin_name: str, enabled: PluginEnablement | None = None,
              ) -> tuple[PluginEnablement, Policy, dict]:
    """The one rule of which policy a unit may open a programme under: one switched on at that
    very unit (a street never opens under another place's policy, nor a district under a
    policy only its streets use) that has tracks of its own (a district's rules that stack on
    its streets' programmes open none). Refused naming the field and the rule."""
    enabled = enabled or enablement(ctx, unit.id, plugin_name)
    installed = ctx.host.policies.get(plugin_name)
    if enabled is None or installed is None:
        title = installed.info.title if installed is not None else T(plugin_name, plugin_name)
        raise RuleError(Violation("plugin_not_enabled", T(
            f"适用政策：「{unit.name}」没有启用「{title.zh}」。年度项目只能按本单位已启用的政策开设，请先在“本单位采用的政策”中启用",
            f"Policy: {unit.name_en or unit.name} has not switched on '{title.en}'. A programme opens only under "
            "a policy switched on at its own unit: switch it on first"), field="plugin_name"))
    config = installed.config(enabled.config)
    if not installed.tracks(config):
        raise RuleError(Violation("policy_without_tracks", T(
            f"适用政策：「{installed.info.title.zh}」不设项目类型，只与下级单位的年度项目叠加适用，不单独开设年度项目",
            f"Policy: '{installed.info.title.en}' has no tracks of its own: it applies beside the programmes of the units below"),
            field="plugin_name"))
    return enabled, installed, config


def openable(ctx: Ctx, units) -> list[tuple[object, Policy]]:
    """The (unit, policy) pairs a programme may open under at ``units`` (the opening form's
    choices), by ``_openable``'s rule."""
    rows = ctx.session.scalars(select(PluginEnablement).where(
        PluginEnablement.org_unit_id.in_([u.id for u in units] or [-1]), PluginEnablement.enabled.is_(True))
        .order_by(PluginEnablement.id))
    by_id = {u.id: u for u in units}
    found = []
    for row in rows:
        try:
            _, policy, _ = _openable(ctx, by_id[row.org_unit_id], row.plugin_name, row)
        except RuleError:
            continue
        found.append((by_id[row.org_unit_id], policy))
    return found


def inherited_enablements(ctx: Ctx, unit, *, besides: str | None = None) -> list[PluginEnablement]:
    """The policies that apply below where they are enabled (``PolicyInfo.applies_below``: a
    district's rules, not a city's own call) switched on at the units above ``unit``, from the
    top of the tree down, one per policy (where a policy is enabled at two levels, the nearer
    unit's settings hold), less the policy named ``besides`` (the programme's own applies once,
    with its own settings). A plugin no longer installed cannot apply and is passed over."""
    above = unit.ancestor_ids[:-1]
    if not above:
        return []
    rows = ctx.session.scalars(select(PluginEnablement).where(
        PluginEnablement.org_unit_id.in_(above), PluginEnablement.enabled.is_(True)))
    depth = {uid: i for i, uid in enumerate(above)}
    nearest: dict[str, PluginEnablement] = {}
    for row in sorted(rows, key=lambda r: (depth[r.org_unit_id], r.id)):
        policy = ctx.host.policies.get(row.plugin_name)
        if row.plugin_name != besides and policy is not None and policy.info.applies_below:
            nearest[row.plugin_name] = row
    return sorted(nearest.values(), key=lambda r: (depth[r.org_unit_id], r.id))


def _frozen(ctx: Ctx, row: PluginEnablement, year: int) -> dict:
    """An inherited policy as the programme keeps it (``Programme.inherited_policies``)."""
    policy = ctx.host.policy(row.plugin_name)
    config = policy.config(row.config)
    return {"name": policy.name, "version": policy.info.version, "distribution": policy.distribution or "",
            "org_unit_id": row.org_unit_id, "config": row.config,
            "phases": [p.as_json() for p in policy.phases(config, year)]}


def get_programme(ctx: Ctx, programme_id: int) -> Programme:
    p = ctx.session.get(Programme, programme_id) if isinstance(programme_id, int) else None
    if p is None:
        raise NotFound(PROGRAMME, field="programme_id")
    return p


def list_programmes(ctx: Ctx, unit_id: int | None = None) -> list[Programme]:
    stmt = select(Programme).order_by(Programme.year.desc(), Programme.id)
    if unit_id is not None:
        stmt = stmt.where(Programme.org_unit_id == unit_id)
    return list(ctx.session.scalars(stmt))


def page_programmes(ctx: Ctx, *, unit_id: int | None = None, year: int | None = None,
                    limit: int = 50, offset: int = 0) -> tuple[list[Programme], int]:
    """One page of programmes (newest year first) and how many there are in all: two queries
    whatever the page size."""
    stmt = select(Programme)
    if unit_id is not None:
        stmt = stmt.where(Programme.org_unit_id == unit_id)
    if year is not None:
        stmt = stmt.where(Programme.year == year)
    total = ctx.session.scalar(select(func.count()).select_from(stmt.with_only_columns(Programme.id).subquery()))
    rows = ctx.session.scalars(stmt.order_by(Programme.year.desc(), Programme.id)
                               .limit(max(1, min(limit, 200))).offset(max(0, offset)))
    return list(rows), int(total or 0)


def policy_of(ctx: Ctx, programme: Programme) -> tuple[PolicyStack, dict]:
    """The programme's policies — its own and those it inherited, each with the config and
    version it froze — as one ``PolicyStack``, and the own policy's loaded config (what the
    stack's methods take, as ``Policy``'s do)."""
    policy = ctx.host.policy(programme.plugin_name)
    config = policy.config(programme.config)
    inherited = []
    for entry in programme.inherited_policies or []:
        other = ctx.host.policy(entry["name"])
        inherited.append(Layer(other, other.config(entry.get("config")), entry.get("version") or "", own=False))
    return PolicyStack(Layer(policy, config, programme.plugin_version or "", own=True), inherited), config


def phases_of(programme: Programme) -> list[Phase]:
    """The programme's own policy's frozen calendar (what its phases allow is enforced by
    ``core.services.calendar``)."""
    return [Phase.from_json(p) for p in programme.phases or []]


def policy_phases(programme: Programme) -> list[tuple[str, list[Phase]]]:
    """Each policy's frozen calendar, by policy name: the own policy's first, then the
    inherited ones' from the top down. An action must lie inside a window of every policy whose
    phases name it."""
    return [(programme.plugin_name, phases_of(programme))] + [
        (entry["name"], [Phase.from_json(p) for p in entry.get("phases") or []])
        for entry in programme.inherited_policies or []]


@dataclass(frozen=True)
class FrozenPolicy:
    """One policy that applies to a programme, as the programme froze it (for pages and the
    API): its name, whether it is the programme's own, the version and distribution at opening,
    the unit where it is enabled, its stored config, and the installed plugin now (None when
    it is no longer installed)."""

    name: str
    own: bool
    version: str
    distribution: str
    org_unit_id: int
    config: dict
    policy: Policy | None

    @property
    def installed_version(self) -> str | None:
        return self.policy.info.version if self.policy is not None else None


def frozen_policies(ctx: Ctx, programme: Programme) -> list[FrozenPolicy]:
    """The programme's policies as it froze them, its own first."""
    installed = ctx.host.policies
    own = FrozenPolicy(programme.plugin_name, True, programme.plugin_version or "", programme.plugin_distribution or "",
                       programme.org_unit_id, dict(programme.config or {}), installed.get(programme.plugin_name))
    return [own] + [FrozenPolicy(e["name"], False, e.get("version") or "", e.get("distribution") or "",
                                 e.get("org_unit_id"), dict(e.get("config") or {}), installed.get(e["name"]))
                    for e in programme.inherited_policies or []]


def panel(ctx: Ctx, programme_id: int) -> list[PanelMember]:
    """The programme's panel, each member with their user (names; their memberships are not read)."""
    return list(ctx.session.scalars(select(PanelMember).where(PanelMember.programme_id == programme_id)
                                    .options(joinedload(PanelMember.user).lazyload(User.memberships))
                                    .order_by(PanelMember.id)))


def _reviewing_roles(ctx: Ctx) -> list[str]:
    return [r.value for r in ctx.permissions.roles_for(A.review_score)]


def _reviewers_for(ctx: Ctx, unit):
    """The ids of the people who may sit on a panel of ``unit``'s programmes: those holding a
    reviewing role at the unit, below it, or above it (a district's experts), never at a
    sibling unit (another street's reviewers review that street's programmes)."""
    return select(Membership.user_id).join(OrgUnit, OrgUnit.id == Membership.org_unit_id).where(
        Membership.role.in_(_reviewing_roles(ctx)),
        OrgUnit.path.startswith(unit.path, autoescape=True) | OrgUnit.id.in_(unit.ancestor_ids))


def panel_candidates(ctx: Ctx, programme: Programme) -> list[User]:
    """The active people the panel page offers for ``programme`` (``_reviewers_for``'s rule)."""
    return list(ctx.session.scalars(select(User).where(
        User.id.in_(_reviewers_for(ctx, programme.org_unit)), User.is_active.is_(True)).order_by(User.username)))


def _names(ctx: Ctx, user_ids: list[int]) -> str:
    users = {u.id: u for u in ctx.session.scalars(select(User).where(User.id.in_(user_ids)))}
    return "、".join(users[i].display_name if i in users else str(i) for i in user_ids)


def set_panel(ctx: Ctx, programme_id: int, user_ids: list[int], chair_id: int | None = None) -> list[PanelMember]:
    """Name the programme's review panel. Members must hold the reviewer role in this tenant."""
    programme = get_programme(ctx, programme_id)
    _require_admin(ctx, programme.org_unit)
    ids = sorted(set(user_ids or []))
    if not ids:
        raise RuleError(Violation("panel_empty", T("评审小组至少一人", "The panel needs at least one member"), field="user_ids"))
    if chair_id is not None and chair_id not in ids:
        raise RuleError(Violation("chair_not_member", T("组长须是评审小组成员", "The chair must be a panel member"), field="chair_id"))
    reviewers = set(ctx.session.scalars(select(Membership.user_id).where(
        Membership.user_id.in_(ids), Membership.role.in_(_reviewing_roles(ctx)))))
    missing = [i for i in ids if i not in reviewers]
    if missing:
        raise RuleError(Violation("not_a_reviewer",
                                  T(f"评审小组成员：{_names(ctx, missing)} 不是评审人员（需具有评审小组成员角色）",
                                    f"Panel members: {_names(ctx, missing)} do not hold the reviewer role"),
                                  field="user_ids"))
    in_scope = set(ctx.session.scalars(_reviewers_for(ctx, programme.org_unit).where(Membership.user_id.in_(ids))))
    outside = [i for i in ids if i not in in_scope]
    if outside:
        unit = programme.org_unit
        raise RuleError(Violation("reviewer_out_of_scope", T(
            f"评审小组成员：{_names(ctx, outside)} 是其他单位的评审人员。评审小组只能由「{unit.name}」本单位、"
            "其下级或上级单位的评审人员组成",
            f"Panel members: {_names(ctx, outside)} review for another unit. A panel is drawn from the reviewers "
            f"of {unit.name_en or unit.name}, the units below it or those above it"), field="user_ids"))
    with ctx.action("programme.panel"):
        for member in panel(ctx, programme.id):
            if member.user_id not in ids:
                ctx.session.delete(member)
        existing = {m.user_id: m for m in panel(ctx, programme.id)}
        for uid in ids:
            m = existing.get(uid) or PanelMember(programme_id=programme.id, user_id=uid)
            m.chair = uid == chair_id
            ctx.session.add(m)
    return panel(ctx, programme.id)


def is_panel_member(ctx: Ctx, programme_id: int) -> PanelMember | None:
    if not ctx.actor.is_authenticated:
        return None
    return ctx.session.scalars(select(PanelMember).where(
        PanelMember.programme_id == programme_id, PanelMember.user_id == ctx.actor.id)).one_or_none()
