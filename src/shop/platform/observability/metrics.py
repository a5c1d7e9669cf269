"""Prometheus metrics: requests per view (django-prometheus), and the event bus's health.

Outbox and inbox figures are read from each context's store when Prometheus scrapes,
so they are true for every process at once; handler durations are observed where
handlers run. Under gunicorn with several workers set PROMETHEUS_MULTIPROC_DIR (the image,
entrypoint and make run-prod do) so every worker's samples are aggregated.
"""

from __future__ import annotations

import os
import time

from django.http import HttpResponse
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

HANDLER_SECONDS = Histogram(
    "shop_event_handler_seconds",
    "Time an event handler took, by event type and handler.",
    ["event_type", "handler"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


class EventBusCollector:
    """Outbox backlog and age, and inbox dead rows, per context, read at scrape time."""

    def collect(self):
        from shop.platform.events import operations
        from shop.platform.events.bus import bus

        pending = GaugeMetricFamily(
            "shop_outbox_pending", "Outbox events not yet dispatched.", labels=["context"]
        )
        age = GaugeMetricFamily(
            "shop_outbox_oldest_pending_seconds",
            "Age of the oldest undispatched outbox event.",
            labels=["context"],
        )
        dead = GaugeMetricFamily(
            "shop_inbox_dead",
            "Inbox rows parked dead after their last attempt.",
            labels=["context"],
        )
        inbox_pending = GaugeMetricFamily(
            "shop_inbox_pending", "Inbox rows waiting to be handled.", labels=["context"]
        )
        now = timezone.now()
        for store in bus.stores.values():
            status = operations.status(store)
            oldest = status.outbox_oldest_pending
            pending.add_metric([store.context], status.outbox_pending)
            age.add_metric([store.context], (now - oldest).total_seconds() if oldest else 0.0)
            dead.add_metric([store.context], status.inbox_dead)
            inbox_pending.add_metric([store.context], status.inbox_pending)
        yield from (pending, age, dead, inbox_pending)


def registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        collected = CollectorRegistry()
        multiprocess.MultiProcessCollector(collected)
        collected.register(EventBusCollector())
        return collected
    return _single_process_registry()


_single: CollectorRegistry | None = None


def _single_process_registry() -> CollectorRegistry:
    global _single
    if _single is None:
        REGISTRY.register(EventBusCollector())
        _single = REGISTRY
    return _single


def metrics_view(request) -> HttpResponse:
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)


class timed:  # noqa: N801 - used as a context manager
    """Observe the handler duration histogram around a block."""

    def __init__(self, event_type: str, handler: str) -> None:
        self.labels = HANDLER_SECONDS.labels(event_type=event_type, handler=handler)

    def __enter__(self) -> None:
        self.started = time.perf_counter()

    def __exit__(self, *exc) -> None:
        self.labels.observe(time.perf_counter() - self.started)
