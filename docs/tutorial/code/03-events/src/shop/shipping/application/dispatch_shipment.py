"""Dispatch the shipment of an order: the warehouse handed it to the carrier.

The aggregate decides whether the shipment may leave, and says what happened in its own
terms: a `Dispatched` domain event, with a UUID and a datetime. This use case turns that
fact into shipping's published language, `shipping.ShipmentDispatched` (strings only, a
stable name and a version), and publishes it in the transaction that saves the shipment:
the outbox keeps both or neither.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from shop.platform.events import publish
from shop.shipping.domain.shipment import Shipment
from shop.shipping.events import ShipmentDispatched
from shop.shipping.infrastructure import DATABASE, repository


class ShipmentNotFound(LookupError):
    """The order has no shipment (yet): shipping has not seen it confirmed."""


@dataclass(frozen=True, kw_only=True)
class DispatchShipment:
    order_id: str


def dispatch_shipment(command: DispatchShipment) -> Shipment:
    """Raises ShipmentNotFound, or ShipmentError if the shipment cannot leave (any more)."""
    with transaction.atomic(using=DATABASE):
        shipment = repository.for_order(command.order_id, for_update=True)
        if shipment is None:
            raise ShipmentNotFound(f"order {command.order_id} has no shipment")
        dispatched, fact = shipment.dispatch(at=timezone.now())
        repository.save(dispatched)
        publish(
            ShipmentDispatched(
                shipment_id=str(fact.shipment_id),
                order_id=fact.order_id,
                dispatched_at=fact.at.isoformat(),
            )
        )
    return dispatched
