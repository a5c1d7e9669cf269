from django.db import models

from shop.shipping.domain.shipment import ShipmentStatus


class ShipmentRecord(models.Model):
    id = models.UUIDField(primary_key=True)
    # Another context's id, as a plain value: never a ForeignKey across stores.
    order_id = models.CharField(max_length=64, unique=True)
    customer_id = models.BigIntegerField(db_index=True)
    status = models.CharField(max_length=16, choices=[(s.value, s.value) for s in ShipmentStatus])
    opened_at = models.DateTimeField()
    dispatched_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "shipping_shipment"
        verbose_name = "shipment"

    def __str__(self) -> str:
        return str(self.id)
