from django.core.validators import RegexValidator
from rest_framework import serializers

from shop.catalog.domain.product import SKU_PATTERN, SKU_RULE
from shop.platform.http.fields import CurrencyCode, DecimalString, StrictBoolean, StrictText


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
    price = DecimalString()
    currency = CurrencyCode()
    active = StrictBoolean(default=True)


class ReviseProductIn(serializers.Serializer):
    rejects_unknown_fields = True  # see validate(); the schema says additionalProperties: false

    name = StrictText(max_length=200, required=False)
    description = StrictText(max_length=5000, allow_blank=True, required=False)
    price = DecimalString(required=False)
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
