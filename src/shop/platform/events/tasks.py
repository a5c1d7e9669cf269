"""Celery tasks of the event bus (transport `celery`). Thin: each calls the same code
the inline transport uses, so dedupe, retries and dead-lettering behave the same."""

from __future__ import annotations

import time
from typing import NoReturn

import structlog
from celery import shared_task
from celery.exceptions import Reject, Retry
from django.conf import settings
from django.db import InterfaceError, OperationalError

from shop.platform import topology
from shop.platform.events import inbox, relay, transports
from shop.platform.events.bus import bus
from shop.platform.events.schedule import schedule
from shop.platform.observability import logs

log = structlog.get_logger(__name__)


def relay_queue() -> str:
    """This service's queue for its relays, sweeps and jobs (settings/celery.py)."""
    return settings.CELERY_TASK_DEFAULT_QUEUE


# acks_late: the message is acknowledged only after the task ran, so a worker that dies
# mid-handler leaves it in the broker to be delivered again (the inbox makes that safe).
# reject_on_worker_lost: a killed pool process requeues its message at once instead of
# acking it as failed.
RELIABLE = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


# Until `deliver` has written its envelope into the inbox, the message is the event's only
# copy (the outbox row says dispatched), and a task that fails is acknowledged and gone. So
# a store that cannot be reached is waited for, without limit: the write is retried with a
# new message, sent with a backoff before this one is acknowledged; if even that cannot be
# sent (the broker is down too), this message goes back to its queue after the backoff.
# Anything else (an envelope the inbox cannot read) is a poison message: logged, dropped.
UNREACHABLE = (OperationalError, InterfaceError)
# The longest a worker process waits before handing a message back to a broker that just
# refused its retry (the process is busy meanwhile: kept short).
REQUEUE_PAUSE_SECONDS = 5.0


@shared_task(name="shop.events.deliver", bind=True, max_retries=None, **RELIABLE)
def deliver(self, envelope: dict, context: str) -> int:
    """Write one envelope into `context`'s inbox, then run that context's due handlers."""
    if not topology.current().hosts(context):
        _forward(envelope, context)
        return 0
    try:
        inbox.accept_many([envelope], context)
    except UNREACHABLE as exc:
        _retry_delivery(self, envelope, context, exc)
    try:
        return inbox.process_due(bus.store_of(context))
    except Exception:  # the event is safe in the inbox: the next delivery or sweep runs it
        log.exception("handling an inbox failed; its rows wait for the sweep", context=context)
        return 0


def _forward(envelope: dict, context: str) -> None:
    """A message for a context this service does not host goes on to that context's queue.

    Only a message put on the wrong queue gets here (the relay sends each copy to its
    context's queue, and a worker told to consume a queue of a context its service does
    not host refuses to start). Sent on before this one is acknowledged: a crash in
    between leaves two copies, and the inbox takes the event once. When the broker refuses
    the copy, this one goes back unacknowledged: never acknowledged and dropped.
    """
    fields = logs.event_fields(envelope, context=context)
    try:
        deliver.apply_async(args=(envelope, context), queue=context)
    except Exception as unsent:
        log.error(
            "a message for a context this service does not host could not be sent on",
            error=f"{type(unsent).__name__}: {unsent}",
            **fields,
        )
        time.sleep(REQUEUE_PAUSE_SECONDS)  # never a hot loop against the broker
        raise Reject(f"{context} is not hosted here", requeue=True) from unsent
    log.warning(
        "a message for a context this service does not host: sent on to its queue",
        queue=context,
        **fields,
    )


def _retry_delivery(task, envelope: dict, context: str, error: Exception) -> NoReturn:
    delay = inbox.backoff(task.request.retries + 1).total_seconds()
    log.warning(
        "could not store an event in its inbox",
        retry=task.request.retries + 1,
        retry_in_seconds=round(delay, 1),
        error=f"{type(error).__name__}: {error}",
        **logs.event_fields(envelope, context=context),
    )
    try:
        raise task.retry(exc=error, countdown=delay)
    except Retry:
        raise
    except Exception as unsent:  # the broker refused the retry too: requeue this message
        time.sleep(min(delay, REQUEUE_PAUSE_SECONDS))  # never a hot loop against the broker
        raise Reject(unsent, requeue=True) from error


class CeleryTransport:
    """One task per (event, consuming context), on that context's queue in Redis.

    `apply_async` returns once Redis has accepted the message (and raises otherwise),
    so the relay marks a row dispatched only when every copy is in the broker.
    """

    def send_batch(self, batch: transports.Batch) -> None:
        for envelope, consumers in batch:
            for context in consumers:
                deliver.apply_async(args=(envelope, context), queue=context)


transports.TRANSPORTS["celery"] = CeleryTransport()


@shared_task(name="shop.events.relay", **RELIABLE)
def relay_outbox(context: str | None = None) -> int:
    """Hand one context's (or every context's) undispatched outbox rows to the broker."""
    stores = [bus.store_of(context)] if context else bus.hosted_stores()
    moved = 0
    for store in stores:
        while batch := relay.relay(store):
            moved += batch
    return moved


@shared_task(name="shop.events.process_inbox", **RELIABLE)
def process_inbox(context: str | None = None) -> int:
    """Run due handlers (retries whose backoff is over, rows a dead worker left pending)."""
    stores = [bus.store_of(context)] if context else bus.hosted_stores()
    handled = 0
    for store in stores:
        while batch := inbox.process_due(store):
            handled += batch
    return handled


@shared_task(name="shop.events.run_job", **RELIABLE)
def run_job(name: str) -> None:
    """A periodic job a context declared (payment deadline, purges)."""
    schedule.jobs[name].run()
