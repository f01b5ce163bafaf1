"""The rules of what a zh-CN reader must not see (tests/words_rules.py), on plain text: the names
come from the models, so a new table or state is covered without editing a list."""
from __future__ import annotations

from core.db import Base
from core.models import FundRequestState
from tests.words_rules import names, slips


def test_iso_dates_table_names_and_field_names_are_slips():
    found = slips("提交于 2023-03-15 14:05；表 fund_requests；金额 amount_fen；状态 under_review")
    assert len(found) == 4, found
    assert any("'2023-03-15'" in f for f in found)
    assert any("table name 'fund_requests'" in f for f in found)
    assert any("field name 'amount_fen'" in f for f in found)
    assert any("field name 'under_review'" in f for f in found)


def test_the_names_are_read_from_the_models():
    # read afresh: a fixture plugin's model imported by an earlier test adds its table later
    names.cache_clear()
    found = names()
    assert found["tables"] == frozenset(Base.metadata.tables)
    assert {"org_unit_id", "requested_fen"} <= found["fields"]
    assert {s.value for s in FundRequestState} <= found["fields"]


def test_words_addresses_and_what_the_user_typed_are_not_slips():
    assert slips("提交于 2023年3月15日 14:05 · 1,000.00元 · 2023年3月") == []
    # an e-mail address, a file name or a path is not a field name shown raw
    assert slips("admin@street_admin.example · plan_tasks.xlsx · /t/x/fund_requests") == []
    assert slips("附件 2023-03-15会议记录.pdf", allowed=("2023-03-15会议记录.pdf",)) == []
