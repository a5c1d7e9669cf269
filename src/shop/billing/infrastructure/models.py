import uuid

from django.db import models
from django.db.models import Q


class InvoiceRecord(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Ids from other contexts, never ForeignKeys: the order lives in ordering's store.
    order_id = models.CharField(max_length=64, unique=True)
    customer_id = models.BigIntegerField(db_index=True)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=16)
    # An opaque token from the payment provider, never card data.
    payment_token = models.CharField(max_length=64, blank=True, default="")
    issued_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "billing_invoice"
        verbose_name = "invoice"
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="billing_invoice_positive")
        ]

    def __str__(self) -> str:
        return f"invoice {self.id} for order {self.order_id} ({self.status})"


class PaymentRecord(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    invoice = models.OneToOneField(InvoiceRecord, on_delete=models.PROTECT, related_name="payment")
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    provider_reference = models.CharField(max_length=128)
    status = models.CharField(max_length=16)
    captured_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "billing_payment"
        verbose_name = "payment"

    def __str__(self) -> str:
        return f"payment {self.id} ({self.status})"
