"""Serializer fields for the API's wire conventions."""

from __future__ import annotations

import re
from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shop.kernel.currencies import MINOR_UNITS

_DECIMAL = re.compile(r"^-?\d{1,15}(\.\d{1,6})?$")


@extend_schema_field(
    {"type": "string", "format": "decimal", "pattern": _DECIMAL.pattern, "example": "12.50"}
)
class DecimalString(serializers.Field):
    """A decimal amount written as a string ("12.50"); a JSON number is accepted, a float never."""

    default_error_messages = {
        "invalid": 'Must be a decimal number written as a string, like "12.50".',
    }

    def to_internal_value(self, data: object) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, str | int | Decimal):
            self.fail("invalid")
        text = str(data).strip()
        if not _DECIMAL.match(text):
            self.fail("invalid")
        return Decimal(text)

    def to_representation(self, value: Decimal) -> str:
        return str(value)


class StrictText(serializers.CharField):
    """A JSON string, and only that: DRF's CharField would turn 5 or true into "5" / "True"."""

    def to_internal_value(self, data: object) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBoolean(serializers.BooleanField):
    """A JSON true or false, and only that: DRF's BooleanField would accept 0, 1 and "yes"."""

    def to_internal_value(self, data: object) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictInteger(serializers.IntegerField):
    """A JSON integer, and only that: DRF's IntegerField would accept "5" and 2.0."""

    def to_internal_value(self, data: object) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "enum": sorted(MINOR_UNITS), "example": "EUR"})
class CurrencyCode(serializers.RegexField):
    """An ISO 4217 code: three upper-case letters. Whether it exists is the domain's call."""

    def __init__(self, **kwargs):
        super().__init__(r"^[A-Z]{3}$", max_length=3, **kwargs)
        self.error_messages["invalid"] = "Must be an ISO 4217 currency code, like EUR."


class MoneyOut(serializers.Serializer):
    """Money on the wire: {"amount": "12.50", "currency": "EUR"}."""

    amount = DecimalString()
    currency = serializers.CharField()

    def to_representation(self, money):
        return {"amount": str(money.amount), "currency": money.currency}
