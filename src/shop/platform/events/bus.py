"""The event bus: which context stores events where, and who listens to what.

Contexts register their message store and their subscriptions explicitly from
`AppConfig.ready()`; importing a module never subscribes anything. A publisher
never learns who listens: the consumers declare it here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shop.platform import topology

if TYPE_CHECKING:  # the abstract models are imported only by each context's infrastructure
    from shop.platform.events.models import InboxMessage, OutboxMessage, SubjectSequence

Handler = Callable[[Any], None]


@dataclass(frozen=True)
class Store:
    """Where a context keeps its outbox, inbox and sequences: its own database alias."""

    context: str
    alias: str
    outbox: type[OutboxMessage]
    inbox: type[InboxMessage]
    sequences: type[SubjectSequence]


@dataclass(frozen=True)
class Subscription:
    context: str
    event_type: str
    version: int
    handler: Handler

    @property
    def name(self) -> str:
        """Stable id of the handler in inbox rows: `<context>.<function name>`."""
        return f"{self.context}.{self.handler.__name__}"


class EventBus:
    def __init__(self) -> None:
        self.stores: dict[str, Store] = {}
        self._by_type: dict[str, list[Subscription]] = defaultdict(list)
        self._by_name: dict[str, Subscription] = {}

    def add_store(self, store: Store) -> None:
        self.stores[store.context] = store

    def subscribe(self, event_class: type, handler: Handler, *, context: str) -> None:
        sub = Subscription(context, event_class.event_type, event_class.version, handler)
        if sub.name in self._by_name:
            if self._by_name[sub.name] == sub:
                return
            raise ValueError(f"handler name {sub.name} is already subscribed")
        self._by_type[sub.event_type].append(sub)
        self._by_name[sub.name] = sub

    def subscriptions_to(self, event_type: str) -> list[Subscription]:
        return list(self._by_type.get(event_type, ()))

    def consumers(self, event_type: str) -> list[str]:
        """The contexts subscribed to `event_type`, each to get one copy (none: the event
        has nowhere to go). The same in every process of a release: every context's
        wiring is loaded everywhere, hosted or not."""
        return sorted({sub.context for sub in self._by_type.get(event_type, ())})

    def subscription(self, name: str) -> Subscription | None:
        return self._by_name.get(name)

    def subscriptions(self) -> list[Subscription]:
        return sorted(self._by_name.values(), key=lambda s: (s.event_type, s.name))

    def hosted_stores(self) -> list[Store]:
        """The stores of the contexts this process hosts: the ones it relays, handles,
        sweeps, purges and reports on. The others are other services' to run."""
        here = topology.current()
        return [store for store in self.stores.values() if here.hosts(store.context)]

    def store_of(self, context: str) -> Store:
        try:
            return self.stores[context]
        except KeyError:
            raise LookupError(f"context {context!r} registered no message store") from None


bus = EventBus()
