"""The shared kernel: the few value objects every context agrees on. Pure Python."""

from shop.kernel.money import (
    CurrencyMismatch,
    InvalidMoney,
    Money,
    TooManyDecimalPlaces,
    UnknownCurrency,
)

__all__ = ["CurrencyMismatch", "InvalidMoney", "Money", "TooManyDecimalPlaces", "UnknownCurrency"]
