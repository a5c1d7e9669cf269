"""The in-process worker of the inline transport: relay, handle, repeat until quiet.

It wakes when a transaction that published an event commits (`nudge`), and then works
only the stores known to have work (that outbox, and the inboxes it delivers to: no
polling of idle stores). Every `sweep_seconds` it looks at every store anyway, to retry
due handlers and pick up what another or a crashed process left. Several processes may
run one each: claims and inbox row locks keep them from doing the same work twice.
"""

from __future__ import annotations

import queue
import threading
import time

import structlog
from django.db import close_old_connections, connections

from shop.platform.events import inbox, known, relay
from shop.platform.events.bus import bus
from shop.platform.events.schedule import schedule
from shop.platform.events.settings import event_settings

log = structlog.get_logger(__name__)


def drain(*, max_rounds: int = 100) -> int:
    """Relay and handle until nothing is left to do now; returns rows dispatched + handled.

    Each store is worked on its own: one that is unreachable is logged and skipped,
    and the others carry on.
    """
    total = 0
    for _ in range(max_rounds):
        moved = sum(_guarded(relay.relay, store) for store in bus.hosted_stores())
        moved += sum(
            _guarded(inbox.take_batch, store, default=(0, False), adaptive=True)[0]
            for store in bus.hosted_stores()
        )
        total += moved
        if not moved:
            break
    return total


def drain_known(*, max_rounds: int = 100) -> int:
    """Relay and handle only the stores known to have work (shop.platform.events.known),
    until none is left; returns rows dispatched + handled.

    Each round relays the marked outboxes, then handles the marked inboxes, the ones the
    relay has just written into included: an event's hop is one round. A store whose
    batch was full (or cut short by `batch_seconds`) is looked at again next round.
    """
    total = 0
    limit = event_settings().batch_size
    stores = {store.context: store for store in bus.hosted_stores()}
    again_outboxes: set[str] = set()
    again_inboxes: set[str] = set()
    for _ in range(max_rounds):
        outboxes = known.outboxes.take() | again_outboxes
        again_outboxes = set()
        for context in sorted(outboxes):
            if (store := stores.get(context)) is not None:
                moved = _guarded(relay.relay, store, probe=False)
                total += moved
                if moved >= limit:
                    again_outboxes.add(context)
        inboxes = known.inboxes.take() | again_inboxes
        again_inboxes = set()
        for context in sorted(inboxes):
            if (store := stores.get(context)) is not None:
                handled, more = _guarded(
                    inbox.take_batch, store, default=(0, False), probe=False, adaptive=True
                )
                total += handled
                if more:
                    again_inboxes.add(context)
        if not (outboxes or inboxes):
            break
    return total


def _guarded(step, store, default=0, **options):
    try:
        return step(store, **options)
    except Exception:  # that store is down or broken; its rows wait for the next pass
        log.exception("event worker step failed", step=step.__qualname__, context=store.context)
        return default


def run_scheduled_jobs() -> None:
    try:
        schedule.run_due()
    except Exception:
        log.exception("a scheduled job failed")


class InlineWorker(threading.Thread):
    def __init__(self) -> None:
        super().__init__(name="shop-events", daemon=True)
        self.wake = threading.Event()
        self.stopping = threading.Event()

    def run(self) -> None:
        interval = event_settings().sweep_seconds
        sweep_at = time.monotonic()
        while not self.stopping.is_set():
            self.wake.wait(timeout=max(0.0, sweep_at - time.monotonic()))
            self.wake.clear()
            if self.stopping.is_set():
                break
            close_old_connections()
            if time.monotonic() >= sweep_at:  # every store, for what no nudge told us
                drain()
                run_scheduled_jobs()
                sweep_at = time.monotonic() + interval
            else:  # woken by a commit or a delivery: only the stores known to have work
                drain_known()
        connections.close_all()

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        self.wake.set()
        self.join(timeout)


_worker: InlineWorker | None = None
_lock = threading.Lock()


def start() -> InlineWorker:
    global _worker
    with _lock:
        if _worker is None or not _worker.is_alive():
            _worker = InlineWorker()
            _worker.start()
        return _worker


def start_if_inline() -> InlineWorker | None:
    return start() if event_settings().transport == "inline" else None


def stop(timeout: float = 30.0) -> None:
    global _worker
    with _lock:
        if _worker is not None:
            _worker.stop(timeout)
            if _worker.is_alive():
                raise RuntimeError("the event worker did not stop in time")
            _worker = None


def nudge(context: str | None = None) -> None:
    """Called after a publishing transaction commits: wake the relay for that store.

    Inline: wake this process's worker thread (a no-op where none runs). Celery: hand
    the nudge to a background sender, so a request never waits on the broker, however
    slow or down it is. Never raises: the event is safe in the outbox whatever happens
    here, and the periodic sweep relays it if this nudge is lost.
    """
    if event_settings().transport == "celery":
        _celery_nudger().send(context)
        return
    for store_context in [context] if context else list(bus.stores):
        known.outboxes.mark(store_context)
    if _worker is not None:
        _worker.wake.set()


class CeleryNudger(threading.Thread):
    """Sends relay tasks off the request thread; drops nudges it cannot keep up with.

    Nudges that queued while it sent the last ones go as one relay task per context: a
    burst of commits to one outbox is one task, which relays every row they wrote.
    """

    def __init__(self) -> None:
        super().__init__(name="shop-events-nudge", daemon=True)
        self.pending: queue.Queue[str | None] = queue.Queue(maxsize=1000)

    def send(self, context: str | None) -> None:
        try:
            self.pending.put_nowait(context)
        except queue.Full:
            pass  # the sweep relays what these nudges would have

    def run(self) -> None:
        from shop.platform.events.tasks import relay_outbox, relay_queue

        while True:
            contexts = {self.pending.get()}
            while True:  # the nudges queued meanwhile: one relay task per context for all
                try:
                    contexts.add(self.pending.get_nowait())
                except queue.Empty:
                    break
            if None in contexts:
                contexts = {None}  # one task relays every store
            for context in sorted(contexts, key=str):
                try:
                    relay_outbox.apply_async(args=[context], queue=relay_queue(), retry=False)
                except Exception as exc:
                    log.warning(
                        "could not nudge the relay (the sweep will catch up)",
                        context=context,
                        error=f"{type(exc).__name__}: {exc}",
                    )


_nudger: CeleryNudger | None = None


def _celery_nudger() -> CeleryNudger:
    global _nudger
    with _lock:
        if _nudger is None or not _nudger.is_alive():
            _nudger = CeleryNudger()
            _nudger.start()
        return _nudger
