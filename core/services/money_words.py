"""The words money is shown in, each with its one-line explanation in plain Chinese (and English).

Every money page labels its figures from this one table (the templates' ``money_word`` and the
macros of ``pages/money/_words.html``), so 到位, 已承诺, 已拨付, 已支出, 可用 and 上限 mean the same
on the funds pages, the project page, the fund requests, the disclosure and a sponsor's page,
and each carries the same explanation on hover and in the legend below the figures. The
explanations are words, never a formula: residents read them. The names follow
docs/glossary.md (section "Money": how the figures are shown).

The figures themselves are the ledger's (``core.services.ledger.Balance``); a word here names
one of them and says what it holds, nothing more.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.i18n import T, Text


@dataclass(frozen=True)
class MoneyWord:
    key: str
    label: Text
    explanation: Text


def _w(key: str, zh: str, en: str, why_zh: str, why_en: str) -> MoneyWord:
    return MoneyWord(key, T(zh, en), T(why_zh, why_en))


WORDS: dict[str, MoneyWord] = {w.key: w for w in (
    _w("cap", "上限", "Cap",
       "这一项资金最多能用多少；只管它自己，不管别的资金。",
       "The most this one fund may be used for; it limits this fund only."),
    _w("allocated", "到位", "Allocated",
       "已经拨入这一项资金、实实在在能用的钱。",
       "Money actually put into this fund."),
    _w("committed", "已承诺", "Committed",
       "项目立项时答应给项目的钱，别的项目不能再用。",
       "Money promised to approved projects; no other project may use it."),
    _w("held", "认领预留", "Held for claims",
       "共建单位认领了、但项目还没立项，先替它留着的钱。",
       "Money set aside for a claimed project that is not decided yet."),
    _w("disbursed", "已拨付", "Disbursed",
       "已经转给项目、由项目去花的钱。",
       "Money already paid out to projects."),
    _w("spent", "已支出", "Spent",
       "项目已经花掉、有凭证的钱。",
       "Money projects have spent, with vouchers."),
    _w("available", "可用", "Available",
       "还能答应给新项目的钱：到位的钱（不超过上限）减去已承诺和认领预留。",
       "What may still be promised to a new project: the money in the fund, within its cap, less what is committed or held."),
    _w("pledged", "认捐", "Pledged",
       "共建单位答应捐出的钱。",
       "What a sponsor promised to give."),
    _w("arrived", "到位", "Arrived",
       "认捐的钱中已经到账、转入共治金的部分。",
       "What of a pledge has been paid into the fund."),
    _w("pledge_committed", "已承诺", "Committed",
       "到位的钱中已经答应给项目的部分。",
       "What of the money that arrived is promised to projects."),
    _w("pledge_spent", "已支出", "Spent",
       "到位的钱中项目已经花掉的部分，每一笔都列在下面。",
       "What of the money that arrived projects have spent; each expense is listed below."),
    _w("unspent", "结余", "Unspent",
       "到位了但还没有花出去的钱。",
       "Money that arrived but is not spent yet."),
    _w("not_arrived", "待到位", "Still to arrive",
       "答应了、但还没有转入的钱。",
       "Promised but not paid in yet."),
    _w("budget_balance", "结余", "Unspent",
       "预算中还没有花出去的钱。",
       "What of the budget is not spent yet."),
    _w("pledge_cap", "认捐上限", "Pledge target",
       "这一项共治金一年最多接受多少认捐；只管这一项共治金。",
       "The most this co-governance fund takes in pledges in a year; it limits this fund only."),
    _w("budgeted", "预算金额", "Budgeted",
       "申报时这一项预算打算花的钱。",
       "What the budget item planned to spend."),
    _w("requested", "已申请", "Requested",
       "已经提出资金申请的钱（不含撤回和未通过的）。",
       "Money asked for in fund requests (not withdrawn or refused)."),
    _w("open_requests", "在途申请", "Open requests",
       "已经提出、还没有拨付的资金申请。",
       "Fund requests made but not paid out yet."),
    _w("left_to_request", "尚可申请", "Left to request",
       "答应给本项目的钱中，还可以申请拨付的部分。",
       "What of the money promised to this project may still be requested."),
)}


def word(key: str) -> MoneyWord:
    """The word for ``key``; an unknown key is a programming error, loud in tests."""
    return WORDS[key]
