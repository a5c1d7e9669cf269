"""Django discovers models here; they live in infrastructure."""

from shop.inventory.infrastructure.messaging import InboxMessage, OutboxMessage, SubjectSequence
from shop.inventory.infrastructure.models import (
    ReservationLineRecord,
    ReservationRecord,
    StockItemRecord,
)

__all__ = [
    "InboxMessage",
    "OutboxMessage",
    "SubjectSequence",
    "ReservationLineRecord",
    "ReservationRecord",
    "StockItemRecord",
]
