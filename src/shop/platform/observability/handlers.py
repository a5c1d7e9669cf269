"""Everything observed around one handler run: its log lines, its span, its duration."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

import structlog

from shop.platform.observability import logs, metrics, tracing

log = structlog.get_logger("shop.events.handler")


@contextlib.contextmanager
def observed(envelope: dict[str, Any], *, context: str, handler: str) -> Iterator[None]:
    bound = logs.bind_event(envelope, context=context, handler=handler)
    started = time.perf_counter()
    log.debug("handler started")
    try:
        with (
            tracing.handler_span(envelope, handler=handler, context=context),
            metrics.timed(str(envelope.get("type")), handler),
        ):
            yield
    except Exception as exc:
        log.warning("handler failed", error=f"{type(exc).__name__}: {exc}")
        raise
    else:
        log.info("handler finished", duration_ms=round((time.perf_counter() - started) * 1000, 2))
    finally:
        logs.unbind_event(bound)
