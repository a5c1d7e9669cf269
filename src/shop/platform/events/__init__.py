"""Integration events: the published language contexts use to tell each other what happened.

Public surface for contexts: `integration_event` to declare an event, `publish` to
emit one inside a transaction, `bus` to register a store and subscriptions, and
`schedule` for periodic jobs.
"""

from shop.platform.events.bus import Store, bus
from shop.platform.events.declaration import IntegrationEvent, integration_event, registry
from shop.platform.events.errors import RetryLater, Unavailable
from shop.platform.events.publishing import PublishOutsideTransaction, publish
from shop.platform.events.schedule import schedule

__all__ = [
    "IntegrationEvent",
    "PublishOutsideTransaction",
    "RetryLater",
    "Store",
    "Unavailable",
    "bus",
    "integration_event",
    "publish",
    "registry",
    "schedule",
]
