"""Money that explains itself (issue 16, item 4), read as a person reads the pages:

- every money page labels its figures with the words of ``core.services.money_words``, each with
  its plain explanation on hover (title) and in a legend the label points to (aria-describedby),
  and no page shows a formula;
- a cap is shown only beside the fund it caps: the money overview's street totals do not put
  the pool's cap beside the sum of the pool and the budget lines, nor add caps of different funds;
- a sponsor's page reconciles pledge by pledge: pledged, arrived, committed, spent and unspent
  add up, and each expense says what part of it the pledge paid (the issue's "已使用 1,600 beside
  a single 31,600 spending").
Both profiles."""
from __future__ import annotations

import html as htmllib
import re
from decimal import Decimal

import pytest

from core.services import money_words
from tests.clients import Web, text
from tests.factories import COUNCIL_DAY, T, approve, haiyuan_project, on_day
from tests.money_factories import money_for, receive, record, sponsor_id, spend

FORMULA = re.compile(r"=|＝|min\(|max\(")


def web(app, username: str | None = None) -> Web:
    w = Web(app.test_client(), tenant=T)
    if username:
        w.login(username)
    return w


def visible(html: str) -> str:
    """The page's main text as a reader sees it (no tags, attributes or scripts)."""
    main = html[html.index("<main"):html.index("</main>")] if "<main" in html else html
    main = re.sub(r"<(script|style)\b.*?</\1>", "", main, flags=re.S)
    return htmllib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


def explained(html: str) -> list[str]:
    """Every money word on the page: its label must carry the table's explanation as its title
    and point (aria-describedby) at a legend line on the page that says the same."""
    terms = re.findall(r'<abbr class="money-term" title="([^"]*)" aria-describedby="([^"]+)">([^<]+)</abbr>', html)
    explanations = {w.explanation.zh: w for w in money_words.WORDS.values()}
    for title, target, label in terms:
        word = explanations.get(htmllib.unescape(title))
        assert word is not None and word.label.zh == label, (label, title)
        line = re.search(rf'<dd id="{re.escape(target)}">([^<]+)</dd>', html)
        assert line, f"{label}: aria-describedby={target} points at nothing"
        assert htmllib.unescape(line.group(1)) == word.explanation.zh
    return [label for _, _, label in terms]


def row_cells(html: str, row_text: str, table_id: str | None = None) -> list[str]:
    part = html
    if table_id:
        part = html[html.index(f'id="{table_id}"'):]
        part = part[:part.index("</table>")]
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", part, re.S):
        if row_text in row:
            return [re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", c))).strip()
                    for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
    raise AssertionError(f"no row with {row_text}")


def test_the_funds_pages_explain_each_word_and_show_no_formula(app, platform):
    money_for(platform)
    staff = web(app, "ghxl_admin")
    listing = text(staff.get("/funds?year=2023"))
    shown = explained(listing)
    for word in ("上限", "到位", "已承诺", "认领预留", "已拨付", "已支出", "可用"):
        assert word in shown, word
    assert not FORMULA.search(visible(listing)), "the funds page shows a formula"
    fund = re.search(r'href="/t/jingan/funds/(\d+)">自治项目资金池', listing).group(1)
    page = text(staff.get(f"/funds/{fund}"))
    assert {"上限", "到位", "已承诺", "已拨付", "已支出", "可用"} <= set(explained(page))
    assert not FORMULA.search(visible(page))
    # residents see the same words on the public pages, and no formula there either
    public = text(web(app).get("/disclosure"))
    assert not FORMULA.search(visible(public))


def test_a_cap_is_shown_only_beside_the_fund_it_caps(app, platform):
    money_for(platform)  # the pool is capped at 200,000; the neighbourhoods' lines are not
    page = text(web(app, "jingan_admin").get("/money?year=2023"))
    totals = page[page.index('id="street-totals"'):]
    totals = totals[:totals.index("</table>")]
    assert "上限" not in visible(totals), "the street totals show a cap beside the sum of several funds"
    street = row_cells(page, "共和新路", "street-totals")
    available = Decimal(street[-1].replace(",", ""))
    # the page: 可用 above 200,000 (pool and lines together) beside the pool's 上限 200,000
    assert available > 200_000 and "200,000.00" not in street[2:], street
    assert "各项资金的上限只管它自己" in visible(page)
    # in the street's own table each fund's cap sits beside that fund
    pool = row_cells(page, "自治项目资金池")
    assert pool[3] == "200,000.00", pool
    line = row_cells(page, "洛川居民区")
    assert line[3] == "—", line
    explained(page)


@pytest.fixture
def council_day():
    with on_day(COUNCIL_DAY):
        yield


def test_a_sponsors_page_reconciles_and_explains_each_expense(app, platform, council_day):
    """The issue's story: 平安 claims the project, 上海宾馆 pledges to the fund as a whole; only
    30,000 of 平安's money has arrived when the project spends 31,600, so 1,600 of that expense is
    上海宾馆's, and its page says so beside the expense."""
    pid, voucher = haiyuan_project(platform, "爱心小水表", amount="40000", voucher=True)
    hotel = record(platform, "haiyuan", "上海宾馆", "100000")
    insurer = record(platform, "haiyuan", "平安养老保险", "50000", project=pid)
    receive(platform, hotel, "100000", "r-hotel")
    receive(platform, insurer, "30000", "r-insurer")
    approve(platform, pid, "40000")
    spend(platform, pid, 31600, "智能水表40只", "meters", voucher=voucher)

    page = text(web(app, "shbg").get("/my-pledges"))
    words = explained(page)
    for word in ("认捐", "到位", "已承诺", "已支出", "结余"):
        assert word in words, word
    # pledged | arrived | committed | spent | unspent: committed 10,000 (what 平安's money could not
    # cover of the project's 40,000), spent 1,600, and the columns add up
    part = page[page.index(f'data-pledge="{hotel}"'):]
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r'<td class="num"[^>]*>(.*?)</td>', part[:part.index("</tr>")])]
    assert cells == ["100,000.00", "100,000.00", "10,000.00", "1,600.00", "98,400.00"], cells
    said = visible(page)
    assert ("认捐100,000.00元中，已到位100,000.00元，待到位0.00元。到位的100,000.00元中，已支出1,600.00元，"
            "结余98,400.00元（其中已答应给项目、尚未花出8,400.00元，尚未答应给任何项目90,000.00元）") in said
    # the one 31,600 expense: 1,600 of it is this pledge's, and the page says where the rest came from
    paid = page[page.index("这笔钱用在了哪里"):]
    row = row_cells(paid, "智能水表40只")
    assert "31,600.00" in row and any(c.startswith("1,600.00") and "其余30,000.00元由共治金的其他款项支付" in c for c in row), row
    assert "本认捐支付合计（即已支出）" in paid and "1,600.00" in row_cells(paid, "本认捐支付合计")
    assert not FORMULA.search(said)

    # 平安's page: its 30,000 arrived, all committed and all spent on the claimed project
    staff = web(app, "haiyuan_jd")
    other = text(staff.get(f"/sponsors/{sponsor_id(platform, '平安养老保险')}"))
    part = other[other.index(f'data-pledge="{insurer}"'):]
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r'<td class="num"[^>]*>(.*?)</td>', part[:part.index("</tr>")])]
    assert cells == ["50,000.00", "30,000.00", "30,000.00", "30,000.00", "0.00"], cells
    assert "待到位" in visible(part[:part.index("</tr>")]) and "20,000.00" in part[:part.index("</tr>")]
    row = row_cells(other[other.index("这笔钱用在了哪里"):], "智能水表40只")
    assert any(c.startswith("30,000.00") and "其余1,600.00元" in c for c in row), row


def test_every_word_has_a_plain_explanation_without_a_formula():
    for key, word in money_words.WORDS.items():
        assert word.label.zh and word.label.en and word.explanation.zh and word.explanation.en, key
        assert not FORMULA.search(word.explanation.zh), key
        assert len(word.explanation.zh) <= 60, f"{key}: one line"
