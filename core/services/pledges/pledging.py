"""Pledging: recording a sponsor's promise (认捐) to a co-governance fund, and its claim (认领) of a
project, within the fund's target (see the package doc for who may and what is refused)."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from core.i18n import T, Text
from core.models import Fund, OrgUnit, Pledge, Project, ProjectState, Sponsor
from core.money import money_text, read_yuan
from core.permissions import A, Subject
from core.services import calendar, holds, ledger
from core.services.context import Ctx
from core.services.pledges.funds import _pledge_fund, fund_clause
from core.services.pledges.sponsors import _text
from core.violations import Forbidden, NotFound, RuleError, Violation, Violations
from core.formats import day_words

PLEDGE = T("认捐", "pledge")
# A project the council can announce, and so a sponsor can claim.
ANNOUNCED = (ProjectState.submitted.value, ProjectState.endorsed.value, ProjectState.under_review.value,
             ProjectState.returned.value, ProjectState.approved.value)
COMMIT_SUFFIX = ":commit"
# A receipt's key is extended by COMMIT_SUFFIX for its earmark, and must still fit the ledger's.
KEY_MAX = ledger.KEY_MAX - len(COMMIT_SUFFIX)
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
IN_KIND_MAX, OCCASION_MAX = 500, 200


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
        return None, Violation("date_in_future", T(f"{label.zh}不能晚于今天（{day_words(today).zh}）", f"{label.en} cannot be after today ({day_words(today).en})"),
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
    (see the package doc for who may and what is refused). ``amount`` is yuan. A claim is
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
        if ((done.sponsor_id, done.fund_id, done.amount_fen, done.project_id, done.in_kind, done.occasion)
                != (sponsor.id, fund.id, fen, project_id, in_kind, occasion)):
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


def get_pledge(ctx: Ctx, pledge_id: int) -> Pledge:
    row = ctx.session.get(Pledge, pledge_id) if isinstance(pledge_id, int) and not isinstance(pledge_id, bool) else None
    if row is None:
        raise NotFound(PLEDGE, field="pledge_id")
    return row


def claimable_projects(ctx: Ctx, fund: Fund) -> list[Project]:
    """Announced projects of the fund's unit and below, which a pledge to it may claim."""
    stmt = (select(Project).join(OrgUnit, OrgUnit.id == Project.applicant_unit_id)
            .where(OrgUnit.path.startswith(fund.org_unit.path), Project.state.in_(ANNOUNCED))
            .order_by(Project.id))
    return list(ctx.session.scalars(stmt))
