"""GET /metrics: what Prometheus scrapes, read back with Prometheus's own text parser.

Counters and histograms live for the whole test run, so each test compares a scrape
taken after the stimulus with one taken before; outbox and inbox gauges are read from
the stores at scrape time, so they are exact.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from shop.catalog import api as catalog
from shop.inventory import api as inventory
from shop.platform.events import bus, relay, worker
from shop.platform.events.models import InboxStatus

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

CONTEXTS = ("catalog", "inventory", "ordering", "billing")
RESERVE = "inventory.when_ordering_order_placed_reserve_stock"


def scrape(client: APIClient | None = None) -> dict[tuple[str, frozenset], float]:
    """Every sample of GET /metrics, keyed by (sample name, labels)."""
    response = (client or APIClient()).get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    """A counter's value; 0 for a labelled series not yet observed (as Prometheus reads it)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def gauge(samples: dict, name: str, context: str) -> float:
    """A per-context gauge of the event bus: reported for every context, at every scrape."""
    return samples[(name, frozenset({"context": context}.items()))]


@pytest.fixture
def shopper() -> APIClient:
    user = get_user_model().objects.create_user("fred")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    catalog.add_product(
        sku="MUG", name="Mug", description="", price=Decimal("3.00"), currency="EUR"
    )
    inventory.count_stock(sku="MUG", on_hand=10)
    worker.drain()  # the catalog and stock events of the set-up are not this test's story
    return client


def place(client: APIClient, quantity: int = 1) -> str:
    response = client.post(
        "/api/v1/orders",
        {"lines": [{"sku": "MUG", "quantity": quantity}], "payment_token": "tok_visa"},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_requests_are_counted_and_timed_per_view():
    client = APIClient()
    before = scrape(client)

    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/no-such-thing").status_code == 404

    after = scrape(client)
    by_view = "django_http_requests_total_by_view_transport_method_total"
    health = {"view": "healthz", "transport": "http", "method": "GET"}
    assert value(after, by_view, **health) - value(before, by_view, **health) == 1
    latency = "django_http_requests_latency_seconds_by_view_method_count"
    assert (
        value(after, latency, view="healthz", method="GET")
        - value(before, latency, view="healthz", method="GET")
        == 1
    )
    by_status = "django_http_responses_total_by_status_total"
    assert value(after, by_status, status="404") - value(before, by_status, status="404") == 1


def test_outbox_pending_counts_an_undispatched_event_and_its_age(shopper):
    assert gauge(scrape(), "shop_outbox_pending", "ordering") == 0

    order_id = place(shopper)  # no worker runs: OrderPlaced waits in ordering's outbox
    outbox = bus.store_of("ordering").outbox.objects.using("ordering")
    outbox.filter(subject=order_id).update(created_at=timezone.now() - timedelta(minutes=5))

    waiting = scrape()
    assert gauge(waiting, "shop_outbox_pending", "ordering") == 1
    assert gauge(waiting, "shop_outbox_oldest_pending_seconds", "ordering") >= 300
    assert gauge(waiting, "shop_outbox_pending", "billing") == 0

    worker.drain()

    drained = scrape()
    assert gauge(drained, "shop_outbox_pending", "ordering") == 0
    assert gauge(drained, "shop_outbox_oldest_pending_seconds", "ordering") == 0


def test_inbox_dead_counts_a_row_parked_dead_in_its_context(shopper):
    place(shopper)
    worker.drain()
    assert gauge(scrape(), "shop_inbox_dead", "billing") == 0

    billing_inbox = bus.store_of("billing").inbox.objects.using("billing")
    given_up = billing_inbox.filter(event_type="ordering.OrderPlaced").first()
    given_up.status = InboxStatus.DEAD  # as a handler that failed its last attempt leaves it
    given_up.save(update_fields=["status"])

    samples = scrape()
    assert gauge(samples, "shop_inbox_dead", "billing") == 1
    assert {c: gauge(samples, "shop_inbox_dead", c) for c in CONTEXTS if c != "billing"} == {
        "catalog": 0,
        "inventory": 0,
        "ordering": 0,
    }


def test_inbox_parked_counts_rows_left_for_an_operator_in_their_context(shopper):
    place(shopper)
    worker.drain()
    assert gauge(scrape(), "shop_inbox_parked", "inventory") == 0
    inventory_inbox = bus.store_of("inventory").inbox.objects.using("inventory")
    inventory_inbox.filter(event_type="ordering.OrderPlaced").update(status=InboxStatus.PARKED)
    samples = scrape()
    assert gauge(samples, "shop_inbox_parked", "inventory") == 1
    assert gauge(samples, "shop_inbox_parked", "billing") == 0


def test_inbox_pending_counts_delivered_events_not_yet_handled(shopper):
    place(shopper)
    relay.relay(bus.store_of("ordering"))  # OrderPlaced reaches inventory and billing...

    delivered = scrape()  # ...whose handlers have not run yet
    assert {c: gauge(delivered, "shop_inbox_pending", c) for c in CONTEXTS} == {
        "catalog": 0,
        "inventory": 1,
        "ordering": 0,
        "billing": 1,
    }
    assert gauge(delivered, "shop_outbox_pending", "ordering") == 0

    worker.drain()

    handled = scrape()
    assert {c: gauge(handled, "shop_inbox_pending", c) for c in CONTEXTS} == dict.fromkeys(
        CONTEXTS, 0
    )


def test_each_handler_run_is_observed_in_the_handler_duration_histogram(shopper):
    labels = {"event_type": "ordering.OrderPlaced", "handler": RESERVE}
    before = scrape()

    place(shopper)
    place(shopper)
    worker.drain()

    after = scrape()
    count = "shop_event_handler_seconds_count"
    assert value(after, count, **labels) - value(before, count, **labels) == 2
    total = "shop_event_handler_seconds_sum"
    assert value(after, total, **labels) > value(before, total, **labels)


def test_with_a_multiprocess_directory_the_scrape_still_reads_the_stores(
    shopper, monkeypatch, tmp_path
):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    place(shopper)

    samples = scrape()

    assert gauge(samples, "shop_outbox_pending", "ordering") == 1


@pytest.mark.postgres
def test_handler_durations_observed_by_a_worker_process_reach_the_web_scrape(
    shopper, start_worker, monkeypatch, tmp_path, eventually
):
    """As `make run-prod` runs them: every process writes its samples to one directory."""
    shared = tmp_path / "prometheus"
    shared.mkdir()
    start_worker(PROMETHEUS_MULTIPROC_DIR=str(shared))
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(shared))
    labels = {"event_type": "ordering.OrderPlaced", "handler": RESERVE}

    place(shopper)

    def observed_by_the_worker():
        samples = scrape()
        assert value(samples, "shop_event_handler_seconds_count", **labels) >= 1
        return samples

    samples = eventually(observed_by_the_worker, timeout=60)
    assert gauge(samples, "shop_inbox_dead", "inventory") == 0


def test_statement_metrics_count_each_statement_per_store_and_kind():
    """SHOP_DB_STATEMENT_METRICS: every statement Django sends is counted by alias and kind
    (what bench/saga.py prints per order); connections opened before are wrapped too once
    they reconnect, and wrapping twice never counts twice."""
    from django.db import connections

    from shop.platform.observability import statements

    connection = connections["ordering"]
    statements.install()
    statements._wrap(None, connection)  # as connection_created does for a new connection
    statements._wrap(None, connection)  # idempotent: one wrapper, one count per statement
    try:
        labels = {"alias": "ordering", "kind": "select"}
        before = _counted(statements, labels)
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.execute("select 2")
        assert _counted(statements, labels) == before + 2
    finally:
        connection.execute_wrappers.remove(statements.count)
        from django.db.backends.signals import connection_created

        connection_created.disconnect(dispatch_uid="shop.db.statement_metrics")


def _counted(statements, labels: dict[str, str]) -> float:
    """The counter alone: collecting the whole registry would read the stores (and count)."""
    for family in statements.STATEMENTS.collect():
        for sample in family.samples:
            if sample.name.endswith("_total") and sample.labels == labels:
                return sample.value
    return 0.0


def test_statement_kinds():
    from shop.platform.observability.statements import kind_of

    assert kind_of("  SELECT 1") == "select"
    assert kind_of('SAVEPOINT "s1"') == "savepoint"
    assert kind_of("WITH x AS (SELECT 1) SELECT * FROM x") == "with"
    assert kind_of("VACUUM") == "other"
    assert kind_of("") == "other"


def test_a_statement_runs_even_when_its_count_cannot_be_written(monkeypatch):
    """Multiprocess mode writes counts to files; a missing directory loses the count only."""
    from shop.platform.observability import statements

    class Unwritable:
        def inc(self):
            raise FileNotFoundError("no such directory")

    monkeypatch.setattr(statements, "_counter", lambda alias, kind: Unwritable())
    ran = []
    connection = type("Connection", (), {"alias": "ordering"})()
    result = statements.count(
        lambda *args: ran.append(args) or "rows",
        "SELECT 1",
        None,
        False,
        {"connection": connection},
    )
    assert (result, len(ran)) == ("rows", 1)
