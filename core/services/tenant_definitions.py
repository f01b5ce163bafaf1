"""Declarative tenants: ``tenants/*.yaml`` → org tree, enabled plugins, programmes, panels, users.

Loading is idempotent: units are matched by code, users by username, enablements by (unit,
plugin), programmes by (unit, plugin, year). Existing users keep their passwords; a changed
plugin config is re-validated and updated (programmes already opened keep theirs).

File format (see tenants/*.yaml)::

    slug: riverside
    name: 滨河区
    name_en: Riverside District
    plugins: {city_policy: {config: {}}}          # optional: policies whose programmes the root owns
    programmes: [{plugin: city_policy, year: 2023, panel: [...], chair: ...}]
    units:                       # the tree under the tenant root, nested by `children`
      - {code: riverside-st, kind: street, name: 滨河街道,
         plugins: {some_policy: {config: {...}}},
         programmes: [{plugin: some_policy, year: 2023, panel: [expert1], chair: expert1}],
         funds: [{plugin: some_policy, fund: pool, year: 2023, allocate_yuan: "200000"}],   # FundSpec key
         sponsors: [{name: 滨河宾馆, kind: enterprise, user: hotel}],
         children: [{code: ..., kind: neighbourhood, name: ...,
                     funds: [{plugin: some_policy, fund: line, year: 2023, allocate_yuan: "30000"}]}]}
    users:
      - {username: admin, name: 管理员, password: ..., roles: [{role: district_admin, unit: riverside}]}
      - {username: leader, name: 分管领导, password: ..., roles: [{role: street_leader, unit: riverside-st,
                                                             authority_yuan: 100000}]}   # largest monthly batch
"""
from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import func, select

from core.models import Membership, OrgUnit, Programme, Role, Sponsor, SponsorKind, Tenant, UnitKind, User
from core.money import MoneyError, yuan_to_fen
from core.permissions import A
from core.permissions.check import CORE_TABLE
from core.permissions.table import ROOT_ROLE
from core.platform import Platform
from core.services import funding, ledger, programmes
from core.services.auth import hash_password
from core.services.context import Actor, Ctx, Grant
from core.violations import RuleError


class DefinitionError(ValueError):
    pass


def load_file(platform: Platform, path: Path, *, logins: bool = True) -> Tenant:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "slug" not in data:
        raise DefinitionError(f"{path}: a tenant file needs at least slug and name")
    return load(platform, data, logins=logins)


def load(platform: Platform, data: dict, *, logins: bool = True) -> Tenant:
    """Apply a tenant file. ``logins=False`` (production, ``tongxin tenants load``): the file's
    users are not created (their passwords are the demo's); those that already exist get the
    file's roles, and panels and sponsors name only those."""
    db = platform.db
    with db.scope() as s:  # the tenant directory is not tenant-owned
        tenant = s.scalars(select(Tenant).where(Tenant.slug == data["slug"])).one_or_none()
        if tenant is None:
            tenant = Tenant(slug=data["slug"], name=data["name"], name_en=data.get("name_en"))
            s.add(tenant)
        else:
            tenant.name, tenant.name_en = data["name"], data.get("name_en")
        s.flush()
        tenant_id = tenant.id

    with db.scope(tenant_id=tenant_id, audit_action="tenants.load") as s:
        root = _unit(s, None, {"code": data["slug"], "kind": UnitKind.district.value, "name": data["name"],
                               "name_en": data.get("name_en")})
        # The loader acts as the tenant's own administrator, so every service rule still applies.
        ctx = Ctx(session=s, actor=Actor(None, (Grant(ROOT_ROLE.value, root.id, root.path, root.kind),)),
                  host=platform.host, settings=platform.settings, tenant_id=tenant_id)
        units = {root.code: root}
        unit_specs = {root.code: data}
        pending_programmes = []
        # The root may carry plugins and programmes too (a city-wide call belongs to the city).
        _unit_policies(root, data, ctx, pending_programmes)
        _walk(s, root, data.get("units") or [], units, ctx, pending_programmes, unit_specs)
        users = {}
        for u in data.get("users") or []:
            if logins or s.scalars(select(User.id).where(User.username == u["username"])).first() is not None:
                users[u["username"]] = _user(s, u, units, platform.settings.password_hashing)
        s.flush()
        for unit, spec in pending_programmes:
            _programme(ctx, unit, spec, users, logins)
        # Money last: a fund is found through the programme whose policy declares it, and a
        # sponsor's login must exist.
        for unit in units.values():
            spec = unit_specs.get(unit.code) or {}
            for f in spec.get("funds") or []:
                _fund(ctx, unit, f)
            for sp in spec.get("sponsors") or []:
                _sponsor(s, unit, sp if logins or sp.get("user") in users else {**sp, "user": None}, users)
    return tenant


def _unit(s, parent: OrgUnit | None, spec: dict) -> OrgUnit:
    kind = spec.get("kind")
    if kind not in {k.value for k in UnitKind}:
        raise DefinitionError(f"unit {spec.get('code')}: kind must be one of {[k.value for k in UnitKind]}")
    unit = s.scalars(select(OrgUnit).where(OrgUnit.code == spec["code"])).one_or_none()
    if unit is None:
        unit = OrgUnit(code=spec["code"], kind=kind, name=spec["name"], name_en=spec.get("name_en"),
                       parent_id=parent.id if parent else None, path="")
        s.add(unit)
        s.flush()
    else:
        unit.kind, unit.name, unit.name_en = kind, spec["name"], spec.get("name_en")
        unit.parent_id = parent.id if parent else None
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    return unit


def _walk(s, parent: OrgUnit, specs: list, units: dict, ctx: Ctx, pending: list, unit_specs: dict) -> None:
    for spec in specs:
        unit = _unit(s, parent, spec)
        units[unit.code] = unit
        unit_specs[unit.code] = spec
        _unit_policies(unit, spec, ctx, pending)
        _walk(s, unit, spec.get("children") or [], units, ctx, pending, unit_specs)


def _unit_policies(unit: OrgUnit, spec: dict, ctx: Ctx, pending: list) -> None:
    """Enable the unit's plugins now; open its programmes once the users (panels) exist."""
    for plugin_name, plugin_spec in (spec.get("plugins") or {}).items():
        plugin_spec = plugin_spec or {}
        programmes.enable_plugin(ctx, unit.id, plugin_name, plugin_spec.get("config") or {},
                                 enabled=plugin_spec.get("enabled", True))
    for p in spec.get("programmes") or []:
        pending.append((unit, p))


def _user(s, spec: dict, units: dict, hashing: str) -> User:
    user = s.scalars(select(User).where(User.username == spec["username"])).one_or_none()
    if user is None:
        password = spec.get("password")
        if not password:
            raise DefinitionError(f"user {spec['username']}: a new user needs a password")
        user = User(username=spec["username"], display_name=spec.get("name") or spec["username"],
                    password_hash=hash_password(password, hashing), email=spec.get("email"),
                    locale=spec.get("locale"))
        s.add(user)
        s.flush()
    else:
        user.display_name = spec.get("name") or user.display_name
    have = {(m.org_unit_id, m.role) for m in s.scalars(select(Membership).where(Membership.user_id == user.id))}
    for r in spec.get("roles") or []:
        if r["role"] not in {x.value for x in Role}:
            raise DefinitionError(f"user {spec['username']}: unknown role {r['role']}")
        unit = units.get(r["unit"])
        if unit is None:
            raise DefinitionError(f"user {spec['username']}: unknown unit {r['unit']}")
        limit = _authority(spec["username"], r)
        if (unit.id, r["role"]) not in have:
            s.add(Membership(user_id=user.id, org_unit_id=unit.id, role=r["role"], authority_limit_fen=limit))
        elif "authority_yuan" in r:
            s.scalars(select(Membership).where(Membership.user_id == user.id, Membership.org_unit_id == unit.id,
                                               Membership.role == r["role"])).one().authority_limit_fen = limit
    return user


def _authority(username: str, role: dict) -> int | None:
    """A leader's authority limit (``authority_yuan``), the largest monthly batch they may approve."""
    if "authority_yuan" not in role:
        return None
    leaders = [r.value for r in CORE_TABLE.roles_for(A.batch_approve)]
    if role["role"] not in leaders:
        raise DefinitionError(f"user {username}: only a {' or '.join(leaders)} has an authority limit")
    try:
        return yuan_to_fen(str(role["authority_yuan"]))
    except MoneyError as exc:
        raise DefinitionError(f"user {username}: authority_yuan {role['authority_yuan']!r}: {exc}") from None


def _fund(ctx: Ctx, unit: OrgUnit, spec: dict) -> None:
    """``{plugin, fund, year, allocate_yuan}``: the unit's fund of that policy's ``FundSpec``,
    created with the cap of the programme's frozen config, and the year's allocation posted
    once (its idempotency key names the file's entry, so loading again posts nothing)."""
    where = f"unit {unit.code}: fund {spec.get('fund')!r} of {spec.get('plugin')!r}"
    # The programme at or above the unit (nearest first) that the plugin applies to: its own
    # policy, or one it inherits (a district's fund set up at a street).
    candidates = ctx.session.scalars(
        select(Programme).join(OrgUnit, OrgUnit.id == Programme.org_unit_id)
        .where(Programme.year == spec.get("year"))
        .where(func.substr(unit.path, 1, func.length(OrgUnit.path)) == OrgUnit.path)
        .order_by(func.length(OrgUnit.path).desc(), Programme.id))
    programme = next((p for p in candidates if p.plugin_name == spec.get("plugin")
                      or any(e.get("name") == spec.get("plugin") for e in p.inherited_policies or [])), None)
    if programme is None:
        raise DefinitionError(f"{where}: no {spec.get('year')} programme at or above the unit that the plugin applies to")
    fund_spec = funding.spec_of(ctx, programme, spec.get("plugin"), spec.get("fund"))
    if fund_spec is None:
        raise DefinitionError(f"{where}: the policy declares no such fund")
    fund = funding.ensure(ctx, fund_spec, unit, programme.year)
    if spec.get("allocate_yuan") is not None:
        try:
            amount = yuan_to_fen(str(spec["allocate_yuan"]))
        except MoneyError as exc:
            raise DefinitionError(f"{where}: allocate_yuan: {exc}") from None
        key = f"tenant-file:{unit.code}:{spec['plugin']}:{spec['fund']}:{programme.year}:allocation"
        try:
            ledger.allocate(ctx, fund.id, amount, key, memo=f"{programme.year}年度预算拨入")
        except RuleError as err:
            raise DefinitionError(f"{where}: {err}") from None


def _sponsor(s, unit: OrgUnit, spec: dict, users: dict) -> None:
    """``{name, kind, user?, contact?}``: a sponsor registered with the unit (matched by name)."""
    kinds = {k.value for k in SponsorKind}
    if spec.get("kind") not in kinds:
        raise DefinitionError(f"unit {unit.code}: sponsor {spec.get('name')!r}: kind must be one of {sorted(kinds)}")
    login = spec.get("user")
    if login is not None and login not in users:
        raise DefinitionError(f"unit {unit.code}: sponsor {spec['name']!r}: unknown user {login!r}")
    sponsor = s.scalars(select(Sponsor).where(Sponsor.org_unit_id == unit.id, Sponsor.name == spec["name"])).one_or_none()
    if sponsor is None:
        sponsor = Sponsor(org_unit_id=unit.id, name=spec["name"])
        s.add(sponsor)
    sponsor.kind, sponsor.contact = spec["kind"], spec.get("contact") or ""
    sponsor.user_id = users[login].id if login else None


def _programme(ctx: Ctx, unit: OrgUnit, spec: dict, users: dict, logins: bool = True) -> None:
    s = ctx.session
    existing = s.scalars(select(Programme).where(Programme.org_unit_id == unit.id,
                                                 Programme.plugin_name == spec["plugin"],
                                                 Programme.year == spec["year"])).one_or_none()
    programme = existing or programmes.open_programme(ctx, unit.id, spec["plugin"], int(spec["year"]), spec.get("title"))
    s.flush()
    panel = spec.get("panel") or []
    if not logins:  # the file's logins were not created: only those that exist sit on the panel
        panel = [u for u in panel if u in users]
        spec = {**spec, "chair": spec.get("chair") if spec.get("chair") in users else None}
    if panel:
        missing = [u for u in panel if u not in users]
        if missing:
            raise DefinitionError(f"programme {spec}: unknown panel users {missing}")
        chair = spec.get("chair")
        programmes.set_panel(ctx, programme.id, [users[u].id for u in panel], users[chair].id if chair else None)
