"""Money is integer fen; yuan only at the edges: one reader of what people type (core.money's
syntax, documented by its pattern) and one formatter of what they read, in their language."""
import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.i18n import T
from core.money import (
    MAX_FEN,
    MAX_TEXT,
    YUAN_PATTERN,
    AmountMissing,
    AmountTooLarge,
    MoneyError,
    amount_refusal,
    format_money,
    format_yuan,
    money_text,
    read_yuan,
    yuan_to_fen,
)

# What a Chinese office types, and what it means in fen.
TYPED = [
    ("5000", 500_000), ("5000.01", 500_001), ("5000.5", 500_050), ("5,000", 500_000), ("1,000.50", 100_050),
    ("1,000,000", 100_000_000), ("0", 0), ("0.01", 1), ("007", 700),
    ("5000元", 500_000), ("5000 元", 500_000), ("5,000.50元", 500_050),
    ("0.5万", 500_000), ("1.2万元", 1_200_000), ("1万", 1_000_000), ("1.234567万", 1_234_567), ("1,000万", 1_000_000_000),
    ("０.５万", 500_000),
    ("５０００", 500_000), ("５，０００", 500_000), ("５，０００．５０", 500_050), ("５０００元", 500_000), ("5，000", 500_000),
    (" 5000 ", 500_000), ("\t5000\n", 500_000), ("\u30005000\u3000", 500_000), ("5000\u00a0", 500_000), ("100\n", 10_000),
    ("999,999,999.99", MAX_FEN), ("999999999.99", MAX_FEN), ("99999.999999万", MAX_FEN),
    (12, 1200), (0, 0), (999_999_999, MAX_FEN - 99), (Decimal("0.01"), 1),
]
# What it may not type: misplaced separators, more than two decimals (of yuan, after 万), signs,
# exponents, NaN, capital or Chinese numerals, other units and scripts, floats, bools.
MALFORMED = [
    "1,000,0", "1,0000", "10,00", ",100", "100,", "1,,000", "1.000,50", "5000.", ".5", "5000.505", "0.001",
    "1.2345678万", "0.0000001万", "-1", "-0", "+5", "−5", "1e3", "1E3", "NaN", "Infinity", "inf", "0x10", "1_000",
    "伍仟", "五千", "5千", "壹万元", "5000元元", "5000万万", "5000元万", "万", "元", "￥5000", "5000块", "5 000", "50 00",
    "٥٠٠٠", "5000。5", "5000,50", "abc", [1], {"amount": 1}, 5000.0, 0.1, True, False, Decimal("NaN"), Decimal("-1"),
    Decimal("0.001"),
]
MISSING = [None, "", " ", "\u3000", "\n"]
TOO_LARGE = ["1000000000", "1,000,000,000", "1000000000.00", "100000万", "100000000000000000000",
             10**9, 10**20, Decimal("1e12")]


@pytest.mark.parametrize("typed, fen", TYPED)
def test_what_an_office_types_is_read(typed, fen):
    assert yuan_to_fen(typed) == fen


@pytest.mark.parametrize("typed", MALFORMED)
def test_anything_malformed_is_refused(typed):
    with pytest.raises(MoneyError) as info:
        yuan_to_fen(typed)
    assert type(info.value) is MoneyError  # neither missing nor too large: malformed


@pytest.mark.parametrize("typed", MISSING)
def test_no_amount_is_refused_as_missing(typed):
    with pytest.raises(AmountMissing):
        yuan_to_fen(typed)


@pytest.mark.parametrize("typed", TOO_LARGE)
def test_every_amount_has_an_upper_bound(typed):
    with pytest.raises(AmountTooLarge):
        yuan_to_fen(typed)


def test_too_many_digits_that_are_not_too_much_are_malformed_not_too_large():
    with pytest.raises(MoneyError) as info:
        yuan_to_fen("0000000001")  # ten digits of one yuan: the syntax allows nine
    assert not isinstance(info.value, AmountTooLarge)


def test_the_documented_pattern_is_exactly_what_is_read():
    pattern = re.compile(YUAN_PATTERN)
    for typed, _ in TYPED:
        if isinstance(typed, str):
            assert pattern.search(typed), typed
    for typed in MALFORMED + MISSING + TOO_LARGE:
        if isinstance(typed, str):
            assert not pattern.search(typed), typed


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.from_regex(YUAN_PATTERN))
def test_any_string_the_pattern_allows_is_an_amount(text):
    # JSON Schema's "pattern" is a search: what the fuzzer makes from it must be read.
    assert 0 <= yuan_to_fen(text) <= MAX_FEN


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text(alphabet="0123456789０１２３４５６７８９,，.．元万 \u3000-+e伍", max_size=16))
def test_the_pattern_and_the_reader_agree_on_near_misses(text):
    try:
        yuan_to_fen(text)
        read = True
    except MoneyError:
        read = False
    assert bool(re.compile(YUAN_PATTERN).search(text)) == read, text


def test_a_long_run_of_spaces_costs_little():
    import time
    start = time.perf_counter()
    with pytest.raises(MoneyError):
        yuan_to_fen("5" + " " * 200_000 + "x")
    assert time.perf_counter() - start < 1


def test_a_refusal_names_the_amount_and_the_rule():
    fen, problem = read_yuan("1000000000", "amount", label=T("认捐金额", "The amount pledged"))
    assert fen is None and problem.field == "amount" and problem.code == "invalid_amount"
    assert problem.message.zh == f"认捐金额不能超过{MAX_TEXT}元"
    assert problem.message.en == f"The amount pledged may be at most {MAX_TEXT} yuan"
    _, problem = read_yuan("伍仟")
    assert "金额应为以元为单位的金额" in problem.message.zh and "0.5万" in problem.message.zh
    assert "amount of yuan" in problem.message.en
    _, problem = read_yuan("  ")
    assert problem.message.zh == "金额不能为空"
    _, problem = read_yuan("0")
    assert problem.message.zh == "金额必须大于0元"
    assert read_yuan("0", allow_zero=True) == (0, None)
    assert read_yuan("0.5万") == (500_000, None)
    with pytest.raises(MoneyError) as info:
        yuan_to_fen("1,000,0")
    assert amount_refusal(info.value, T("核定金额", "The approved amount")).zh.startswith("核定金额应为")


def test_one_formatter_in_the_readers_language():
    assert format_yuan(12_345_678) == "123,456.78" and format_yuan(500_001) == "5,000.01" and format_yuan(None) == ""
    assert format_money(100_000) == "1,000.00元" == format_money(100_000, "zh")
    assert format_money(100_000, "en") == "1,000.00 yuan" == format_money(100_000, "en-US")
    assert format_money(-5) == "-0.05元" and format_money(0, "en") == "0.00 yuan" and format_money(None, "en") == ""
    assert format_money(MAX_FEN) == f"{MAX_TEXT}元"
    m = money_text(480_050)
    assert (m.zh, m.en) == ("4,800.50元", "4,800.50 yuan")
    # What it formats, it reads back.
    assert yuan_to_fen(format_money(480_050)) == 480_050
