"""Supervision tests' shared helpers: a visit's body answering both policies' checklists."""
from __future__ import annotations

import datetime as dt


JULY = "2023-07-12"


GHXL_ITEMS = ("plan_on_track", "activity_records", "budget_kept", "residents_take_part", "deviations_met",
              "residents_satisfied")


DISTRICT_ITEMS = ("fund_spent_on_list", "fund_formed_bottom_up")


def answers(*, but: dict | None = None) -> list[dict]:
    out = [{"item": k, "answer": "met", "note": ""} for k in (*GHXL_ITEMS, *DISTRICT_ITEMS)]
    for a in out:
        a.update((but or {}).get(a["item"], {}))
    return out


def visit(**kw) -> dict:
    base = {"visited_on": dt.date(2023, 7, 12), "kind": "mid_term", "method": "visit",
            "visitors": "社区自治办 王老师", "observed": "楼组议事会已召开两次，花园已完成一半。", "checklist": answers()}
    return {**base, **kw}
