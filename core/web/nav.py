"""The main menu: what each person can use, grouped, as data the page header renders.

Why data: a street office holds rights to ten pages; listed flat they filled two lines of the
header (a third of a phone's screen). Here each entry names the right that opens its page, the
entries fall into a few groups (项目 / 资金 / 督导 / 管理), and a group with one entry is shown as
that entry. A person's main page (their desk, 我的项目 for an applicant who runs nothing, 评审 for
a panel member, 街道概览 / 全区概览 for an office, 我的认捐 for a sponsor) stands on its own, so it
is one click away. Every condition asks the permission table, never a role's name; a page that
would be empty for the person (共治金 where no policy declares one and none exists) is left out.

``base.html`` renders it with ``<details>`` dropdowns (working without script and from the
keyboard); ``static/js/nav.js`` only closes the others when one opens, and folds the whole menu
behind one 菜单 button at phone width (``static/css/nav.css``).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask import Flask, g, request, url_for
from sqlalchemy import exists, select

from core.i18n import T, Text
from core.models import OrgUnit
from core.models.ledger import Fund, FundKind
from core.permissions import A, holder_grants, holder_paths
from core.permissions.table import UNIT_SCOPES, Scope

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    label: Text
    url: str
    current: bool = False


@dataclass
class Group:
    key: str
    label: Text
    entries: list[Entry] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return any(e.current for e in self.entries)


def _entry(label: Text, endpoint: str, here: str, *, current=None, **values) -> Entry:
    is_current = current(here) if current else here == endpoint
    return Entry(label, url_for(endpoint, **values), is_current)


def menu(c) -> list[Entry | Group]:
    """The person's menu: entries on their own and groups (a group of one is its entry)."""
    here = request.endpoint or ""
    public = [_entry(T("首页", "Home"), "web.public.home", here)]
    projects_list = _entry(T("项目", "Projects"), "web.projects.index", here)
    disclosure = _entry(T("资金公开", "Disclosure"), "web.disclosure.index", here,
                        current=lambda h: h.startswith("web.disclosure") and h != "web.disclosure.money")
    if not c.actor.is_authenticated:
        return [*public, projects_list, disclosure]
    actor, table = c.actor, c.permissions
    streets = [gr for gr in holder_grants(actor, A.programme_manage, table=table) if gr.unit_kind == "street"]
    runs = bool(streets) or c.can(A.district_overview).allowed or c.can(A.programme_manage).allowed
    own: list[Entry] = [_entry(T("工作台", "My desk"), "web.desk.page", here)]
    work = Group("projects", T("项目", "Projects"))
    money = Group("money", T("资金", "Money"))
    supervision = Group("supervision", T("督导", "Supervision"))
    manage = Group("manage", T("管理", "Admin"))
    if c.can(A.district_overview).allowed:
        own.append(_entry(T("全区概览", "District"), "web.overview.district", here))
    for gr in streets:
        own.append(_entry(T("街道概览", "Street"), "web.overview.street", here, unit_id=gr.unit_id,
                          current=lambda h, uid=gr.unit_id: h == "web.overview.street"
                          and (request.view_args or {}).get("unit_id") == uid))
    if c.can(A.project_apply).allowed:
        mine = _entry(T("我的项目", "My projects"), "web.overview.mine", here)
        (work.entries if runs else own).append(mine)
    review = _entry(T("评审", "Review"), "web.review.queue", here, current=lambda h: h.startswith("web.review"))
    if c.can(A.review_score).allowed:
        own.append(review)  # a panel member's main page
    elif c.can(A.programme_manage).allowed:
        work.entries.append(review)
    work.entries.insert(0, projects_list)
    pledged = bool(holder_grants(actor, A.sponsor_view, table=table, scopes=frozenset({Scope.sponsor_of})))
    if pledged:
        own.append(_entry(T("我的认捐", "My pledges"), "web.sponsors.mine", here))
    money.entries.append(disclosure)
    money.entries.append(_entry(T("资金", "Funds"), "web.money.index", here,
                                current=lambda h: h.startswith("web.money")))
    if _co_funds_shown(c, actor, table):
        money.entries.append(_entry(T("共治金", "Co-funds"), "web.sponsors.funds", here,
                                    current=lambda h: h in ("web.sponsors.funds", "web.sponsors.fund")))
    if c.can(A.fund_request_summary).allowed:
        money.entries.append(_entry(T("资金申请", "Fund requests"), "web.fund_requests.office", here,
                                    current=lambda h: h.startswith("web.fund_requests")))
    if c.can(A.money_overview).allowed:
        money.entries.append(_entry(T("资金总览", "Money overview"), "web.disclosure.money", here))
    if c.can(A.supervision_visit).allowed:
        supervision.entries.append(_entry(T("督导", "Supervision"), "web.supervision.index", here,
                                          current=lambda h: h.startswith("web.supervision")))
    if c.can(A.programme_manage).allowed:
        manage.entries.append(_entry(T("管理", "Admin"), "web.admin.index", here,
                                     current=lambda h: h.startswith("web.admin")))
    out: list[Entry | Group] = [*public, *own]
    for group in (work, money, supervision, manage):
        if len(group.entries) == 1:
            out.append(group.entries[0])
        elif group.entries:
            out.append(group)
    return out


def _co_funds_shown(c, actor, table) -> bool:
    """共治金 only where its page has something for the person: a co-governance fund they can
    see, or one a programme's policy declares that they could open."""
    if not holder_grants(actor, A.sponsor_view, table=table, scopes=UNIT_SCOPES):
        return False
    from core.services.programmes import policy_of
    from core.web.queries import all_programmes

    # A programme at, above or below a unit where the person records pledges, whose policies
    # declare a co-governance fund: the page offers to open it.
    # (as ``pledges.fund_openings`` offers them: the programme's own unit's fund to those at or
    # above it, a neighbourhood's to those at, above or below it).
    paths = holder_paths(actor, A.pledge_record, table=table)
    for programme in all_programmes(c) if paths else ():
        where = programme.org_unit.path
        above = any(where.startswith(p) for p in paths)
        related = above or any(p.startswith(where) for p in paths)
        if not related:
            continue
        stack, config = policy_of(c, programme)
        for spec in stack.funds(config):
            if spec.kind == FundKind.sponsor_fund.value and (above or spec.owner == "applicant"):
                return True
    seen = (select(Fund.id).join(OrgUnit, OrgUnit.id == Fund.org_unit_id)
            .where(Fund.kind == FundKind.sponsor_fund.value, c.where(A.sponsor_view, unit_path=OrgUnit.path)))
    return bool(c.session.scalar(select(exists(seen))))


def init_app(app: Flask) -> None:
    """The menu on every page of a tenant (never failing a page: an error page must render)."""

    @app.context_processor
    def _main_menu():
        if g.get("tenant") is None:
            return {}
        try:
            from core.web.context import ctx

            return {"main_menu": menu(ctx())}
        except Exception:  # noqa: BLE001 - the header must never break the page under it
            log.exception("could not build the main menu")
            return {"main_menu": []}
