"""Money: an exact amount in one ISO 4217 currency.

Amounts are `Decimal`s that fit the currency's minor unit ("12.50" EUR, "500" JPY).
Floats are refused outright, and arithmetic between two currencies raises, so a
total can never silently mix euros with dollars or pick up binary rounding error.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, Overflow

from shop.kernel.currencies import MINOR_UNITS


class InvalidMoney(ValueError):
    """The amount or the currency cannot make a Money."""


class UnknownCurrency(InvalidMoney):
    """The code is not an active ISO 4217 currency."""


class TooManyDecimalPlaces(InvalidMoney):
    """The amount is finer than the currency's minor unit ("12.50" JPY, "1.001" EUR)."""


class CurrencyMismatch(InvalidMoney):
    """Two amounts in different currencies were combined or compared."""


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if self.currency not in MINOR_UNITS:
            raise UnknownCurrency(f"{self.currency!r} is not an ISO 4217 currency code")
        amount = self.amount
        if isinstance(amount, bool) or not isinstance(amount, Decimal | int | str):
            raise InvalidMoney(f"amount must be a Decimal, int or str, not {type(amount).__name__}")
        try:
            amount = Decimal(amount)
        except InvalidOperation:
            raise InvalidMoney(f"{self.amount!r} is not a decimal number") from None
        if not amount.is_finite():
            raise InvalidMoney("amount must be finite")
        exponent = -MINOR_UNITS[self.currency]
        try:
            quantized = amount.quantize(Decimal(1).scaleb(exponent))
        except InvalidOperation:
            raise InvalidMoney(f"{amount:.6E} is too large to be an amount of money") from None
        if quantized != amount:
            raise TooManyDecimalPlaces(
                f"{self.currency} has {MINOR_UNITS[self.currency]} decimal places; got {self.amount}"
            )
        object.__setattr__(self, "amount", quantized)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    @classmethod
    def from_minor_units(cls, units: int, currency: str) -> Money:
        """From an integer count of the currency's smallest unit (cents for EUR)."""
        if isinstance(units, bool) or not isinstance(units, int):
            raise InvalidMoney("minor units must be an int")
        if currency not in MINOR_UNITS:
            raise UnknownCurrency(f"{currency!r} is not an ISO 4217 currency code")
        return cls(Decimal(units).scaleb(-MINOR_UNITS[currency]), currency)

    @property
    def minor_units(self) -> int:
        """The amount as an integer count of the smallest unit: exact storage anywhere."""
        return int(self.amount.scaleb(MINOR_UNITS[self.currency]))

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str) -> Money:
        return cls(amount, currency)  # type: ignore[arg-type]

    def _same_currency(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}")
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + self._same_currency(other).amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - self._same_currency(other).amount, self.currency)

    def __mul__(self, factor: int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int):
            raise TypeError("Money can only be multiplied by a whole number")
        try:
            product = self.amount * factor
        except Overflow:
            raise InvalidMoney(
                f"{self} times a {len(str(abs(factor)))}-digit factor is too large"
            ) from None
        return Money(product, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same_currency(other).amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same_currency(other).amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same_currency(other).amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same_currency(other).amount

    @property
    def is_positive(self) -> bool:
        return self.amount > 0

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
