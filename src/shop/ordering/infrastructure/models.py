import uuid

from django.db import models
from django.db.models import Q

from shop.platform.http.idempotency import IdempotencyRecord


class OrderRecord(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The customer is the identity user's id; never a ForeignKey across stores.
    customer_id = models.BigIntegerField(db_index=True)
    status = models.CharField(max_length=24)
    cancellation_reason = models.CharField(max_length=32, blank=True, default="")
    currency = models.CharField(max_length=3)
    total_minor = models.BigIntegerField()
    payment_token = models.CharField(max_length=64)
    placed_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "ordering_order"
        verbose_name = "order"
        indexes = [
            models.Index(fields=["customer_id", "placed_at", "id"], name="ordering_customer_recent")
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total_minor__gt=0), name="ordering_total_positive")
        ]

    def __str__(self) -> str:
        return f"order {self.id} ({self.status})"


class OrderLineRecord(models.Model):
    order = models.ForeignKey(OrderRecord, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    sku = models.CharField(max_length=32)
    quantity = models.PositiveIntegerField()
    unit_price_minor = models.BigIntegerField()

    class Meta:
        db_table = "ordering_order_line"
        verbose_name = "order line"
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "sku"], name="ordering_line_sku_once"),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="ordering_line_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"


class IdempotentRequest(IdempotencyRecord):
    class Meta(IdempotencyRecord.Meta):
        db_table = "ordering_idempotent_request"
        verbose_name = "idempotent request"
