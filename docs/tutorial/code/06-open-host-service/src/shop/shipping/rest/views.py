from datetime import datetime

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from shop.platform.http.pagination import cursor_ordered_by
from shop.platform.http.query import validated_query
from shop.shipping.application import queries
from shop.shipping.domain.shipment import Shipment, ShipmentStatus
from shop.shipping.infrastructure.repository import to_domain


def _time(value: datetime | None) -> str | None:
    return None if value is None else serializers.DateTimeField().to_representation(value)


class ShipmentOut(serializers.Serializer):
    id = serializers.UUIDField()
    order_id = serializers.CharField()
    status = serializers.ChoiceField(choices=[s.value for s in ShipmentStatus])
    opened_at = serializers.DateTimeField()
    dispatched_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, shipment: Shipment):
        return {
            "id": str(shipment.id),
            "order_id": shipment.order_id,
            "status": shipment.status.value,
            "opened_at": _time(shipment.opened_at),
            "dispatched_at": _time(shipment.dispatched_at),
            "delivered_at": _time(shipment.delivered_at),
        }


class ShipmentFilter(serializers.Serializer):
    order = serializers.UUIDField(required=False, help_text="Only the shipment of this order.")


class ShipmentList(APIView):
    pagination_class = cursor_ordered_by("-opened_at", "-id")

    @extend_schema(parameters=[ShipmentFilter], responses=ShipmentOut(many=True), tags=["shipping"])
    def get(self, request):
        """The caller's own shipments, newest first."""
        order = validated_query(ShipmentFilter, request).get("order")
        rows = queries.rows_of(request.user.id, order_id=str(order) if order else None)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(
            ShipmentOut([to_domain(row) for row in page], many=True).data
        )
