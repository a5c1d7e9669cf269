"""Billing as a consumer: what it asks of ordering over HTTP, and the events it handles.

Writes contracts/pacts/billing-ordering.json and billing-inventory.json when every test
here passes (`make pacts`, docs/contracts.md).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from pact import match
from tests.contracts import envelopes, pacts
from tests.contracts.envelopes import CURRENCY, JSON, closed

from shop.inventory.events import StockReserved
from shop.kernel import Money
from shop.ordering import api as ordering
from shop.ordering.events import OrderCancelled, OrderPlaced
from shop.platform.topology import IDENTITY, Service, Topology

AWAITING = "3d6f0b6e-8a43-4d7e-9c2b-5f0e1a2b3c4d"
CANCELLED = "7a1e2c3d-4b5f-4a6e-8d7c-9b0a1f2e3d4c"
UNKNOWN = "00000000-0000-4000-8000-000000000000"
ANOTHER = "5e4d3c2b-1a09-4f8e-b7d6-c5b4a3928170"
SUMMARY_PATH = "/_internal/ordering/order_summary"
SIGNATURE = r"^t=[0-9]{1,12},s=[0-9a-f]{64}$"
SIGNATURE_EXAMPLE = "t=1767225600,s=" + "0" * 64


def summary_like(order_id: str, status: object) -> dict:
    """An OrderSummary as openhost's codec encodes it: every field, with its type."""
    return {
        "order_id": match.uuid(order_id),
        "customer_id": match.int(7),
        "status": status,
        "total": {"amount": match.str("6.20"), "currency": match.regex("EUR", regex=CURRENCY)},
    }


def closed_summary(order_id: str) -> dict:
    """...and no other field: billing's codec rebuilds exactly this dataclass and refuses
    a field it does not know (envelopes.closed)."""
    summary = summary_like(order_id, match.str("awaiting_payment"))
    return closed({**summary, "total": closed(summary["total"])})


def asks_for_summary(pact, description: str, order_id: str):
    """Billing's call of order_summary(order_id) as its openhost client sends it."""
    return (
        pact.upon_receiving(description)
        .with_request("POST", SUMMARY_PATH)
        .with_header("X-Shop-Signature", match.regex(SIGNATURE_EXAMPLE, regex=SIGNATURE))
        .with_body({"arguments": {"order_id": order_id}}, content_type=JSON)
    )


def order_summary_pact():
    pact = pacts.new("billing", "ordering")
    order = {"customer_id": 7, "total": "6.20", "currency": "EUR"}
    (
        asks_for_summary(pact, "order_summary of an order awaiting payment", AWAITING)
        .given("an order awaiting payment", order_id=AWAITING, **order)
        .will_respond_with(200)
        .with_body(
            {"result": summary_like(AWAITING, match.str("awaiting_payment"))},
            content_type=JSON,
        )
    )
    # charge_payment takes no money for an order whose status is exactly "cancelled".
    (
        asks_for_summary(pact, "order_summary of a cancelled order", CANCELLED)
        .given("a cancelled order", order_id=CANCELLED, **order)
        .will_respond_with(200)
        .with_body({"result": summary_like(CANCELLED, "cancelled")}, content_type=JSON)
    )
    (
        asks_for_summary(pact, "order_summary answers no field billing does not know", ANOTHER)
        .given("an order awaiting payment", order_id=ANOTHER, **order)
        .will_respond_with(200)
        .with_body({"result": closed_summary(ANOTHER)}, content_type=JSON)
    )
    # None travels as a null result: billing reads it as "ordering does not know it".
    (
        asks_for_summary(pact, "order_summary of an order that does not exist", UNKNOWN)
        .given("no order has the id", order_id=UNKNOWN)
        .will_respond_with(200)
        .with_body({"result": None}, content_type=JSON)
    )
    return pact


ORDERING_EVENTS = [
    (
        OrderPlaced,
        {
            "order_id": match.uuid(AWAITING),
            "customer_id": match.int(7),
            "lines": match.each_like([match.str("MUG-1"), match.int(2), match.str("3.10")], min=1),
            "total": match.str("6.20"),
            "currency": match.regex("EUR", regex=CURRENCY),
            "payment_token": match.str("tok_visa"),
        },
        ["billing.when_ordering_order_placed_issue_invoice"],
    ),
    (
        OrderCancelled,
        {"order_id": match.uuid(AWAITING), "reason": match.str("customer_cancelled")},
        ["billing.when_ordering_order_cancelled_close_invoice"],
    ),
]
INVENTORY_EVENTS = [
    (
        StockReserved,
        {
            "order_id": match.uuid(AWAITING),
            "lines": match.each_like([match.str("MUG-1"), match.int(2)], min=1),
        },
        ["billing.when_inventory_stock_reserved_charge_payment"],
    ),
]


def event_pact(provider: str, event_class: type, data: dict):
    pact = pacts.new("billing", provider)
    envelopes.expect(pact, event_class, data, subject=AWAITING)
    return pact


def events_pacts(provider: str, events: list) -> list:
    return [event_pact(provider, cls, data) for cls, data, _ in events]


@pytest.fixture(scope="module", autouse=True)
def pact_files(request):
    yield from pacts.written_when_passed(
        request,
        lambda: [order_summary_pact(), *events_pacts("ordering", ORDERING_EVENTS)],
        lambda: events_pacts("inventory", INVENTORY_EVENTS),
    )


def billing_with_ordering_at(url: str) -> Topology:
    """The split as billing's service sees it: ordering is the other service's, at `url`."""
    return Topology(
        services=(
            Service("billing", ("billing",), "http://127.0.0.1:9"),
            Service("shop", (IDENTITY, "catalog", "inventory", "ordering"), url),
        ),
        this="billing",
    )


def test_billing_reads_order_summaries_through_its_openhost_client(settings):
    pact = order_summary_pact()
    with pact.serve(addr="127.0.0.1") as ordering_service:
        settings.SHOP_TOPOLOGY = billing_with_ordering_at(str(ordering_service.url))

        # What charge_payment calls: shop.ordering.api, which goes over HTTP from here.
        awaiting = ordering.order_summary(AWAITING)
        another = ordering.order_summary(ANOTHER)
        cancelled = ordering.order_summary(CANCELLED)
        unknown = ordering.order_summary(UNKNOWN)

    assert awaiting == ordering.OrderSummary(
        order_id=AWAITING,
        customer_id=7,
        status="awaiting_payment",
        total=Money(Decimal("6.20"), "EUR"),
    )
    assert another.order_id == ANOTHER
    assert cancelled.status == "cancelled"
    assert unknown is None


@pytest.mark.parametrize(
    ("provider", "event_class", "data", "handlers"),
    [("ordering", *event) for event in ORDERING_EVENTS]
    + [("inventory", *event) for event in INVENTORY_EVENTS],
    ids=[cls.event_type for cls, _, _ in ORDERING_EVENTS + INVENTORY_EVENTS],
)
def test_billing_decodes_each_event_it_handles(provider, event_class, data, handlers):
    got = envelopes.deliver(event_pact(provider, event_class, data), "billing")

    assert len(got) == 2  # the open and the closed expectation
    for event, handled_by in got:
        assert type(event) is event_class
        assert handled_by == handlers
