"""Sponsors (共建单位), their pledges (认捐) and claims (认领), and what the money paid for.

**Who.** A sponsor is registered with one org unit (the unit it twins with) by a street or
district administrator there or above; it may pledge to co-governance funds (kind
``sponsor_fund``) of that unit or of units below it. A pledge is recorded by the fund's
staff (a street or district administrator, or neighbourhood staff, at or above the fund's
unit: the council meeting is held offline and staff record what was promised there) or by the
sponsor's own login for itself. It promises money (yuan, whole fen), resources described in
words (``in_kind``), or both, and may claim one announced project of the fund's unit
(submitted or later; not a draft, not rejected or withdrawn). The year's pledges of a fund
may not promise more money than the fund's cap (its target, e.g. the plugin's 共治金): the
check runs under the fund's lock, so two pledges recorded at once cannot both slip under it.

**Received.** When money arrives, ``receive`` allocates it to the fund (a ledger allocation
naming the pledge); a pledge never receives more than it promised.

**A claim holds its amount — why claimed money is never taken by another project.** A claim
of a project that is not decided yet sets the claimed money aside in the fund from the moment
it is recorded (``core.services.holds``: a ledger ``hold``, released if the project is rejected
or withdrawn), whether or not the money has arrived: another project's approval cannot commit
it. A claim of a project already approved holds nothing; its money is earmarked as it arrives.

**Earmarking — why money is never committed twice for one project.** Commitments are what an
approval promises. Two paths can commit to a claimed project, and they share one bound, the
approved amount:

1. The approval (``review.decide`` → ``funding.commit_approval``) commits the policy's draws
   (less what the project's claims hold: the policy subtracts ``fund_committed``, which counts
   holds) and turns each claim's hold into a commitment naming the pledge, as far as the fund
   can pay it then. If a fund holds too little for a draw, the ledger refuses the approval
   ("资金不足"): nothing is trimmed silently.
2. A claimed receipt for a project that is *already approved* commits
   ``min(received amount, approved − committed to the project in all funds, fund available)``
   to the project (key ``<receive key>:commit``, naming the pledge), so money a sponsor sends
   for "its" project after the approval is earmarked for it without exceeding the approval. A
   receipt for a project not decided yet only allocates: the claim's hold already reserves it.

Both run under the fund's lock, so they see each other's commitments and the project's total
commitment never exceeds its approved amount.

**Derived state.** Nothing about a pledge's progress is stored; from the fund's ledger:
``received`` = its allocations (net of corrections); ``spent`` is attributed first-in,
first-out: the expenses a claimed project incurred from the fund are shared by the pledges
claiming it in pledge-id order (each up to what it brought in); the fund's remaining expenses
(other projects', and a claimed project's beyond its claims' money) are shared by the pledges
that claim nothing, in id order. Status: ``promised`` (nothing received), ``received`` (some
or all received, not all of it spent), ``spent`` (all that was received is spent).

``sponsor_view`` shows a sponsor (its own login, or staff at or above its unit) each pledge with
its status, the project it claimed and what that project's money paid for: expenses with date,
memo, amount and receipt. For a pledge that claims nothing it lists the fund's expenses.

Services write in the caller's transaction; the caller commits.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from core.i18n import T, Text
from core.models import (
    Attachment, Decision, EntryKind, Fund, FundKind, LedgerEntry, OrgUnit, Pledge, Programme, Project, ProjectState,
    Sponsor, SponsorKind, User,
)
from core.money import money_text, read_yuan
from core.permissions import A, Subject
from core.services import calendar, funding, holds, ledger, paging
from core.services.context import Ctx
from core.services.org import get_unit
from core.services.programmes import get_programme, policy_of
from core.services.projects import visible as visible_projects
from core.violations import Forbidden, NotFound, RuleError, Violation, Violations

SPONSOR = T("共建单位", "sponsor")
PLEDGE = T("认捐", "pledge")
# A project the council can announce, and so a sponsor can claim.
ANNOUNCED = (ProjectState.submitted.value, ProjectState.endorsed.value, ProjectState.under_review.value,
             ProjectState.returned.value, ProjectState.approved.value)
COMMIT_SUFFIX = ":commit"
KEY_MAX = ledger.KEY_MAX - len(COMMIT_SUFFIX)
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
NAME_MAX, CONTACT_MAX, IN_KIND_MAX, OCCASION_MAX = 200, 200, 500, 200

STATUS_LABELS = {
    "promised": T("已承诺，未到账", "promised"),
    "received": T("已到账", "received"),
    "spent": T("已全部使用", "spent"),
}


# ---------------------------------------------------------------- sponsors


def _text(value, name: str, label: Text, max_len: int, *, required: bool = False) -> tuple[str, Violation | None]:
    text = value.strip() if isinstance(value, str) else ("" if value is None else None)
    if text is None or len(text) > max_len or (required and not text):
        what = "必填，" if required else ""
        return "", Violation(f"invalid_{name}", T(f"{label.zh}{what}最长{max_len}个字",
                                                  f"{label.en}: {'required, ' if required else ''}at most {max_len} characters"),
                             field=name)
    return text, None


def register_sponsor(ctx: Ctx, org_unit_id: int, name: str, kind: str, *, contact: str = "",
                     user_id: int | None = None) -> Sponsor:
    """Register a sponsor with the unit it twins with (street or district administrators at or
    above it). Names are unique per unit."""
    unit = get_unit(ctx, org_unit_id)
    if not ctx.can(A.sponsor_register, unit):
        raise Forbidden(T(f"只有「{unit.name}」或上级的街道、区管理员可以登记共建单位",
                          f"Only street or district administrators at or above {unit.name_en or unit.name} may register sponsors"))
    v = Violations()
    name, problem = _text(name, "name", T("共建单位名称", "Sponsor name"), NAME_MAX, required=True)
    v.add(problem)
    contact, problem = _text(contact, "contact", T("联系人及电话", "Contact"), CONTACT_MAX)
    v.add(problem)
    if kind not in {k.value for k in SponsorKind}:
        kinds = "、".join(k.label.zh for k in SponsorKind)
        v.add(Violation("invalid_kind", T(f"单位类型应为以下之一：{kinds}",
                                          f"The kind must be one of {', '.join(k.value for k in SponsorKind)}"),
                        field="kind"))
    if user_id is not None:
        user = ctx.session.get(User, user_id) if isinstance(user_id, int) and not isinstance(user_id, bool) else None
        if user is None:
            v.add(Violation("user_not_found", T("未找到该登录账号", "No such login"), field="user_id"))
    v.raise_if_blocking()
    exists = RuleError(Violation("sponsor_exists", T(
        f"「{unit.name}」已登记名为「{name}」的共建单位，不能重复登记",
        f"{unit.name_en or unit.name} already has a sponsor named '{name}'"), field="name"), status=409)
    if ctx.session.scalars(select(Sponsor.id).where(Sponsor.org_unit_id == unit.id, Sponsor.name == name)).first():
        raise exists
    sponsor = Sponsor(org_unit_id=unit.id, name=name, kind=kind, contact=contact, user_id=user_id)
    try:
        with ctx.session.begin_nested(), ctx.action("sponsor.register"):
            ctx.session.add(sponsor)
    except RuleError:  # registered at the same moment by someone else
        raise exists from None
    return sponsor


def get_sponsor(ctx: Ctx, sponsor_id: int, field: str = "sponsor_id") -> Sponsor:
    sponsor = ctx.session.get(Sponsor, sponsor_id) if isinstance(sponsor_id, int) and not isinstance(sponsor_id, bool) else None
    if sponsor is None:
        raise NotFound(SPONSOR, field=field)
    return sponsor


def may_see_sponsor(ctx: Ctx, sponsor: Sponsor) -> bool:
    return ctx.can(A.sponsor_view, sponsor).allowed


def own_sponsors(ctx: Ctx) -> list[Sponsor]:
    """The sponsors the signed-in user represents."""
    if not ctx.actor.is_authenticated:
        return []
    return list(ctx.session.scalars(select(Sponsor).where(Sponsor.user_id == ctx.actor.id).order_by(Sponsor.id)))


def list_sponsors(ctx: Ctx, org_unit_id: int | None = None) -> list[Sponsor]:
    """With a unit: the sponsors that may pledge to its funds (registered with it or a unit
    above it), for its staff. Without: the sponsors registered within the actor's units, and
    those the actor represents."""
    return list(ctx.session.scalars(_sponsors_query(ctx, org_unit_id)))


def sponsors_page(ctx: Ctx, org_unit_id: int | None = None, *, limit: int, offset: int = 0) -> tuple[list[Sponsor], int]:
    """A page of ``list_sponsors`` and their number in all."""
    return paging.page(ctx.session, _sponsors_query(ctx, org_unit_id), limit=limit, offset=offset)


def _sponsors_query(ctx: Ctx, org_unit_id: int | None):
    if org_unit_id is not None:
        unit = get_unit(ctx, org_unit_id)
        if not ctx.can(A.sponsor_view, unit):
            raise Forbidden(T(f"只有「{unit.name}」及上级的工作人员可以查看其共建单位",
                              f"Only staff at or above {unit.name_en or unit.name} may list its sponsors"))
        return _eligible_sponsors_query(unit)
    return (select(Sponsor).join(OrgUnit, OrgUnit.id == Sponsor.org_unit_id)
            .where(ctx.where(A.sponsor_view, unit_path=OrgUnit.path, sponsor_user_id=Sponsor.user_id))
            .order_by(OrgUnit.path, Sponsor.id))


def eligible_sponsors(ctx: Ctx, unit: OrgUnit) -> list[Sponsor]:
    """Sponsors registered with ``unit`` or a unit above it, nearest first."""
    return list(ctx.session.scalars(_eligible_sponsors_query(unit)))


def _eligible_sponsors_query(unit: OrgUnit):
    # The nearest unit is the deepest: its path, which extends its ancestors', is the longest.
    return (select(Sponsor).join(OrgUnit, OrgUnit.id == Sponsor.org_unit_id)
            .where(Sponsor.org_unit_id.in_(unit.ancestor_ids))
            .order_by(func.length(OrgUnit.path).desc(), Sponsor.id))


# ---------------------------------------------------------------- funds


def _pledge_fund(ctx: Ctx, fund_id) -> Fund:
    fund = ledger.get_fund(ctx, fund_id)
    if fund.kind != FundKind.sponsor_fund.value:
        raise RuleError(Violation("not_a_pledge_fund", T(
            f"「{fund.name}」是{fund.kind_enum.label.zh}，不接受认捐；认捐只能进入共治金/自治金",
            f"{fund.name} is a {fund.kind_enum.label.en}; pledges go only to co-governance funds"), field="fund_id"))
    return fund


def may_record(ctx: Ctx, fund: Fund) -> bool:
    return ctx.can(A.pledge_record, fund).allowed


def sponsor_funds(ctx: Ctx) -> list[Fund]:
    """Co-governance funds at or below the units where the actor is staff (or supervises)."""
    return list(ctx.session.scalars(_sponsor_funds_query(ctx)))


def sponsor_funds_page(ctx: Ctx, *, limit: int, offset: int = 0) -> tuple[list[Fund], int]:
    """A page of ``sponsor_funds`` and their number in all."""
    return paging.page(ctx.session, _sponsor_funds_query(ctx), limit=limit, offset=offset)


def _sponsor_funds_query(ctx: Ctx):
    return (select(Fund).join(OrgUnit, OrgUnit.id == Fund.org_unit_id)
            .where(Fund.kind == FundKind.sponsor_fund.value, ctx.where(A.sponsor_view, unit_path=OrgUnit.path))
            .order_by(Fund.year.desc(), OrgUnit.path, Fund.name))


def get_sponsor_fund(ctx: Ctx, fund_id: int) -> Fund:
    """A co-governance fund, for its staff and supervisors."""
    fund = _pledge_fund(ctx, fund_id)
    if not ctx.can(A.sponsor_view, fund.org_unit):
        raise NotFound(ledger.FUND, field="fund_id")
    return fund


@dataclass(frozen=True)
class FundOpening:
    """A co-governance fund a programme's policy declares for a unit: set up already or not."""

    programme: Programme
    unit: OrgUnit
    name: Text
    fund: Fund | None


def fund_openings(ctx: Ctx, programmes: list[Programme]) -> list[FundOpening]:
    """For these programmes, the co-governance funds their policies declare for the units the
    actor may record pledges for: per neighbourhood (owner "applicant") or the programme's own
    unit (owner "programme"), with the fund when it exists."""
    from core.services.org import subtree
    out = []
    for programme in programmes:
        policy, config = policy_of(ctx, programme)
        for spec in policy.funds(config):
            if spec.kind != FundKind.sponsor_fund.value:
                continue
            if spec.owner == "programme":
                units = [programme.org_unit]
            elif spec.owner == "applicant":
                units = subtree(ctx, programme.org_unit, kind="neighbourhood")
            else:
                continue  # a parent's fund is opened from its own pages
            for unit in units:
                if ctx.can(A.pledge_record, unit):
                    out.append(FundOpening(programme, unit, spec.name,
                                           funding.find(ctx, spec, unit, programme.year)))
    return out


def open_fund(ctx: Ctx, programme_id: int, org_unit_id: int) -> Fund:
    """Set up (or find) the co-governance fund the programme's policy declares for the unit,
    with the policy's cap, so pledges can be recorded before any project is approved."""
    programme = get_programme(ctx, programme_id)
    unit = get_unit(ctx, org_unit_id)
    if not ctx.can(A.pledge_record, unit):
        raise Forbidden(T(f"只有「{unit.name}」及上级的工作人员可以设立其共治金",
                          f"Only staff at or above {unit.name_en or unit.name} may set up its fund"))
    if not unit.is_within(programme.org_unit):
        raise RuleError(Violation("unit_outside_programme", T(
            f"「{unit.name}」不在「{programme.title}」的范围内", f"{unit.name_en or unit.name} is outside the programme"),
            field="org_unit_id"))
    policy, config = policy_of(ctx, programme)
    pledgeable = [s for s in policy.funds(config) if s.kind == FundKind.sponsor_fund.value]  # the unit's own (owner "programme") or a neighbourhood's
    spec = next((s for s in pledgeable if (s.owner == "programme") == (unit.id == programme.org_unit_id)), pledgeable[0] if pledgeable else None)
    if spec is None:
        raise RuleError(Violation("no_pledge_fund", T(f"「{programme.title}」的政策没有共治金",
                                                      "This programme's policy has no co-governance fund"),
                                  field="programme_id"))
    return funding.fund_for(ctx, programme, unit, spec.key, create=True)


# ---------------------------------------------------------------- pledging


def _yuan(value, field: str, label: Text, *, allow_zero: bool) -> tuple[int, Violation | None]:
    fen, problem = read_yuan(value, field, label=label, allow_zero=allow_zero)
    return fen or 0, problem


def _date(value, field: str, label: Text, today: dt.date) -> tuple[dt.date | None, Violation | None]:
    if value in (None, ""):
        return today, None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:  # exactly YYYY-MM-DD (RFC 3339's full-date), as the API documents it
            value = dt.date.fromisoformat(value) if ISO_DATE.fullmatch(value) else None
        except ValueError:
            value = None
    if not isinstance(value, dt.date):
        return None, Violation("invalid_date", T(f"{label.zh}应为日期，如 2023-05-20", f"{label.en} must be a date like 2023-05-20"),
                               field=field)
    if value > today:
        return None, Violation("date_in_future", T(f"{label.zh}不能晚于今天（{today}）", f"{label.en} cannot be after today ({today})"),
                               field=field)
    return value, None


def _key(value) -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > KEY_MAX:
        raise RuleError(Violation("invalid_idempotency_key", T(
            f"请求编号（幂等键）必填，最长{KEY_MAX}个字符", f"An idempotency key of at most {KEY_MAX} characters is required"),
            field="key"))
    return value.strip()


def _claim_problem(ctx: Ctx, fund: Fund, project_id) -> Violation | None:
    project = (ctx.session.get(Project, project_id)
               if isinstance(project_id, int) and not isinstance(project_id, bool) else None)
    if project is None:
        return Violation("not_found", T("未找到要认领的项目", "The project to claim was not found"), field="project_id")
    if not project.applicant_unit.is_within(fund.org_unit):
        return Violation("claim_outside_fund", T(
            f"项目「{project.title}」属于{project.applicant_unit.name}，不在「{fund.name}」所在的{fund.org_unit.name}，不能用该资金认领",
            f"The project '{project.title}' is not within {fund.org_unit.name_en or fund.org_unit.name}, whose fund this is"),
            field="project_id")
    if project.state not in ANNOUNCED:
        why = (T("尚未申报，理事会只通报已申报的项目", "has not been submitted; only submitted projects are announced")
               if project.state == ProjectState.draft.value
               else T(f"{project.state_enum.label.zh}，不能再认领", f"is {project.state_enum.label.en} and cannot be claimed"))
        return Violation("claim_not_announced", T(f"项目「{project.title}」{why.zh}", f"The project '{project.title}' {why.en}"),
                         field="project_id")
    return None


def _replay(ctx: Ctx, key: str) -> Pledge | None:
    """The pledge already recorded under ``key`` (a retried request), if any."""
    return ctx.session.scalars(select(Pledge).where(Pledge.idempotency_key == key)).one_or_none()


def _may(ctx: Ctx, action, fund: Fund, sponsor: Sponsor | None) -> bool:
    return ctx.can(action, fund).allowed or (sponsor is not None and ctx.can(
        action, Subject(sponsor_user_id=sponsor.user_id)).allowed)


def pledge(ctx: Ctx, sponsor_id: int, fund_id: int, amount, *, in_kind: str = "", project_id: int | None = None,
           occasion: str = "", pledged_on=None, key: str, override_reason: str | None = None) -> Pledge:
    """Record a sponsor's promise to a co-governance fund, optionally claiming a project
    (see the module doc for who may and what is refused). ``amount`` is yuan. A claim is
    checked against the claimed project's calendar (``core.services.calendar``: e.g. only at
    the council meeting; ``override_reason`` where a phase lets its approver record it later)."""
    fund = _pledge_fund(ctx, fund_id)
    sponsor = ctx.session.get(Sponsor, sponsor_id) if isinstance(sponsor_id, int) and not isinstance(sponsor_id, bool) else None
    if not _may(ctx, A.pledge_record, fund, sponsor):
        raise Forbidden(T(f"只有「{fund.org_unit.name}」及上级的工作人员，或共建单位本身，可以登记认捐",
                          f"Only staff at or above {fund.org_unit.name_en or fund.org_unit.name}, or the sponsor itself, may record pledges"))
    if project_id is not None and not _may(ctx, A.pledge_claim, fund, sponsor):
        raise Forbidden(T(f"只有「{fund.org_unit.name}」及上级的工作人员，或共建单位本身，可以认领项目",
                          f"Only staff at or above {fund.org_unit.name_en or fund.org_unit.name}, or the sponsor itself, may claim projects"))
    if sponsor is None:
        raise RuleError(Violation("not_a_sponsor", T(
            f"该单位不是登记的共建单位，不能向「{fund.name}」认捐；请先由街道登记共建单位",
            f"This is not a registered sponsor and cannot pledge to {fund.name}; the street registers sponsors first"),
            field="sponsor_id"))
    if not fund.org_unit.is_within(sponsor.org_unit):
        raise RuleError(Violation("not_a_sponsor", T(
            f"「{sponsor.name}」是{sponsor.org_unit.name}的共建单位，不是{fund.org_unit.name}或其上级的共建单位，不能向「{fund.name}」认捐",
            f"{sponsor.name} is registered with {sponsor.org_unit.name_en or sponsor.org_unit.name}, not with "
            f"{fund.org_unit.name_en or fund.org_unit.name} or above, so it cannot pledge to {fund.name}"),
            field="sponsor_id"))
    v = Violations()
    fen, problem = _yuan(amount, "amount", T("认捐金额", "The amount pledged"), allow_zero=True)
    v.add(problem)
    in_kind, problem = _text(in_kind, "in_kind", T("实物或资源", "In kind"), IN_KIND_MAX)
    v.add(problem)
    occasion, problem = _text(occasion, "occasion", T("认捐场合", "Occasion"), OCCASION_MAX)
    v.add(problem)
    day, problem = _date(pledged_on, "pledged_on", T("认捐日期", "The pledge's date"), ctx.clock.today())
    v.add(problem)
    if not v.items and fen == 0 and not in_kind:
        v.add(Violation("nothing_promised", T("请填写认捐金额，或写明提供的实物、资源（两者至少一项）",
                                              "Promise an amount, or describe the resources given (at least one)"),
                        field="amount"))
    if project_id is not None:
        problem = _claim_problem(ctx, fund, project_id)
        if problem is None:  # a claim is made when the policy's calendar says claims are made
            claimed = ctx.session.get(Project, project_id)
            calendar.require(ctx, claimed.programme, A.pledge_claim, claimed, override_reason=override_reason)
        v.add(problem)
    key = _key(key)
    v.raise_if_blocking()

    ledger.lock_funds(ctx, [fund.id])  # the cap check and the insert see every other pledge
    if (done := _replay(ctx, key)) is not None:
        if (done.sponsor_id, done.fund_id, done.amount_fen, done.project_id) != (sponsor.id, fund.id, fen, project_id):
            raise RuleError(Violation("idempotency_conflict", T(
                f"请求编号「{key}」已用于另一笔认捐（#{done.id}），请换一个编号",
                f"The key '{key}' was already used for another pledge (#{done.id})"), field="key"), status=409)
        return done
    if fund.cap_fen is not None and fen:
        promised = sum(ctx.session.scalars(select(Pledge.amount_fen).where(Pledge.fund_id == fund.id)))
        if promised + fen > fund.cap_fen:
            raise RuleError(Violation("over_cap", T(
                f"超出「{fund.name}」（{fund.year}年）的认捐上限：上限 {money_text(fund.cap_fen).zh}，已认捐 {money_text(promised).zh}，"
                f"本次 {money_text(fen).zh}（最多还可认捐 {money_text(max(fund.cap_fen - promised, 0)).zh}）",
                f"{fund.name} ({fund.year}) would exceed its target: target {money_text(fund.cap_fen).en}, pledged {money_text(promised).en}, "
                f"this pledge {money_text(fen).en} (at most {money_text(max(fund.cap_fen - promised, 0)).en} more)"),
                field="amount", clause=fund_clause(ctx, fund)))
    row = Pledge(sponsor_id=sponsor.id, fund_id=fund.id, project_id=project_id, amount_fen=fen, in_kind=in_kind,
                 occasion=occasion, pledged_on=day, recorded_by_id=ctx.actor.id, year=fund.year,
                 idempotency_key=key)
    with ctx.action("pledge.record"):
        ctx.session.add(row)
    holds.hold_claim(ctx, row)  # a claim: from now on no other project's approval can take its money
    return row


def fund_clause(ctx: Ctx, fund: Fund, code: str = "over_cap") -> Text | None:
    """The clause of the policy whose fund this is (the first programme at or above the fund's
    unit that declares a co-governance fund of this name) for the limit ``code`` names (its
    cap, by default), cited when the fund refuses."""
    ids = fund.org_unit.ancestor_ids
    for programme in ctx.session.scalars(select(Programme).where(Programme.org_unit_id.in_(ids),
                                                                 Programme.year == fund.year)):
        try:
            policy, config = policy_of(ctx, programme)
            specs = policy.funds(config)
        except Exception:  # noqa: BLE001 - a citation must never turn a refusal into a crash
            continue
        for spec in specs:
            if spec.kind == fund.kind and spec.name.zh == fund.name:
                return spec.clause_for(code)
    return None


def get_pledge(ctx: Ctx, pledge_id: int) -> Pledge:
    row = ctx.session.get(Pledge, pledge_id) if isinstance(pledge_id, int) and not isinstance(pledge_id, bool) else None
    if row is None:
        raise NotFound(PLEDGE, field="pledge_id")
    return row


# ---------------------------------------------------------------- receiving


@dataclass(frozen=True)
class Receipt:
    allocation: LedgerEntry
    commitment: LedgerEntry | None  # the amount earmarked for the claimed, approved project


def _net(entries: list[LedgerEntry]) -> dict[int, int]:
    """Each entry's amount net of the corrections that name it."""
    net = {e.id: e.amount_fen for e in entries if e.kind != EntryKind.correction.value}
    for e in entries:
        if e.kind == EntryKind.correction.value and e.corrects_id in net:
            net[e.corrects_id] -= e.amount_fen
    return net


def _fund_entries(ctx: Ctx, fund_id: int) -> list[LedgerEntry]:
    return list(ctx.session.scalars(select(LedgerEntry).where(LedgerEntry.fund_id == fund_id).order_by(LedgerEntry.id)))


def _received(entries: list[LedgerEntry], net: dict[int, int]) -> dict[int, int]:
    out: dict[int, int] = defaultdict(int)
    for e in entries:
        if e.kind == EntryKind.allocation.value and e.pledge_id is not None:
            out[e.pledge_id] += net[e.id]
    return out


def approved_fen(ctx: Ctx, project: Project) -> int | None:
    """The approved amount of an approved project (its latest decision), else None."""
    if project.state != ProjectState.approved.value:
        return None
    return ctx.session.scalars(select(Decision.approved_fen).where(Decision.project_id == project.id,
                                                                   Decision.outcome == "approved")
                               .order_by(Decision.id.desc())).first()


def receive(ctx: Ctx, pledge_id: int, amount, key: str, memo: str = "") -> Receipt:
    """Record money arriving for a pledge (yuan): allocated to the fund, never more than the
    pledge promised; earmarked for its claimed project if that project is approved (see the
    module doc). Retrying with the same key returns what was recorded."""
    row = get_pledge(ctx, pledge_id)
    fund = ledger.get_fund(ctx, row.fund_id)
    if not may_record(ctx, fund):
        raise Forbidden(T(f"只有「{fund.org_unit.name}」及上级的工作人员可以登记认捐到账",
                          f"Only staff at or above {fund.org_unit.name_en or fund.org_unit.name} may record receipts"))
    fen, problem = _yuan(amount, "amount", T("到账金额", "The amount received"), allow_zero=False)
    if problem:
        raise RuleError(problem)
    key = _key(key)
    memo, problem = _text(memo, "memo", T("摘要", "Memo"), ledger.MEMO_MAX)
    if problem:
        raise RuleError(problem)
    ledger.lock_funds(ctx, [fund.id])
    retry = ctx.session.scalars(select(LedgerEntry.id).where(LedgerEntry.idempotency_key == key)).first() is not None
    if not retry:
        entries = _fund_entries(ctx, fund.id)
        received = _received(entries, _net(entries)).get(row.id, 0)
        if received + fen > row.amount_fen:
            left = max(row.amount_fen - received, 0)
            raise RuleError(Violation("over_pledge", T(
                f"到账金额超过认捐金额：「{row.sponsor.name}」认捐 {money_text(row.amount_fen).zh}，已到账 {money_text(received).zh}，"
                f"本次 {money_text(fen).zh}（最多还可到账 {money_text(left).zh}）",
                f"More than pledged: {row.sponsor.name} pledged {money_text(row.amount_fen).en}, received {money_text(received).en}, "
                f"this {money_text(fen).en} (at most {money_text(left).en} more)"), field="amount"))
    allocation = ledger.allocate(ctx, fund.id, fen, key, memo=memo or f"{row.sponsor.name}认捐到账", pledge_id=row.id)
    commit_key = key + COMMIT_SUFFIX
    if retry:  # what the first attempt earmarked, if anything; never a second earmark
        commitment = ctx.session.scalars(select(LedgerEntry).where(LedgerEntry.idempotency_key == commit_key)).first()
        return Receipt(allocation, commitment)
    return Receipt(allocation, _earmark(ctx, fund, row, fen, commit_key))


def _earmark(ctx: Ctx, fund: Fund, row: Pledge, fen: int, key: str) -> LedgerEntry | None:
    if row.project_id is None:
        return None
    project = ctx.session.get(Project, row.project_id)
    approved = approved_fen(ctx, project)
    if approved is None:
        return None  # not approved yet: the approval will draw on the fund
    committed = sum(b.committed for b in ledger.project_balances(ctx, project.id).values())
    available = ledger.balance(ctx, fund.id).available
    amount = min(fen, approved - committed, available)
    if amount <= 0:
        return None
    return ledger.commit(ctx, fund.id, amount, project.id, key, pledge_id=row.id,
                         memo=f"{project.title}：{row.sponsor.name}认领款（认捐#{row.id}）"[:ledger.MEMO_MAX])


# ---------------------------------------------------------------- derived state


@dataclass(frozen=True)
class PledgeState:
    promised: int
    received: int
    spent: int

    @property
    def status(self) -> str:
        if self.received <= 0:
            return "promised"
        return "spent" if self.spent >= self.received else "received"

    @property
    def status_label(self) -> Text:
        return STATUS_LABELS[self.status]

    @property
    def outstanding(self) -> int:
        return max(self.promised - self.received, 0)


@dataclass(frozen=True)
class Expense:
    entry_id: int
    at: dt.datetime
    amount_fen: int
    memo: str
    project_id: int | None
    project_title: str
    receipt: Attachment | None


@dataclass
class FundState:
    """One fund's pledges with their derived state, and its expenses."""

    fund: Fund
    pledges: list[Pledge]
    states: dict[int, PledgeState]
    expenses: list[Expense]
    balance: ledger.Balance

    @property
    def promised(self) -> int:
        return sum(p.amount_fen for p in self.pledges)

    @property
    def received(self) -> int:
        return sum(s.received for s in self.states.values())

    def expenses_of(self, project_id: int | None) -> list[Expense]:
        return [e for e in self.expenses if project_id is None or e.project_id == project_id]


def fund_state(ctx: Ctx, fund: Fund) -> FundState:
    """Every pledge of the fund with what it brought in and what of that was spent (FIFO, see
    the module doc), from the fund's entries."""
    pledges = list(ctx.session.scalars(select(Pledge).where(Pledge.fund_id == fund.id).order_by(Pledge.id)))
    entries = _fund_entries(ctx, fund.id)
    net = _net(entries)
    received = _received(entries, net)
    spent_by_project: dict[int | None, int] = defaultdict(int)
    expense_rows = [e for e in entries if e.kind == EntryKind.expense.value and net[e.id] > 0]
    for e in expense_rows:
        spent_by_project[e.project_id] += net[e.id]
    total_spent = sum(spent_by_project.values())

    spent: dict[int, int] = {}
    taken_by_claims = 0
    for project_id in {p.project_id for p in pledges if p.project_id is not None}:
        left = spent_by_project.get(project_id, 0)
        for p in (p for p in pledges if p.project_id == project_id):
            share = min(received.get(p.id, 0), left)
            spent[p.id], left = share, left - share
            taken_by_claims += share
    left = total_spent - taken_by_claims
    for p in (p for p in pledges if p.project_id is None):
        share = min(received.get(p.id, 0), left)
        spent[p.id], left = share, left - share

    projects = {pr.id: pr for pr in ctx.session.scalars(
        select(Project).where(Project.id.in_({e.project_id for e in expense_rows if e.project_id})))}
    receipts = {a.id: a for a in ctx.session.scalars(
        select(Attachment).where(Attachment.id.in_({e.receipt_attachment_id for e in expense_rows if e.receipt_attachment_id})))}
    expenses = [Expense(e.id, e.at, net[e.id], e.memo or "", e.project_id,
                        projects[e.project_id].title if e.project_id in projects else "",
                        receipts.get(e.receipt_attachment_id)) for e in expense_rows]
    states = {p.id: PledgeState(p.amount_fen, received.get(p.id, 0), spent.get(p.id, 0)) for p in pledges}
    return FundState(fund, pledges, states, expenses, ledger.balance(ctx, fund.id))


def _states_for(ctx: Ctx, rows: list[Pledge]) -> dict[int, PledgeState]:
    out: dict[int, PledgeState] = {}
    for fund_id in sorted({p.fund_id for p in rows}):
        out.update(fund_state(ctx, ledger.get_fund(ctx, fund_id)).states)
    return out


@dataclass(frozen=True)
class PledgeRow:
    pledge: Pledge
    state: PledgeState
    fund: Fund
    project: Project | None


def _visible_pledges(ctx: Ctx):
    """Pledges the actor may read: to funds at or below their staff units, or their own."""
    stmt = (select(Pledge).join(Sponsor, Sponsor.id == Pledge.sponsor_id).join(Fund, Fund.id == Pledge.fund_id)
            .join(OrgUnit, OrgUnit.id == Fund.org_unit_id))
    return stmt.where(ctx.where(A.sponsor_view, unit_path=OrgUnit.path, sponsor_user_id=Sponsor.user_id))


def list_pledges(ctx: Ctx, *, fund_id: int | None = None, sponsor_id: int | None = None,
                 project_id: int | None = None) -> list[PledgeRow]:
    """Pledges with their derived state, by fund, sponsor and/or claimed project. Staff see
    their units' funds, a sponsor its own; who claimed a project is public to whoever may see
    the project (the council announces it)."""
    stmt = _pledges_query(ctx, fund_id, sponsor_id, project_id)
    return pledge_rows(ctx, list(ctx.session.scalars(stmt).unique()))


def pledges_page(ctx: Ctx, *, fund_id: int | None = None, sponsor_id: int | None = None,
                 project_id: int | None = None, limit: int, offset: int = 0) -> tuple[list[PledgeRow], int]:
    """A page of ``list_pledges`` and their number in all."""
    rows, total = paging.page(ctx.session, _pledges_query(ctx, fund_id, sponsor_id, project_id),
                              limit=limit, offset=offset, unique=True)
    return pledge_rows(ctx, rows), total


def _pledges_query(ctx: Ctx, fund_id: int | None, sponsor_id: int | None, project_id: int | None):
    if project_id is not None:
        project = ctx.session.scalars(visible_projects(ctx).where(Project.id == project_id)).unique().one_or_none()
        if project is None:
            raise NotFound(T("项目", "project"), field="project_id")
        stmt = select(Pledge).where(Pledge.project_id == project.id)
    else:
        stmt = _visible_pledges(ctx)
    if fund_id is not None:
        stmt = stmt.where(Pledge.fund_id == fund_id)
    if sponsor_id is not None:
        stmt = stmt.where(Pledge.sponsor_id == sponsor_id)
    return stmt.order_by(Pledge.id)


def pledge_rows(ctx: Ctx, rows: list[Pledge]) -> list[PledgeRow]:
    """These pledges with their derived state, fund and claimed project."""
    states = _states_for(ctx, rows)
    funds = {f.id: f for f in ledger.funds_by_id(ctx, sorted({p.fund_id for p in rows}))}
    projects = {pr.id: pr for pr in ctx.session.scalars(
        select(Project).where(Project.id.in_({p.project_id for p in rows if p.project_id})))}
    return [PledgeRow(p, states[p.id], funds[p.fund_id], projects.get(p.project_id)) for p in rows]


def claims_of(ctx: Ctx, project: Project) -> list[PledgeRow]:
    """Who claimed this project (the caller has already been allowed to see it)."""
    return pledge_rows(ctx, list(ctx.session.scalars(select(Pledge).where(Pledge.project_id == project.id).order_by(Pledge.id))))


def claimable_projects(ctx: Ctx, fund: Fund) -> list[Project]:
    """Announced projects of the fund's unit and below, which a pledge to it may claim."""
    stmt = (select(Project).join(OrgUnit, OrgUnit.id == Project.applicant_unit_id)
            .where(OrgUnit.path.startswith(fund.org_unit.path), Project.state.in_(ANNOUNCED))
            .order_by(Project.id))
    return list(ctx.session.scalars(stmt))


# ---------------------------------------------------------------- the sponsor's view


@dataclass
class PledgeView:
    pledge: Pledge
    fund: Fund
    state: PledgeState
    project: Project | None
    paid_for: list[Expense] = field(default_factory=list)


@dataclass
class SponsorView:
    sponsor: Sponsor
    pledges: list[PledgeView]

    @property
    def promised(self) -> int:
        return sum(v.state.promised for v in self.pledges)

    @property
    def received(self) -> int:
        return sum(v.state.received for v in self.pledges)

    @property
    def spent(self) -> int:
        return sum(v.state.spent for v in self.pledges)


def sponsor_view(ctx: Ctx, sponsor_id: int) -> SponsorView:
    """What a sponsor promised, what arrived, and what it paid for (its own login, or staff and
    supervisors at or above the unit it is registered with)."""
    sponsor = get_sponsor(ctx, sponsor_id)
    if not may_see_sponsor(ctx, sponsor):
        raise Forbidden(T("只能查看本单位的认捐情况", "You may see only your own organisation's pledges"))
    rows = list(ctx.session.scalars(select(Pledge).where(Pledge.sponsor_id == sponsor.id).order_by(Pledge.id)))
    funds = {f.id: fund_state(ctx, f) for f in ledger.funds_by_id(ctx, sorted({p.fund_id for p in rows}))}
    projects = {pr.id: pr for pr in ctx.session.scalars(
        select(Project).where(Project.id.in_({p.project_id for p in rows if p.project_id})))}
    views = []
    for p in rows:
        fs = funds[p.fund_id]
        views.append(PledgeView(p, fs.fund, fs.states[p.id], projects.get(p.project_id), fs.expenses_of(p.project_id)))
    return SponsorView(sponsor, views)
