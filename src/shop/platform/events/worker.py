"""The in-process worker of the inline transport: relay, handle, repeat until quiet.

It wakes when a transaction that published an event commits (`nudge`), and at
least every `sweep_seconds` anyway, to retry due handlers and pick up what a
crashed process left in an outbox. Several processes may run one each: claims
and inbox row locks keep them from doing the same work twice.
"""

from __future__ import annotations

import queue
import threading

import structlog
from django.db import close_old_connections, connections

from shop.platform.events import inbox, relay
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
        moved += sum(_guarded(inbox.process_due, store) for store in bus.hosted_stores())
        total += moved
        if not moved:
            break
    return total


def _guarded(step, store) -> int:
    try:
        return step(store)
    except Exception:  # that store is down or broken; its rows wait for the next pass
        log.exception("event worker step failed", step=step.__qualname__, context=store.context)
        return 0


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
        while not self.stopping.is_set():
            self.wake.wait(timeout=interval)
            self.wake.clear()
            if self.stopping.is_set():
                break
            close_old_connections()
            drain()
            run_scheduled_jobs()
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
    if _worker is not None:
        _worker.wake.set()


class CeleryNudger(threading.Thread):
    """Sends relay tasks off the request thread; drops nudges it cannot keep up with."""

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
            context = self.pending.get()
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
