"""OpenTelemetry: exporters chosen by the standard OTEL_* variables, or nothing at all.

With no exporter configured (the default) no SDK is installed and no library is
instrumented: the API stays a no-op and costs nothing. With OTEL_TRACES_EXPORTER=otlp
(or console) Django, Celery, psycopg and Redis are instrumented, and every event
envelope carries the W3C `traceparent` of the code that published it, so each
handler's span joins the trace of the request that started the saga.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace

_tracer = trace.get_tracer("shop.events")
_configured = False


def exporter_name() -> str:
    return os.environ.get("OTEL_TRACES_EXPORTER", "none").strip().lower() or "none"


def service_name_for(role: str) -> str:
    """`<service>-<role>`: the topology's service this process belongs to (docs/topology.md)
    and what it runs there (`shop-web`, `billing-worker`)."""
    from shop.platform import topology

    return f"{topology.current().this}-{role}"


def configure(service_name: str | None = None, *, role: str | None = None) -> bool:
    """Install the SDK and the instrumentations if an exporter is configured; idempotent.

    The spans' service name: OTEL_SERVICE_NAME if set, else `service_name`, else this
    process's service and `role` (`billing-web`).
    """
    global _configured
    if _configured or exporter_name() == "none":
        return _configured
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    name = os.environ.get("OTEL_SERVICE_NAME", "").strip() or service_name
    if not name:
        name = service_name_for(role) if role else "shop"
    resource = Resource.create({"service.name": name})
    provider = TracerProvider(resource=resource)
    if exporter_name() == "console":
        provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    instrument_libraries()
    _configured = True
    return True


def instrument_libraries() -> None:
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor

    for instrumentor in (
        DjangoInstrumentor(),
        CeleryInstrumentor(),
        PsycopgInstrumentor(),
        RedisInstrumentor(),
    ):
        if not instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.instrument()


def current_traceparent() -> str | None:
    """The W3C traceparent of the active span, to carry in an event envelope."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


@contextlib.contextmanager
def handler_span(envelope: dict[str, Any], *, handler: str, context: str) -> Iterator[None]:
    """A consumer span for one handler run, a child of the span that published the event."""
    parent = (
        propagate.extract({"traceparent": envelope["traceparent"]})
        if envelope.get("traceparent")
        else otel_context.get_current()
    )
    with _tracer.start_as_current_span(
        f"handle {envelope.get('type')}",
        context=parent,
        kind=trace.SpanKind.CONSUMER,
        attributes={
            "messaging.system": "shop.events",
            "messaging.message.id": str(envelope.get("id")),
            "messaging.destination.name": str(envelope.get("type")),
            "shop.handler": handler,
            "shop.consumer": context,
        },
    ):
        yield
