"""Prometheus metrics: requests per view (django-prometheus), and the event bus's health.

Handler durations are observed where handlers run (shop.platform.events.observation);
outbox and inbox figures are read at scrape time (shop.platform.events.metrics). Under
gunicorn with several workers set PROMETHEUS_MULTIPROC_DIR (the image, entrypoint and
make run-prod do) so every worker's samples are aggregated.
"""

from __future__ import annotations

import os

from django.http import HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)

from shop.platform.events.metrics import EventBusCollector


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
