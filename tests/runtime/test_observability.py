"""One order, one story: a single trace and one correlation id from the request to every handler.

OpenTelemetry lets a process set its tracer provider once, so `span_recorder` installs an
SDK provider (recording into memory) the first time a test asks for spans, and keeps it for
the run; `spans` records only during its test, and instruments Django only for that test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
import structlog
from django.contrib.auth import get_user_model
from opentelemetry import trace
from opentelemetry.instrumentation.django import DjangoInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from shop.catalog import api as catalog
from shop.inventory import api as inventory
from shop.ordering import api as ordering
from shop.platform.events import bus, worker

ROOT = Path(__file__).resolve().parents[2]
DB = pytest.mark.django_db(transaction=True, databases="__all__")
# The events of an order's saga, from placed to confirmed, that have handlers.
SAGA = (
    "ordering.OrderPlaced",
    "inventory.StockReserved",
    "billing.PaymentCaptured",
    "ordering.OrderConfirmed",
)


def consumers() -> set[str]:
    """The contexts whose handlers an order causes: every subscriber to a saga event, as the
    bus has them registered (a context added since, subscribing to one, is among them)."""
    return {s.context for event_type in SAGA for s in bus.subscriptions_to(event_type)}


class RecordingWhileAsked(SimpleSpanProcessor):
    """Keep finished spans only while a test listens, so later tests do not pile them up."""

    listening = False

    def on_end(self, span) -> None:
        if self.listening:
            super().on_end(span)


@pytest.fixture(scope="session")
def span_recorder() -> tuple[InMemorySpanExporter, RecordingWhileAsked]:
    exporter = InMemorySpanExporter()
    processor = RecordingWhileAsked(exporter)
    provider = TracerProvider()
    provider.add_span_processor(processor)
    trace.set_tracer_provider(provider)
    assert trace.get_tracer_provider() is provider, "another tracer provider was set first"
    return exporter, processor


@pytest.fixture
def spans(span_recorder):
    """The spans finished during the test, with Django instrumented as `tracing` would."""
    exporter, processor = span_recorder
    exporter.clear()
    processor.listening = True
    DjangoInstrumentor().instrument()
    yield exporter
    DjangoInstrumentor().uninstrument()
    processor.listening = False
    exporter.clear()


@pytest.fixture
def shopper() -> APIClient:
    """A customer with a token, and a mug in stock. Build it after instrumenting Django."""
    user = get_user_model().objects.create_user("erin")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    catalog.add_product(
        sku="MUG", name="Mug", description="", price=Decimal("3.00"), currency="EUR"
    )
    inventory.count_stock(sku="MUG", on_hand=10)
    return client


def place(client: APIClient, **headers: str):
    response = client.post(
        "/api/v1/orders",
        {"lines": [{"sku": "MUG", "quantity": 2}], "payment_token": "tok_visa"},
        format="json",
        headers=headers,
    )
    assert response.status_code == 201, response.content
    return response


def published_envelopes() -> list[dict]:
    """Every envelope any context put in its outbox."""
    return [
        row.envelope
        for store in bus.stores.values()
        for row in store.outbox.objects.using(store.alias).all()
    ]


def handled_rows(correlation_id: str | None = None) -> list[tuple[str, str]]:
    """(event id, handler) of every inbox row handled (of one story), in every store."""
    return [
        (str(row.event_id), row.handler)
        for store in bus.stores.values()
        for row in store.inbox.objects.using(store.alias).filter(status="done")
        if correlation_id in (None, row.envelope["correlationid"])
    ]


# --- traces ----------------------------------------------------------------------------


@DB
def test_an_order_and_every_handler_it_causes_share_one_trace(spans, shopper):
    order_id = place(shopper).json()["id"]
    worker.drain()

    assert ordering.order_summary(order_id).status == "confirmed"
    assert set(SAGA) <= {e["type"] for e in published_envelopes()}
    finished = spans.get_finished_spans()
    servers = [s for s in finished if s.kind == trace.SpanKind.SERVER]
    assert len(servers) == 1, [s.name for s in finished]
    request = servers[0]
    handlers = [s for s in finished if s.name.startswith("handle ")]
    assert {s.attributes["shop.consumer"] for s in handlers} == consumers()
    assert sorted(
        (s.attributes["messaging.message.id"], s.attributes["shop.handler"]) for s in handlers
    ) == sorted(handled_rows())
    assert {s.context.trace_id for s in [request, *handlers]} == {request.context.trace_id}
    by_id = {s.context.span_id: s for s in finished}
    for span in handlers:
        assert _root_of(span, by_id) is request, f"{span.name} does not chain to the request"
    first = [s for s in handlers if s.name == "handle ordering.OrderPlaced"]
    assert first and {s.parent.span_id for s in first} == {request.context.span_id}


def _root_of(span, by_id):
    while span.parent is not None:
        span = by_id[span.parent.span_id]
    return span


@DB
def test_each_event_carries_the_traceparent_of_the_span_that_published_it(spans, shopper):
    order_id = place(shopper).json()["id"]
    worker.drain()

    request = next(s for s in spans.get_finished_spans() if s.kind == trace.SpanKind.SERVER)
    placed = next(e for e in published_envelopes() if e["type"] == "ordering.OrderPlaced")
    assert placed["subject"] == order_id
    _, trace_id, span_id, _ = placed["traceparent"].split("-")
    assert (int(trace_id, 16), int(span_id, 16)) == (
        request.context.trace_id,
        request.context.span_id,
    )
    saga = [e for e in published_envelopes() if e["correlationid"] == placed["correlationid"]]
    assert len(saga) > 3
    assert {e["traceparent"].split("-")[1] for e in saga} == {trace_id}


def test_without_an_exporter_nothing_is_installed_and_events_carry_no_traceparent(tmp_path):
    """A fresh process (ours may hold the tests' provider) on its own SQLite stores."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "SHOP_"))},
        "DJANGO_SETTINGS_MODULE": "shop.site.settings",
        "SHOP_SECRET_KEY": "test-only-secret-key",
        "SHOP_DATA_DIR": str(tmp_path),
        "SHOP_HTTPS": "0",  # its test client speaks plain HTTP
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", UNTRACED_ORDER], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])

    assert report == {
        "configured": False,
        "provider": "ProxyTracerProvider",
        "sdk_loaded": False,
        "django_instrumented": False,
        "status": 201,
        "events": report["events"],
        "traceparents": [None],
    }
    assert report["events"] > 3


# What a web process does at start (wsgi.py), then one order placed and its saga drained.
UNTRACED_ORDER = """
import json, sys
from decimal import Decimal
import django
from shop.platform.observability import tracing
configured = tracing.configure("shop-web")
django.setup()
from django.core.management import call_command
call_command("migrate_all", verbosity=0)
from django.contrib.auth import get_user_model
from opentelemetry import trace
from opentelemetry.instrumentation.django import DjangoInstrumentor
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from shop.catalog import api as catalog
from shop.inventory import api as inventory
from shop.platform.events import bus, worker
catalog.add_product(sku="MUG", name="Mug", description="", price=Decimal("3"), currency="EUR")
inventory.count_stock(sku="MUG", on_hand=5)
client = APIClient(HTTP_HOST="localhost")
user = get_user_model().objects.create_user("erin")
client.credentials(HTTP_AUTHORIZATION="Token " + Token.objects.create(user=user).key)
response = client.post(
    "/api/v1/orders",
    {"lines": [{"sku": "MUG", "quantity": 1}], "payment_token": "tok_visa"},
    format="json",
)
worker.drain()
envelopes = [
    row.envelope for store in bus.stores.values() for row in store.outbox.objects.all()
]
print(json.dumps({
    "configured": configured,
    "provider": type(trace.get_tracer_provider()).__name__,
    "sdk_loaded": "opentelemetry.sdk.trace" in sys.modules,
    "django_instrumented": DjangoInstrumentor().is_instrumented_by_opentelemetry,
    "status": response.status_code,
    "events": len(envelopes),
    "traceparents": sorted({e["traceparent"] for e in envelopes}, key=str),
}))
"""


# --- logs ------------------------------------------------------------------------------


def request_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "django_structlog.middlewares.request"]


def handler_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if "handler" in line]


def assert_one_story(lines: list[dict], correlation_id: str) -> None:
    """The request's lines and every handler's lines carry `correlation_id`; all ran."""
    requests = request_lines(lines)
    assert {line["event"] for line in requests} == {"request_started", "request_finished"}
    assert {(line["request_id"], line["correlation_id"]) for line in requests} == {
        (correlation_id, correlation_id)
    }
    handled = handler_lines(lines)
    assert {line["correlation_id"] for line in handled} == {correlation_id}
    assert_every_handler_finished(handled, correlation_id)


def assert_every_handler_finished(handled: list[dict], correlation_id: str) -> None:
    """Every inbox row of the story was handled, each with a line naming event and handler."""
    finished = [line for line in handled if line["event"] == "handler finished"]
    assert {line["consumer"] for line in finished} == consumers()
    assert {(line["event_id"], line["handler"]) for line in finished} == set(
        handled_rows(correlation_id)
    )
    for line in finished:
        assert line["event_type"] and line["event_source"], line


@DB
def test_the_request_and_every_handler_log_the_client_request_id_as_correlation_id(
    shopper, log_lines
):
    request_id = f"checkout-{uuid.uuid4()}"

    response = place(shopper, **{"X-Request-ID": request_id})
    worker.drain()

    assert response["X-Request-ID"] == request_id
    assert_one_story(log_lines(), request_id)


@DB
def test_a_request_without_an_id_gets_one_that_is_echoed_and_logged_everywhere(shopper, log_lines):
    response = place(shopper)
    worker.drain()

    request_id = response["X-Request-ID"]
    assert uuid.UUID(request_id)
    assert_one_story(log_lines(), request_id)


@DB
def test_an_unsafe_request_id_is_replaced_by_a_fresh_one(shopper, log_lines):
    response = place(shopper, **{"X-Request-ID": "not safe\nforged=1"})
    worker.drain()

    request_id = response["X-Request-ID"]
    assert uuid.UUID(request_id)
    assert_one_story(log_lines(), request_id)


@DB
def test_a_handler_log_context_ends_with_the_handler(shopper, log_lines):
    place(shopper)
    worker.drain()
    structlog.get_logger("shop.test").info("after the saga")

    after = log_lines()[-1]
    assert after["event"] == "after the saga"
    leaked = {"event_id", "event_type", "event_source", "consumer", "handler", "correlation_id"}
    assert leaked.isdisjoint(after), after


@DB
@pytest.mark.postgres
def test_a_real_worker_logs_every_handler_with_the_request_id_as_correlation_id(
    shopper, start_worker, log_lines, eventually
):
    worker_process = start_worker()
    request_id = f"checkout-{uuid.uuid4()}"

    response = place(shopper, **{"X-Request-ID": request_id})

    assert response["X-Request-ID"] == request_id
    order_id = response.json()["id"]
    eventually(lambda: _assert(ordering.order_summary(order_id).status == "confirmed"), timeout=60)
    eventually(lambda: _assert(inventory.stock_level("MUG").on_hand == 8), timeout=60)
    requests = request_lines(log_lines())
    assert {(line["request_id"], line["correlation_id"]) for line in requests} == {
        (request_id, request_id)
    }

    def every_handler_logged():
        handled = handler_lines(worker_process.lines())
        assert {line["correlation_id"] for line in handled} == {request_id}
        assert_every_handler_finished(handled, request_id)

    eventually(every_handler_logged, timeout=30)


def _assert(condition: bool) -> bool:
    assert condition
    return condition


# --- readiness -------------------------------------------------------------------------


@DB
def test_readyz_in_celery_mode_checks_the_broker_and_names_it_when_redis_is_down(celery_mode):
    client = APIClient()

    ready = client.get("/readyz")

    assert ready.status_code == 200, ready.content
    assert ready.json()["checks"]["broker"] == "ok"

    celery_mode.stop()
    down = client.get("/readyz")

    assert down.status_code == 503
    assert down["Content-Type"].startswith("application/problem+json")
    body = down.json()
    assert body["failing"] == ["broker"]
    assert body["checks"]["broker"].startswith("unreachable")
    assert "broker" in body["detail"]
