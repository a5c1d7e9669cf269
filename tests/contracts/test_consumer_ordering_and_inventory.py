"""Ordering and inventory as consumers of billing's events.

Ordering confirms an order on PaymentCaptured and cancels it on PaymentFailed; inventory
releases the stock held for it on PaymentFailed (it has no handler for PaymentCaptured:
the stock is committed on ordering's OrderConfirmed). Writes
contracts/pacts/ordering-billing.json and inventory-billing.json when every test here
passes (`make pacts`, docs/contracts.md).
"""

from __future__ import annotations

import pytest
from pact import match
from tests.contracts import envelopes, pacts
from tests.contracts.envelopes import CURRENCY

from shop.billing.events import PaymentCaptured, PaymentFailed

ORDER_ID = "3d6f0b6e-8a43-4d7e-9c2b-5f0e1a2b3c4d"
INVOICE_ID = "c4b3a291-0f1e-4d2c-8b3a-49586f7e6d5c"

PAYMENT_CAPTURED = {
    "invoice_id": match.uuid(INVOICE_ID),
    "order_id": match.uuid(ORDER_ID),
    "amount": match.str("6.20"),
    "currency": match.regex("EUR", regex=CURRENCY),
}
PAYMENT_FAILED = {
    "invoice_id": match.uuid(INVOICE_ID),
    "order_id": match.uuid(ORDER_ID),
    "reason": match.str("card_declined"),
}

# (consumer, event, what the consumer expects of its data, the handlers it runs)
CONSUMED = [
    (
        "ordering",
        PaymentCaptured,
        PAYMENT_CAPTURED,
        ["ordering.when_billing_payment_captured_confirm_order"],
    ),
    (
        "ordering",
        PaymentFailed,
        PAYMENT_FAILED,
        ["ordering.when_billing_payment_failed_cancel_order"],
    ),
    (
        "inventory",
        PaymentFailed,
        PAYMENT_FAILED,
        ["inventory.when_billing_payment_failed_release_stock"],
    ),
]


def event_pact(consumer: str, event_class: type, data: dict):
    pact = pacts.new(consumer, "billing")
    envelopes.expect(pact, event_class, data, subject=ORDER_ID)
    return pact


def pacts_of(consumer: str) -> list:
    return [event_pact(c, cls, data) for c, cls, data, _ in CONSUMED if c == consumer]


@pytest.fixture(scope="module", autouse=True)
def pact_files(request):
    yield from pacts.written_when_passed(
        request, lambda: pacts_of("ordering"), lambda: pacts_of("inventory")
    )


@pytest.mark.parametrize(
    ("consumer", "event_class", "data", "handlers"),
    CONSUMED,
    ids=[f"{consumer}-{cls.event_type}" for consumer, cls, _, _ in CONSUMED],
)
def test_each_consumer_decodes_the_billing_events_it_handles(consumer, event_class, data, handlers):
    got = envelopes.deliver(event_pact(consumer, event_class, data), consumer)

    assert len(got) == 2  # the open and the closed expectation
    for event, handled_by in got:
        assert type(event) is event_class
        assert handled_by == handlers
