"""How shipping reacts to other contexts' events. Registered from apps.py, never on import.

A handler is a policy: "when this happens there, do that here". It runs once per event
(the inbox remembers what it handled) and may run long after the event was published.
"""

from __future__ import annotations

from shop.ordering.events import OrderConfirmed
from shop.platform.wiring import Wiring
from shop.shipping.application.open_shipment import OpenShipment, open_shipment
from shop.shipping.infrastructure import orders


def when_ordering_order_confirmed_open_shipment(event: OrderConfirmed) -> None:
    recipient = orders.recipient_of(event.order_id)
    if recipient is None:
        return  # cancelled before shipping heard of it: there is nothing to ship
    open_shipment(OpenShipment(order_id=event.order_id, customer_id=recipient.customer_id))


def register(wiring: Wiring) -> None:
    wiring.subscribe(OrderConfirmed, when_ordering_order_confirmed_open_shipment)
