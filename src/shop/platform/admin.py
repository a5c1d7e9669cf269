"""Admin conventions: domain records are shown, but changed only through use cases.

Money is shown as money ("12.50 EUR"), never as the minor units it is stored in;
timestamps to the second (the display formats in `shop/site/formats`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin

from shop.kernel import InvalidMoney, Money


class ReadOnlyAdmin(admin.ModelAdmin):
    """Browse a context's records; changes go through the API so every rule (and event) applies."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def money(minor_units: int | None, currency: str) -> str:
    """The text "12.50 EUR" from 1250 and "EUR" (as stored); what cannot be money is shown as it is."""
    if minor_units is None:
        return "-"
    try:
        return str(Money.from_minor_units(minor_units, currency))
    except InvalidMoney:
        return f"{minor_units} (minor units of {currency!r})"


def money_column(
    minor_field: str,
    *,
    description: str,
    currency_field: str = "currency",
    currency_of: Callable[[object], str] | None = None,
) -> Callable[[object, object], str]:
    """A ModelAdmin attribute: a list or read-only column showing `minor_field` as money.

    The currency is the record's `currency_field`, or what `currency_of(record)` says
    (an order line's is its order's).
    """

    @admin.display(description=description, ordering=minor_field)
    def column(modeladmin, obj) -> str:
        currency = currency_of(obj) if currency_of else getattr(obj, currency_field)
        return money(getattr(obj, minor_field), currency)

    return column
