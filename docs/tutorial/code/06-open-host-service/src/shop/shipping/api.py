"""shipping's open host service: what other contexts may ask of it.

Every function returns frozen dataclasses, never models or QuerySets, so the same
contract can be served over HTTP when shipping runs on its own. A view says what others
need to know of a shipment, in shipping's words, and nothing of how it is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shop.platform import openhost
from shop.shipping.application import queries

__all__ = ["ShipmentView", "shipment_for_order"]


@dataclass(frozen=True)
class ShipmentView:
    """A shipment as other contexts see it: `status` is pending, dispatched or delivered."""

    id: str
    order_id: str
    status: str
    dispatched_at: datetime | None


@openhost.query
def shipment_for_order(order_id: str) -> ShipmentView | None:
    """The order's shipment, or None while it has none."""
    found = queries.for_order(order_id)
    if found is None:
        return None
    return ShipmentView(
        id=str(found.id),
        order_id=found.order_id,
        status=found.status.value,
        dispatched_at=found.dispatched_at,
    )
