"""Celery tasks of the event bus (transport `celery`). Thin: each calls the same code
the inline transport uses, so dedupe, retries and dead-lettering behave the same."""

from __future__ import annotations

import logging

from celery import shared_task

from shop.platform.events import inbox, relay
from shop.platform.events.bus import bus
from shop.platform.events.schedule import schedule

log = logging.getLogger(__name__)

RELAY_QUEUE = "events"

# acks_late: the message is acknowledged only after the task ran, so a worker that dies
# mid-handler leaves it in the broker to be delivered again (the inbox makes that safe).
# reject_on_worker_lost: a killed pool process requeues its message at once instead of
# acking it as failed.
RELIABLE = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@shared_task(name="shop.events.deliver", **RELIABLE)
def deliver(envelope: dict, context: str) -> int:
    """Write one envelope into `context`'s inbox, then run that context's due handlers."""
    inbox.accept_many([envelope], context)
    return inbox.process_due(bus.store_of(context))


@shared_task(name="shop.events.relay", **RELIABLE)
def relay_outbox(context: str | None = None) -> int:
    """Hand one context's (or every context's) undispatched outbox rows to the broker."""
    stores = [bus.store_of(context)] if context else list(bus.stores.values())
    moved = 0
    for store in stores:
        while batch := relay.relay(store):
            moved += batch
    return moved


@shared_task(name="shop.events.process_inbox", **RELIABLE)
def process_inbox(context: str | None = None) -> int:
    """Run due handlers (retries whose backoff is over, rows a dead worker left pending)."""
    stores = [bus.store_of(context)] if context else list(bus.stores.values())
    handled = 0
    for store in stores:
        while batch := inbox.process_due(store):
            handled += batch
    return handled


@shared_task(name="shop.events.run_job", **RELIABLE)
def run_job(name: str) -> None:
    """A periodic job a context declared (payment deadline, purges)."""
    schedule.jobs[name].run()
