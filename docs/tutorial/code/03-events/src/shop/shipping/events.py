"""shipping's published language: facts other contexts may react to.

Primitives only, so any consumer, in this process or another, reads them without our
classes. Changing a field is a new version of the event, never an edit of this one.
"""

from shop.platform.events import IntegrationEvent, integration_event

__all__ = ["ShipmentDispatched", "ShipmentOpened"]


@integration_event("shipping.ShipmentOpened", subject="shipment_id")
class ShipmentOpened(IntegrationEvent):
    """A shipment was opened for a confirmed order."""

    shipment_id: str
    order_id: str


@integration_event("shipping.ShipmentDispatched", subject="shipment_id")
class ShipmentDispatched(IntegrationEvent):
    """The carrier took the order's shipment; `dispatched_at` is an ISO 8601 time."""

    shipment_id: str
    order_id: str
    dispatched_at: str
