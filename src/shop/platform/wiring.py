"""Wiring a context into the process when Django starts (ContextConfig.ready).

Every process installs every context, so the bus knows every store and every
subscription (a publisher always knows all its consumers); only a context this process
hosts (shop.platform.topology) keeps its admin pages here.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.apps import AppConfig, apps
from django.contrib import admin

from shop.platform import topology
from shop.platform.console import expectations
from shop.platform.console.expectations import Expectation
from shop.platform.events import admin as events_admin
from shop.platform.events.bus import Handler, Store, bus
from shop.platform.events.models import InboxMessage, OutboxMessage, SubjectSequence
from shop.platform.events.schedule import schedule


class Wiring:
    """What a context's `subscribers.register` is given: subscribe, schedule and say what its
    aggregates wait for, in its name."""

    def __init__(self, context: str) -> None:
        self.context = context

    def subscribe(self, event_class: type, handler: Handler) -> None:
        bus.subscribe(event_class, handler, context=self.context)

    def every(self, seconds: float, name: str, run: Callable[[], Any]) -> None:
        """A periodic job `<context>.<name>`, run only where the context is hosted."""
        schedule.every(seconds, f"{self.context}.{name}", run, context=self.context)

    def expect(self, expecter: Callable[[str], Expectation | None]) -> None:
        """What an aggregate of this context waits for, by subject id, for the operator
        console's timeline (shop.platform.console.expectations); asked only where the
        context is hosted."""
        expectations.register(self.context, expecter)


def wire(config: AppConfig) -> None:
    if config.apps is not apps:
        return  # a registry built for a test (isolate_apps): the process is wired already
    store = message_store(config)
    bus.add_store(store)
    import_module(f"{config.name}.subscribers").register(Wiring(config.label))
    if topology.current().hosts(config.label):
        events_admin.register(admin.site, outbox=store.outbox, inbox=store.inbox)
    else:  # another service hosts it: no pages for rows this process cannot reach
        for model in config.get_models():
            if admin.site.is_registered(model):
                admin.site.unregister(model)


def message_store(config: AppConfig) -> Store:
    """The context's outbox, inbox and sequence tables, found among its models."""
    models = list(config.get_models())

    def find(base: type) -> type:
        return next(m for m in models if issubclass(m, base))

    return Store(
        context=config.label,
        alias=config.label,
        outbox=find(OutboxMessage),
        inbox=find(InboxMessage),
        sequences=find(SubjectSequence),
    )
