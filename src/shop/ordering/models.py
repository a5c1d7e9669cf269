"""Django discovers models here; they live in infrastructure."""

from shop.ordering.infrastructure.messaging import InboxMessage, OutboxMessage, SubjectSequence
from shop.ordering.infrastructure.models import IdempotentRequest, OrderLineRecord, OrderRecord

__all__ = [
    "InboxMessage",
    "OutboxMessage",
    "SubjectSequence",
    "IdempotentRequest",
    "OrderLineRecord",
    "OrderRecord",
]
