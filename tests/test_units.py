from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlrig.errors import InputError
from dlrig.units import Money, check_currency


def test_money_is_exact_in_minor_units():
    assert Money.of("0.1", "USD") + Money.of("0.2", "USD") == Money.of("0.3", "USD")
    assert Money.of(1234.5, "ars").minor == 123450
    assert Money.of(1234.5, "ARS").currency == "ARS"


def test_money_refuses_mixed_currencies():
    with pytest.raises(ValueError):
        Money.of(1, "USD") + Money.of(1, "ARS")


def test_convert_rounds_half_up():
    assert Money.of(100, "USD").convert(Decimal("16.1"), "ARS") == Money.of(1610, "ARS")
    assert Money(1, "USD").convert(Decimal("0.5"), "EUR").minor == 1


def test_format():
    assert Money.of(1234, "USD").format() == "1,234 USD"
    assert Money.of(1234.5, "USD").format() == "1,234.50 USD"
    assert Money.of(-3, "USD").format() == "-3 USD"


def test_unknown_currency_is_an_input_error():
    with pytest.raises(InputError, match="unknown currency 'XXX'"):
        check_currency("XXX")


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=10**12))
def test_addition_matches_integers(a, b):
    assert (Money(a, "USD") + Money(b, "USD")).minor == a + b


@pytest.mark.parametrize("bad", ["nan", "inf", "-inf", float("nan"), float("inf"), "1e300", "abc", ""])
def test_non_finite_huge_or_garbled_amounts_are_input_errors(bad):
    with pytest.raises(InputError):
        Money.of(bad, "USD")
