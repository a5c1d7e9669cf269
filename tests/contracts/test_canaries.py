"""Canaries: a producer that renames, retypes, drops or adds a field of a DTO or an event
fails its provider verification, and the failure names the field.

Each verifies the committed pacts against the producer's real code with one class
swapped for an altered copy (variants.py), never an edited source file.
"""

from __future__ import annotations

import pytest
from tests.contracts import envelopes, pacts, producers, variants
from tests.contracts.variants import add, drop, rename, retype

from shop.ordering import api as ordering_api


@pytest.mark.django_db(transaction=True, databases="__all__")
@pytest.mark.parametrize(
    ("change", "named"),
    [
        (rename("customer_id", "customer"), "missing the following keys: customer_id"),
        (
            retype("customer_id", str),
            "$.result.customer_id: Expected '7' (String) to be an integer",
        ),
        (drop("status"), "missing the following keys: status"),
        (
            add("placed_at", "2026-12-01T09:30:00+00:00"),
            "$.result.placed_at: Expected 'placed_at' to match",
        ),
    ],
    ids=lambda value: str(value) if isinstance(value, variants.Change) else "",
)
def test_ordering_changing_order_summary_fails_billings_pact(
    change, named, monkeypatch, internal_endpoint
):
    # The endpoint reads order_summary's hints once: with the real class, as in production.
    assert ordering_api.order_summary.exposed.hints
    # order_summary builds its answer with the class it finds in its module: the altered one.
    monkeypatch.setattr(
        ordering_api, "OrderSummary", variants.stand_in(ordering_api.OrderSummary, change)
    )
    verifier = pacts.verifier(
        "ordering", url=internal_endpoint, states=producers.ORDERING_STATES, only="^order_summary"
    )
    failed = pacts.failures(verifier)
    assert any(named in line for line in failed), failed


EVENT_CHANGES = [
    (
        "ordering.OrderPlaced",
        rename("payment_token", "token"),
        "missing the following keys: payment_token",
    ),
    (
        "ordering.OrderPlaced",
        retype("customer_id", str),
        "$.data.customer_id: Expected '42' (String) to be an integer",
    ),
    (
        "ordering.OrderCancelled",
        add("refunded", True),
        "$.data.refunded: Expected 'refunded' to match",
    ),
    ("inventory.StockReserved", rename("lines", "items"), "missing the following keys: lines"),
    (
        "billing.PaymentCaptured",
        retype("amount", float),
        "$.data.amount: Expected 10.2 (Decimal) to be the same type as '6.20' (String)",
    ),
    (
        "billing.PaymentFailed",
        rename("reason", "decline_reason"),
        "missing the following keys: reason",
    ),
    ("billing.PaymentFailed", drop("invoice_id"), "missing the following keys: invoice_id"),
]


@pytest.mark.django_db(databases="__all__")
@pytest.mark.parametrize(
    ("event_type", "change", "named"),
    EVENT_CHANGES,
    ids=[f"{event_type}-{change}" for event_type, change, _ in EVENT_CHANGES],
)
def test_a_producer_changing_an_event_fails_its_consumers_pact(event_type, change, named):
    producer = event_type.partition(".")[0]
    [event] = [e for e in producers.EVENTS[producer]() if e.event_type == event_type]
    messages = envelopes.messages(variants.altered(event, change))
    verifier = pacts.verifier(producer, messages=messages, only=f"^{event_type} ")
    failed = pacts.failures(verifier)
    assert any(named in line for line in failed), failed
