"""What falls due under the co-governance fund (tongxin_obligations): the fund's yearly account to
the residents' congress ("在年度居民代表大会上向居民通报经费监督情况").

The neighbourhood that owns the year's 社区共治金 reports, by the end of the year (the congress
phase is December; the seed gives no date, 31 December is the street office's usual deadline),
what the congress was told: the fund's money (raised, committed, spent: prefilled from the
ledger, never retyped), how the supervision committee checked it, and what residents said. The
street office accepts it; the neighbourhood is reminded two weeks ahead, and the street office
hears of a late one the next day.
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.plugin_host.toolkit import Escalation, Obligation, OnDays, T
from plugins.haiyuan import clauses

FUND_KEY = "gongzhijin"


def _text(label, *, required=True):
    return fields.String(required=required, validate=validate.Length(min=1 if required else 0, max=4000),
                         metadata={"label": label, "widget": "textarea"})


class CongressAccount(Schema):
    congress_on = fields.Date(required=True, metadata={"label": T("居民代表大会日期", "Date of the congress")})
    representatives = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=10_000),
                                     metadata={"label": T("到会居民代表人数", "Representatives present")})
    account = _text(T("共治金使用情况", "How the fund was used"))
    supervision = _text(T("监督委员会监督情况", "How the supervision committee checked it"))
    feedback = _text(T("居民意见", "What residents said"), required=False)


def obligations(config) -> list[Obligation]:
    return [Obligation("congress_account", T("共治金年度使用情况通报（居民代表大会）", "The fund's yearly account to the congress"),
                       owed_by="fund_owner", fund=FUND_KEY,
                       due=OnDays(("12-31",), (T("年度居民代表大会", "the yearly congress"),)), form=CongressAccount,
                       clause=clauses.CONGRESS, remind_days_before=14, remind_roles=("neighbourhood_staff",),
                       escalation=(Escalation(1, ("street_admin",), "street"),), accepted_by="street",
                       opens_days_before=31)]
