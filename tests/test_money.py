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
