"""A budget row's category: what kind of spending it is (活动物料, 场地租用 ...).

Core stores the category a row was put in and hands it to the policies' rules
(``ProjectFacts.budget``); which categories exist, and whether a row may be in one, is policy: a
policy lists its categories (``tongxin_budget_categories``, offered by the budget editor) and its
own rule refuses a row outside its list, citing its document. Core only checks that the value
can be stored (``BudgetItem.category``'s column), for every way in: the API's and the web's
input schema, and the service itself for callers that skip the schema.
"""
from __future__ import annotations

from core.i18n import T
from core.violations import Violation, Violations

CATEGORY_MAX = 64  # BudgetItem.category's column


def budget_category(item: dict, index: int, v: Violations) -> str | None:
    """Row ``index``'s category (stripped; None when not given), or a violation added to ``v``."""
    value = item.get("category")
    if value is None:
        return None
    if not isinstance(value, str) or len(value.strip()) > CATEGORY_MAX:
        v.add(Violation("budget_category", T(f"第{index + 1}行：预算类别应为不超过{CATEGORY_MAX}个字的文字",
                                             f"Item {index + 1}: the category is text of at most {CATEGORY_MAX} characters"),
                        field=f"budget.{index}.category"))
        return None
    return value.strip() or None
