"""Everything observed around one handler run: its log lines, its span, its duration."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

import structlog
from prometheus_client import Histogram

from shop.platform.observability import logs, tracing

log = structlog.get_logger("shop.events.handler")

HANDLER_SECONDS = Histogram(
    "shop_event_handler_seconds",
    "Time an event handler took, by event type and handler.",
    ["event_type", "handler"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


@contextlib.contextmanager
def observed(envelope: dict[str, Any], *, context: str, handler: str) -> Iterator[None]:
    bound = logs.bind_event(envelope, context=context, handler=handler)
    started = time.perf_counter()
    log.debug("handler started")
    try:
        with tracing.handler_span(envelope, handler=handler, context=context):
            yield
    except Exception as exc:
        log.warning("handler failed", error=f"{type(exc).__name__}: {exc}")
        raise
    else:
        log.info("handler finished", duration_ms=round((time.perf_counter() - started) * 1000, 2))
    finally:
        HANDLER_SECONDS.labels(event_type=str(envelope.get("type")), handler=handler).observe(
            time.perf_counter() - started
        )
        logs.unbind_event(bound)
