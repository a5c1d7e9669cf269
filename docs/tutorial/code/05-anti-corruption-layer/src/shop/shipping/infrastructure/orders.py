"""Shipping's anti-corruption layer towards ordering: ordering's words in, shipping's out.

The one module of shipping that knows ordering's language. It asks ordering's open host
service (`shop.ordering.api`, never its models or tables) and translates the answer at
once: ordering's customer becomes shipping's recipient, and ordering's "cancelled" means
"nothing to ship". When ordering changes its words, this module changes, and no other.
"""

from __future__ import annotations

from dataclasses import dataclass

from shop.ordering import api as ordering
from shop.platform.events import RetryLater


class OrderNotKnownYet(RetryLater):
    """Ordering does not know the order (yet): the inbox runs the handler again later."""


@dataclass(frozen=True)
class Recipient:
    """Who a shipment goes to."""

    customer_id: int


def recipient_of(order_id: str) -> Recipient | None:
    """Who the confirmed order ships to; None if ordering has cancelled it since.

    Ordering answers over HTTP when it runs elsewhere; if it cannot be asked, the call
    raises RemoteUnavailable, which the inbox retries too."""
    summary = ordering.order_summary(order_id)
    if summary is None:
        raise OrderNotKnownYet(f"ordering does not know order {order_id}")
    if summary.status == "cancelled":
        return None
    return Recipient(customer_id=summary.customer_id)
