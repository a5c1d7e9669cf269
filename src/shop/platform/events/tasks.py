"""Celery tasks of the event bus (transport `celery`). Thin: each calls the same code
the inline transport uses, so dedupe, retries and dead-lettering behave the same.

The relay sends one message per relayed batch and consuming context, chunked at
`MAX_ENVELOPES_PER_MESSAGE`: `deliver_batch` writes its envelopes into that context's
inbox with one insert and runs the due handlers, as the inline transport does. A batch
with one envelope for a context goes as `deliver`, the one task every message used to be.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, NoReturn

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


# Until a delivery task has written its envelopes into the inbox, the message is their only
# copy (the outbox rows say dispatched), and a task that fails is acknowledged and gone. So
# a store that cannot be reached is waited for, without limit: the write is retried with a
# new message (the whole batch again), sent with a backoff before this one is acknowledged;
# if even that cannot be sent (the broker is down too), this message goes back to its queue
# after the backoff. Anything else (an envelope the inbox cannot read) is a poison message:
# logged, dropped; in a batch, only the envelopes the inbox cannot read are.
UNREACHABLE = (OperationalError, InterfaceError)
# The longest a worker process waits before handing a message back to a broker that just
# refused its retry (the process is busy meanwhile: kept short).
REQUEUE_PAUSE_SECONDS = 5.0

# At most this many envelopes in one message. A whole relay batch (SHOP_EVENTS batch_size,
# 500 by default) of envelopes of a few kilobytes each would make a message of megabytes,
# which Redis holds in memory and one worker process takes alone while the queue's other
# processes wait, and which is written again whole when a worker dies holding it. A hundred
# keep a message to some hundred kilobytes and spread a full batch over five processes,
# while the per-message costs (a broker round trip, an inbox insert, the task's inbox
# batches) are already shared by a hundred events instead of paid by each.
MAX_ENVELOPES_PER_MESSAGE = 100


@shared_task(name="shop.events.deliver", bind=True, max_retries=None, **RELIABLE)
def deliver(self, envelope: dict, context: str) -> int:
    """Write one envelope into `context`'s inbox, then run that context's due handlers.

    The message for a lone envelope (and every message sent before batches existed, so
    still consumed). An envelope the inbox cannot read fails the task: Celery logs it and
    acknowledges the message, which is never retried.
    """
    if not topology.current().hosts(context):
        _forward([envelope], context)
        return 0
    try:
        inbox.accept_many([envelope], context)
    except UNREACHABLE as exc:
        _retry_delivery(self, [envelope], context, exc)
    return _handle_due(context, rounds=1)


@shared_task(name="shop.events.deliver_batch", bind=True, max_retries=None, **RELIABLE)
def deliver_batch(self, envelopes: list[dict], context: str) -> int:
    """Write a batch's envelopes into `context`'s inbox in one insert, then run its handlers.

    What `deliver` does for each envelope, at the cost of one: a store that cannot be
    reached retries the whole batch (the inbox ignores what it already has), a context this
    service does not host gets the whole batch sent on to its queue. An envelope the inbox
    cannot read is logged and dropped, alone: the rest of its batch is written. The due
    handlers then run in as many inbox batches as it takes, at most one per envelope (what
    as many `deliver` tasks would run), stopping at the first that handles nothing, and
    what they publish is relayed between two batches.
    """
    if not topology.current().hosts(context):
        _forward(envelopes, context)
        return 0
    try:
        _accept(envelopes, context)
    except UNREACHABLE as exc:
        _retry_delivery(self, envelopes, context, exc)
    return _handle_due(context, rounds=len(envelopes))


def send(envelopes: Sequence[dict], context: str) -> None:
    """One message to `context`'s queue: `deliver` for one envelope, `deliver_batch` for more.

    `apply_async` returns once Redis has accepted the message, and raises otherwise.
    """
    if len(envelopes) == 1:
        deliver.apply_async(args=(envelopes[0], context), queue=context)
    elif envelopes:
        deliver_batch.apply_async(args=(list(envelopes), context), queue=context)


def _accept(envelopes: list[dict], context: str) -> None:
    """Write the envelopes with one insert; if the inbox cannot read one, each on its own.

    A bad envelope fails the whole insert (`rows_for` raises on a missing field or a
    malformed number; Django or the database on a malformed id or an over-long field), so
    the batch is then written one envelope at a time, and only those that fail are dropped.
    """
    try:
        inbox.accept_many(envelopes, context)
    except UNREACHABLE:
        raise
    except Exception:  # which envelope it was is found out one at a time
        _accept_each(envelopes, context)


def _accept_each(envelopes: list[dict], context: str) -> None:
    for envelope in envelopes:
        try:
            inbox.accept_many([envelope], context)
        except UNREACHABLE:
            raise  # the whole batch is retried: the inbox ignores what it already has
        except Exception as unreadable:  # a poison envelope: never retried, never a stall
            log.error(
                "an envelope the inbox cannot read: dropped",
                error=f"{type(unreadable).__name__}: {unreadable}",
                **_fields([envelope], context),
            )


def _handle_due(context: str, *, rounds: int) -> int:
    """Run up to `rounds` batches of `context`'s due handlers; how many were handled.

    Stops at the first batch that handles nothing (none is due, or another worker has
    the inbox's turn and takes them) or leaves nothing due (it was neither full nor cut
    short by `batch_seconds`). Between two batches, what the handlers published
    is relayed, as the inline worker does between its rounds: a batch of slow handlers
    holds this process for long, and the relay its handlers' commits asked for would
    wait behind it in this worker's queues, holding the next step of each saga back.
    """
    handled = 0
    try:
        store = bus.store_of(context)
        for turn in range(max(1, rounds)):
            if turn:
                relay.relay(store)
            # The first batch takes the rows just written, without asking first whether
            # any is due; sized, as the inline worker's, to what fits `batch_seconds`.
            done, more = inbox.take_batch(store, probe=bool(turn), adaptive=True)
            handled += done
            if not (done and more):
                break
    except Exception:  # the events are safe in the inbox: the next delivery or sweep runs them
        log.exception("handling an inbox failed; its rows wait for the sweep", context=context)
    return handled


def _fields(envelopes: Sequence[Any], context: str) -> dict[str, Any]:
    """Log fields of one event, or of a batch (an envelope that is no mapping has none)."""
    readable = [envelope if isinstance(envelope, dict) else {} for envelope in envelopes]
    if len(readable) == 1:
        return logs.event_fields(readable[0], context=context)
    return logs.batch_fields(readable, context=context)


def _forward(envelopes: list[dict], context: str) -> None:
    """A message for a context this service does not host goes on to that context's queue.

    Only a message put on the wrong queue gets here (the relay sends each copy to its
    context's queue, and a worker told to consume a queue of a context its service does
    not host refuses to start). Sent on, as the same one message, before this one is
    acknowledged: a crash in between leaves two copies, and the inbox takes each event
    once. When the broker refuses the copy, this one goes back unacknowledged: never
    acknowledged and dropped.
    """
    fields = _fields(envelopes, context)
    try:
        send(envelopes, context)
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


def _retry_delivery(task, envelopes: list[dict], context: str, error: Exception) -> NoReturn:
    """Send the message again (same arguments: the whole batch) after a backoff."""
    delay = inbox.backoff(task.request.retries + 1).total_seconds()
    log.warning(
        "could not store an event in its inbox"
        if len(envelopes) == 1
        else "could not store a batch of events in their inbox",
        retry=task.request.retries + 1,
        retry_in_seconds=round(delay, 1),
        error=f"{type(error).__name__}: {error}",
        **_fields(envelopes, context),
    )
    try:
        raise task.retry(exc=error, countdown=delay)
    except Retry:
        raise
    except Exception as unsent:  # the broker refused the retry too: requeue this message
        time.sleep(min(delay, REQUEUE_PAUSE_SECONDS))  # never a hot loop against the broker
        raise Reject(unsent, requeue=True) from error


class CeleryTransport:
    """One message per relayed batch and consuming context, on that context's queue in Redis.

    A context's envelopes keep the batch's order (an aggregate's events in `sequence`
    order) and go in chunks of at most `MAX_ENVELOPES_PER_MESSAGE`; a single one goes as
    `deliver`. `apply_async` returns once Redis has accepted the message (and raises
    otherwise), so the relay marks a row dispatched only when every copy is in the broker.
    """

    def send_batch(self, batch: transports.Batch) -> None:
        for context, envelopes in transports.by_context(batch).items():
            for start in range(0, len(envelopes), MAX_ENVELOPES_PER_MESSAGE):
                send(envelopes[start : start + MAX_ENVELOPES_PER_MESSAGE], context)


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
