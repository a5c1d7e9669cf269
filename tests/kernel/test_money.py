"""Money is exact: no float gets in, no currency mixes, no amount is created or lost."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from shop.kernel import (
    CurrencyMismatch,
    InvalidMoney,
    Money,
    TooManyDecimalPlaces,
    UnknownCurrency,
)
from shop.kernel.currencies import MINOR_UNITS

CURRENCIES = sorted(MINOR_UNITS)
# Decimal's default context keeps 28 significant digits: every amount that fits has
# fewer than 28 digits of minor units.
FITS = 10**28 - 1
# Small enough that sums and products of a few of them still fit.
MODERATE = 10**20

currencies = st.sampled_from(CURRENCIES)


@st.composite
def monies(draw, currency: str | None = None, bound: int = MODERATE) -> Money:
    code = currency or draw(currencies)
    return Money.from_minor_units(draw(st.integers(-bound, bound)), code)


@st.composite
def two_currencies(draw) -> tuple[str, str]:
    first = draw(currencies)
    second = draw(currencies.filter(lambda code: code != first))
    return first, second


# --- exactness -----------------------------------------------------------------------


@pytest.mark.parametrize("amount", [1.5, 0.0, float("nan"), float("inf")])
def test_a_float_amount_is_refused(amount):
    with pytest.raises(InvalidMoney):
        Money(amount, "EUR")


@given(st.floats())
def test_no_float_ever_makes_money(amount):
    with pytest.raises(InvalidMoney):
        Money(amount, "EUR")


@pytest.mark.parametrize("amount", [True, False, None, [1], {"amount": 1}])
def test_amounts_that_are_not_numbers_are_refused(amount):
    with pytest.raises(InvalidMoney):
        Money(amount, "EUR")


def test_minor_units_must_be_a_whole_number():
    for units in (1.0, Decimal(1), "100", True):
        with pytest.raises(InvalidMoney):
            Money.from_minor_units(units, "EUR")


def test_floats_do_not_combine_with_money():
    price = Money("1.50", "EUR")
    with pytest.raises(TypeError):
        price + 1.5  # noqa: B018
    with pytest.raises(TypeError):
        price * 1.5  # noqa: B018
    with pytest.raises(TypeError):
        price < 1.5  # noqa: B015


@given(currencies, st.integers(-FITS, FITS))
def test_minor_units_round_trip_for_any_amount_that_fits(currency, units):
    money = Money.from_minor_units(units, currency)
    assert money.minor_units == units
    assert Money.from_minor_units(money.minor_units, currency) == money


@given(st.data())
def test_decimal_amounts_round_trip_through_minor_units(data):
    currency = data.draw(currencies)
    places = MINOR_UNITS[currency]
    amount = data.draw(
        st.decimals(
            min_value=-Decimal(FITS).scaleb(-places),
            max_value=Decimal(FITS).scaleb(-places),
            places=places,
            allow_nan=False,
            allow_infinity=False,
        )
    )
    money = Money(amount, currency)
    assert money.amount == amount
    assert Money.from_minor_units(money.minor_units, currency) == money


def test_amounts_are_normalised_to_the_currency_minor_unit():
    assert str(Money("12.5", "EUR")) == "12.50 EUR"
    assert Money("12.500", "EUR") == Money("12.50", "EUR")
    assert str(Money(500, "JPY")) == "500 JPY"
    assert str(Money("1.5", "KWD")) == "1.500 KWD"


# --- decimal places per currency --------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "allowed", "too_precise"),
    [
        ("EUR", "12.34", "12.345"),
        ("JPY", "1234", "1234.5"),
        ("KWD", "12.345", "12.3456"),
    ],
)
def test_too_many_decimal_places_for_the_currency_are_refused(currency, allowed, too_precise):
    assert Money(allowed, currency).amount == Decimal(allowed)
    with pytest.raises(TooManyDecimalPlaces, match="decimal places"):
        Money(too_precise, currency)
    assert issubclass(TooManyDecimalPlaces, InvalidMoney)
    with pytest.raises(InvalidMoney):
        Money(Decimal(too_precise), currency)


@given(currencies, st.integers(-(10**20), 10**20))
def test_one_digit_more_than_the_minor_unit_is_refused(currency, digits):
    assume(digits % 10 != 0)
    with pytest.raises(InvalidMoney):
        Money(Decimal(digits).scaleb(-(MINOR_UNITS[currency] + 1)), currency)


# --- currencies --------------------------------------------------------------------


@pytest.mark.parametrize("code", ["", "eur", "EURO", "XXX", "ABC", " EUR", None, 978])
def test_unknown_currency_codes_are_refused(code):
    with pytest.raises(UnknownCurrency):
        Money(1, code)
    with pytest.raises(UnknownCurrency):
        Money.from_minor_units(1, code)


@given(st.text(max_size=4).filter(lambda code: code not in MINOR_UNITS))
def test_any_code_outside_iso_4217_is_refused(code):
    with pytest.raises(UnknownCurrency):
        Money(1, code)


@given(two_currencies(), st.integers(-MODERATE, MODERATE), st.integers(-MODERATE, MODERATE))
def test_mixing_currencies_raises_for_arithmetic_and_comparison(codes, a_units, b_units):
    a = Money.from_minor_units(a_units, codes[0])
    b = Money.from_minor_units(b_units, codes[1])
    for combine in (
        lambda: a + b,
        lambda: a - b,
        lambda: a < b,
        lambda: a <= b,
        lambda: a > b,
        lambda: a >= b,
    ):
        with pytest.raises(CurrencyMismatch):
            combine()


def test_equal_amounts_in_different_currencies_are_not_equal():
    assert Money(1, "EUR") != Money(1, "USD")


# --- arithmetic ---------------------------------------------------------------------


@given(st.data())
def test_addition_is_associative_and_commutative_within_a_currency(data):
    currency = data.draw(currencies)
    a, b, c = (data.draw(monies(currency)) for _ in range(3))
    assert a + b == b + a
    assert (a + b) + c == a + (b + c)


@given(monies())
def test_an_amount_plus_its_negation_is_zero(a):
    assert a + (-a) == Money.zero(a.currency)
    assert a - a == Money.zero(a.currency)
    assert a + Money.zero(a.currency) == a


@given(monies(), st.integers(0, 50))
def test_multiplying_by_n_equals_adding_n_times(a, n):
    added = Money.zero(a.currency)
    for _ in range(n):
        added += a
    assert n * a == added
    assert a * n == added


@given(st.data())
def test_ordering_within_a_currency_follows_the_amounts(data):
    currency = data.draw(currencies)
    a, b = data.draw(monies(currency)), data.draw(monies(currency))
    assert (a < b) == (a.amount < b.amount)
    assert (a <= b) == (a.amount <= b.amount)
    assert (a > b) == (a.amount > b.amount)
    assert (a >= b) == (a.amount >= b.amount)


def test_money_is_multiplied_by_whole_numbers_only():
    price = Money("2.50", "EUR")
    for factor in (Decimal(2), True, "2"):
        with pytest.raises(TypeError):
            price * factor  # noqa: B018


# --- not a number, not finite, too large ---------------------------------------------


@pytest.mark.parametrize(
    "amount",
    ["NaN", "sNaN", "Infinity", "-Infinity", Decimal("NaN"), Decimal("-Infinity"), "abc", ""],
)
def test_not_a_finite_number_is_refused(amount):
    with pytest.raises(InvalidMoney):
        Money(amount, "EUR")


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: Money("1E+100", "EUR"), id="large exponent"),
        pytest.param(lambda: Money("1e999999999999999999", "EUR"), id="maximal exponent"),
        pytest.param(lambda: Money("1e9999999999999999999", "EUR"), id="beyond any exponent"),
        pytest.param(lambda: Money(10**40, "JPY"), id="large int"),
        pytest.param(lambda: Money(10**5000, "EUR"), id="int too long to print"),
        pytest.param(lambda: Money("9" * 5000, "EUR"), id="long digit string"),
        pytest.param(lambda: Money.from_minor_units(10**40, "EUR"), id="large minor units"),
        pytest.param(lambda: Money.from_minor_units(FITS, "JPY") * 2, id="product too large"),
        pytest.param(
            lambda: Money.from_minor_units(FITS, "EUR") + Money.from_minor_units(1, "EUR"),
            id="sum too large",
        ),
        pytest.param(
            lambda: -Money.from_minor_units(FITS, "EUR") - Money.from_minor_units(FITS, "EUR"),
            id="difference too large",
        ),
    ],
)
def test_huge_amounts_raise_invalid_money_not_a_decimal_error(make):
    with pytest.raises(InvalidMoney):
        make()
