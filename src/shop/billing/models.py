"""Django discovers models here; they live in infrastructure."""

from shop.billing.infrastructure.messaging import InboxMessage, OutboxMessage, SubjectSequence
from shop.billing.infrastructure.models import InvoiceRecord, PaymentRecord

__all__ = ["InboxMessage", "OutboxMessage", "SubjectSequence", "InvoiceRecord", "PaymentRecord"]
