"""The words check itself, in Chromium: a zh-CN page that shows an ISO date, an English table
name or a raw field name fails it, each slip named; the same facts in Chinese words pass; an
English page is not judged."""
from __future__ import annotations

import pytest

from tests.browser.words import chinese_only

pytestmark = pytest.mark.browser

ARTIFACTS = "words"


def test_a_page_of_iso_dates_table_and_field_names_fails(browser_page):
    page = browser_page
    page.set_content('<html lang="zh-CN"><head><title>资金申请</title></head><body>'
                     '<p>提交于 2023-03-15</p><p>表：fund_requests</p>'
                     '<input aria-label="amount_fen" placeholder="金额"></body></html>')
    with pytest.raises(AssertionError) as failed:
        chinese_only(page)
    said = str(failed.value)
    assert "'2023-03-15'" in said
    assert "English table name 'fund_requests'" in said
    assert "raw field name 'amount_fen'" in said


def test_the_same_facts_in_words_pass_and_english_pages_are_not_judged(browser_page):
    page = browser_page
    page.set_content('<html lang="zh-CN"><body><p>提交于 2023年3月15日 14:05</p><p>资金申请 · 金额 1,000.00元</p>'
                     '<p hidden>amount_fen</p><a href="/fund_requests/2023-03-15">查看</a></body></html>')
    chinese_only(page)  # hidden text and addresses are not what a person reads
    page.set_content('<html lang="en"><body><p>Submitted 2023-03-15</p></body></html>')
    chinese_only(page)


def test_what_people_typed_is_theirs_but_the_platforms_words_around_it_are_judged(browser_page):
    page = browser_page
    page.set_content('<html lang="zh-CN"><body><dl><dt>进度安排</dt><dd data-typed>2023-04-30 完成场地改造</dd></dl>'
                     '</body></html>')
    chinese_only(page)  # a resident's answer, shown as typed
    page.set_content('<html lang="zh-CN"><body><dl><dt>进度安排</dt><dd data-typed>2023-04-30 完成场地改造</dd></dl>'
                     '<p>截止 2023-05-31</p></body></html>')
    with pytest.raises(AssertionError) as failed:
        chinese_only(page)
    assert "'2023-05-31'" in str(failed.value) and "2023-04-30" not in str(failed.value)
