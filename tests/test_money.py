"""Money is integer fen; yuan only at the edges."""
from decimal import Decimal

import pytest

from core.money import MoneyError, format_yuan, yuan_to_fen


@pytest.mark.parametrize("given, fen", [
    ("5000", 500_000), ("5000.01", 500_001), ("1,000.50", 100_050), (12, 1200), (Decimal("0.01"), 1), ("0", 0),
])
def test_yuan_to_fen(given, fen):
    assert yuan_to_fen(given) == fen


@pytest.mark.parametrize("given", [5000.0, 0.1, True, "1e3", "NaN", "Infinity", "-1", "5000.001", "", "abc", None, [1]])
def test_refuses_floats_fractions_of_a_fen_and_tricks(given):
    with pytest.raises(MoneyError):
        yuan_to_fen(given)


def test_format_yuan():
    assert format_yuan(12_345_678) == "123,456.78"
    assert format_yuan(500_001) == "5,000.01"


@pytest.mark.parametrize("given", ["1,000,0", "1,0000", " 100", "100 ", "100\n", "１００", "-0", "+5", "5000.", ".5",
                                   "1000000000", "1,000,000,000", 10**9, 10**20, Decimal("1e12")])
def test_one_syntax_and_an_upper_bound(given):
    # The API documents core.money.YUAN_PATTERN and MAX_FEN: nothing else is read as an amount.
    with pytest.raises(MoneyError):
        yuan_to_fen(given)


def test_the_bound_is_named_when_an_amount_is_too_large():
    from core.money import MAX_FEN, read_yuan
    assert yuan_to_fen("999,999,999.99") == MAX_FEN == yuan_to_fen(999_999_999) + 99
    fen, problem = read_yuan("1000000000")
    assert fen is None and "999,999,999.99" in problem.message.zh and problem.field == "amount"
