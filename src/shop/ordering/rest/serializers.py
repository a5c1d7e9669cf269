from rest_framework import serializers

from shop.ordering.domain.order import MAX_LINES, MAX_QUANTITY, CancellationReason, OrderStatus
from shop.platform.http.fields import DecimalString, MoneyOut, StrictInteger, StrictText


class LineIn(serializers.Serializer):
    sku = StrictText(max_length=32)
    quantity = StrictInteger(min_value=1, max_value=MAX_QUANTITY)


class PlaceOrderIn(serializers.Serializer):
    lines = LineIn(many=True, allow_empty=False, max_length=MAX_LINES)
    payment_token = StrictText(max_length=64)
    # A sku on two lines is well-formed JSON the schema cannot rule out: the order refuses
    # it (422 order-rejected), like any other order rule.


class LineOut(serializers.Serializer):
    sku = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = DecimalString()


class OrderOut(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=[s.value for s in OrderStatus])
    cancellation_reason = serializers.ChoiceField(
        choices=[r.value for r in CancellationReason], allow_null=True
    )
    lines = LineOut(many=True)
    total = MoneyOut()
    created_at = serializers.DateTimeField()

    def to_representation(self, order):
        return {
            "id": str(order.id),
            "status": order.status.value,
            "cancellation_reason": order.cancellation_reason.value
            if order.cancellation_reason
            else None,
            "lines": [
                {
                    "sku": line.sku,
                    "quantity": line.quantity,
                    "unit_price": str(line.unit_price.amount),
                }
                for line in order.lines
            ],
            "total": MoneyOut(order.total).data,
            "created_at": serializers.DateTimeField().to_representation(order.placed_at),
        }
