"""Django discovers models here; they live in infrastructure."""

from shop.catalog.infrastructure.messaging import InboxMessage, OutboxMessage, SubjectSequence
from shop.catalog.infrastructure.models import ProductRecord

__all__ = ["InboxMessage", "OutboxMessage", "SubjectSequence", "ProductRecord"]
