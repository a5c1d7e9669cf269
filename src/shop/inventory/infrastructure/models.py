from django.db import models
from django.db.models import F, Q


class StockItemRecord(models.Model):
    sku = models.CharField(max_length=32, unique=True)
    on_hand = models.PositiveIntegerField(default=0)
    reserved = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "inventory_stock_item"
        verbose_name = "stock item"
        constraints = [
            # The database refuses what the domain refuses: available can never go negative.
            models.CheckConstraint(
                condition=Q(reserved__lte=F("on_hand")), name="inventory_reserved_covered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku}: {self.on_hand} on hand, {self.reserved} reserved"


class ReservationRecord(models.Model):
    order_id = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "inventory_reservation"
        verbose_name = "reservation"

    def __str__(self) -> str:
        return f"reservation for {self.order_id} ({self.status})"


class ReservationLineRecord(models.Model):
    reservation = models.ForeignKey(
        ReservationRecord, on_delete=models.CASCADE, related_name="lines"
    )
    sku = models.CharField(max_length=32)
    quantity = models.PositiveIntegerField()

    class Meta:
        db_table = "inventory_reservation_line"
        verbose_name = "reservation line"
        constraints = [
            models.UniqueConstraint(
                fields=["reservation", "sku"], name="inventory_reservation_sku_once"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="inventory_line_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"
