import re
from decimal import Decimal

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shop.catalog.domain.product import MAX_PRICE, SKU_PATTERN, SKU_RULE
from shop.platform.http.fields import CurrencyCode, DecimalString, StrictBoolean, StrictText

_INTEGER_DIGITS = len(str(MAX_PRICE)) - 1
assert Decimal(10) ** _INTEGER_DIGITS == MAX_PRICE, "the pattern below needs a power of ten"
PRICE_PATTERN = rf"^\d{{1,{_INTEGER_DIGITS}}}(\.\d{{1,6}})?$"
_ZERO_PATTERN = r"^0+(\.0+)?$"


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "pattern": PRICE_PATTERN,
        "not": {"pattern": _ZERO_PATTERN},
        "description": f"Greater than 0 and less than {MAX_PRICE}. More decimal places "
        "than the currency has is a 422 `price-too-precise`.",
        "example": "12.50",
    }
)
class ProductPrice(DecimalString):
    """A product's price: the domain's bounds (above zero, below MAX_PRICE), as the schema
    states them, so a price the document calls valid is never refused with a 400."""

    default_error_messages = {
        "invalid": f'Must be a price above 0 and below {MAX_PRICE}, as a string like "12.50".',
    }

    def to_internal_value(self, data: object) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, str | int | Decimal):
            self.fail("invalid")
        text = str(data)
        if not re.fullmatch(PRICE_PATTERN, text) or re.fullmatch(_ZERO_PATTERN, text):
            self.fail("invalid")
        return Decimal(text)


class ProductOut(serializers.Serializer):
    sku = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    price = DecimalString()
    currency = serializers.CharField()
    active = serializers.BooleanField()

    def to_representation(self, product):
        return {
            "sku": product.sku,
            "name": product.name,
            "description": product.description,
            "price": str(product.price.amount),
            "currency": product.price.currency,
            "active": product.active,
        }


class AddProductIn(serializers.Serializer):
    # The domain checks the sku too; the validator puts its pattern in the OpenAPI document.
    sku = StrictText(
        max_length=32,
        validators=[RegexValidator(SKU_PATTERN.pattern.replace("$", r"\Z"), message=SKU_RULE)],
    )
    name = StrictText(max_length=200)
    description = StrictText(max_length=5000, allow_blank=True, default="")
    price = ProductPrice()
    currency = CurrencyCode()
    active = StrictBoolean(default=True)


class ReviseProductIn(serializers.Serializer):
    rejects_unknown_fields = True  # see validate(); the schema says additionalProperties: false

    name = StrictText(max_length=200, required=False)
    description = StrictText(max_length=5000, allow_blank=True, required=False)
    price = ProductPrice(required=False)
    currency = CurrencyCode(required=False)
    active = StrictBoolean(required=False)

    def validate(self, attrs):
        unknown = (
            set(self.initial_data) - set(self.fields)
            if isinstance(self.initial_data, dict)
            else set()
        )
        if unknown:
            raise serializers.ValidationError(
                {f: "This field cannot be changed." for f in sorted(unknown)}
            )
        return attrs
