"""The catalog's published language: facts other contexts may react to.

Primitives only (prices as decimal strings plus an ISO 4217 code), so any
consumer, in this process or another, can read them without our classes.
"""

from shop.platform.events import IntegrationEvent, integration_event

__all__ = ["PriceChanged", "ProductPublished", "ProductRetired"]


@integration_event("catalog.ProductPublished", subject="sku")
class ProductPublished(IntegrationEvent):
    """A product became available for sale."""

    sku: str
    name: str
    price: str
    currency: str


@integration_event("catalog.PriceChanged", subject="sku")
class PriceChanged(IntegrationEvent):
    """A product's price changed; orders already placed keep the price they were placed at."""

    sku: str
    price: str
    currency: str


@integration_event("catalog.ProductRetired", subject="sku")
class ProductRetired(IntegrationEvent):
    """A product can no longer be ordered."""

    sku: str
