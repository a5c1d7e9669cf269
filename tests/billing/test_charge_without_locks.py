"""Charging and closing an invoice call ordering and the provider before any row lock.

And, with the lock gone from around the calls, a cancellation racing a charge still ends
with the money given back exactly once, or never taken.
"""

from __future__ import annotations

import pytest
from django.db import connections

from shop.billing.application import charge_payment as charging
from shop.billing.application import close_invoice as closing
from shop.billing.application.charge_payment import (
    OrderNotKnownYet,
    ProviderDown,
    charge_payment,
)
from shop.billing.application.close_invoice import close_invoice
from shop.billing.application.issue_invoice import IssueInvoice, issue_invoice
from shop.billing.infrastructure import DATABASE, repository
from shop.billing.infrastructure.payments import provider
from shop.kernel import Money
from shop.ordering import api as ordering
from shop.platform.events import Unavailable, bus
from shop.platform.openhost import RemoteUnavailable

pytestmark = pytest.mark.django_db(databases=[DATABASE])


def summary(order_id, status="awaiting_payment"):
    return ordering.OrderSummary(order_id, 7, status, Money("9.00", "EUR"))


@pytest.fixture
def order(monkeypatch):
    """An order with an open invoice; ordering answers with its summary."""
    invoice = issue_invoice(
        IssueInvoice(
            order_id="order-1", customer_id=7, amount=Money("9.00", "EUR"), payment_token="tok_visa"
        )
    )
    monkeypatch.setattr(charging.ordering, "order_summary", summary)
    return invoice


def published(event_type):
    outbox = bus.store_of("billing").outbox.objects.using(DATABASE)
    return outbox.filter(event_type=event_type).count()


@pytest.fixture
def calls(monkeypatch):
    """Every call that leaves billing, and whether the invoice row was locked at the time."""
    seen, lock = [], {"depth": None}
    real_for_order = repository.for_order

    def depth():
        return len(connections[DATABASE].savepoint_ids)

    def for_order(order_id, *, for_update=False):
        if for_update:  # held until the block that took it ends
            lock["depth"] = depth()
        return real_for_order(order_id, for_update=for_update)

    def locked():
        return lock["depth"] is not None and depth() >= lock["depth"]

    monkeypatch.setattr(repository, "for_order", for_order)
    real_summary = charging.ordering.order_summary

    def watched(name, call):
        def run(*args, **kwargs):
            seen.append((name, locked()))
            return call(*args, **kwargs)

        return run

    monkeypatch.setattr(charging.ordering, "order_summary", watched("ordering", real_summary))
    fake = provider()
    for method in ("charge", "void", "refund"):
        monkeypatch.setattr(fake, method, watched(method, getattr(fake, method)))
    return seen


def test_a_charge_asks_ordering_and_the_provider_before_it_locks_the_invoice(order, calls):
    charge_payment("order-1")
    assert calls == [("ordering", False), ("charge", False)]
    assert repository.for_order("order-1").status.value == "paid"


def test_closing_calls_the_provider_before_it_locks_the_invoice(order, calls):
    charge_payment("order-1")
    calls.clear()
    close_invoice("order-1")
    assert calls == [("refund", False)]
    assert repository.for_order("order-1").status.value == "refunded"
    calls.clear()
    fresh = issue_invoice(
        IssueInvoice(order_id="order-2", customer_id=7, amount=Money("1.00", "EUR"))
    )
    close_invoice(fresh.order_id)
    assert calls == [("void", False)]


def test_an_order_ordering_does_not_know_is_retried_never_charged(order, monkeypatch):
    monkeypatch.setattr(charging.ordering, "order_summary", lambda order_id: None)
    with pytest.raises(OrderNotKnownYet):
        charge_payment("order-1")
    assert provider().find_charge(idempotency_key=str(order.id)) is None


def test_an_unreachable_ordering_is_retried_never_read_as_missing(order, monkeypatch):
    def unreachable(order_id):
        raise RemoteUnavailable("service 'shop' at http://127.0.0.1:9: connection refused")

    monkeypatch.setattr(charging.ordering, "order_summary", unreachable)
    with pytest.raises(Unavailable):
        charge_payment("order-1")
    assert provider().find_charge(idempotency_key=str(order.id)) is None
    assert repository.for_order("order-1").status.value == "open"


def test_a_cancellation_between_the_charge_and_its_record_refunds_it_once(order, monkeypatch):
    real_charge = provider().charge

    def charge_then_cancel(**kwargs):
        outcome = real_charge(**kwargs)
        close_invoice("order-1")  # OrderCancelled handled while the charge was in flight
        return outcome

    monkeypatch.setattr(provider(), "charge", charge_then_cancel)
    charge_payment("order-1")

    invoice = repository.for_order("order-1")
    assert invoice.status.value == "refunded"
    assert invoice.payment.provider_reference.startswith("ch_")
    assert (published("billing.PaymentRefunded"), published("billing.PaymentCaptured")) == (1, 0)


def test_a_cancellation_before_the_charge_means_no_money_is_taken(order, monkeypatch):
    real_charge = provider().charge

    def cancel_then_charge(**kwargs):
        close_invoice("order-1")  # OrderCancelled handled just before the provider call
        return real_charge(**kwargs)

    monkeypatch.setattr(provider(), "charge", cancel_then_charge)
    charge_payment("order-1")

    assert repository.for_order("order-1").status.value == "void"
    assert not provider().find_charge(idempotency_key=str(order.id)).approved
    assert published("billing.PaymentFailed") == published("billing.PaymentCaptured") == 0


def test_a_provider_that_is_down_is_retried(order, settings):
    settings.SHOP_FAKE_PAYMENTS = {**settings.SHOP_FAKE_PAYMENTS, "available": False}
    with pytest.raises(ProviderDown):
        charge_payment("order-1")
    with pytest.raises(ProviderDown):
        closing.close_invoice("order-1")
    assert repository.for_order("order-1").status.value == "open"


def test_paid_after_the_provider_said_nothing_was_taken_is_retried_then_refunded(
    order, monkeypatch
):
    def void_that_misses_a_charge(*, idempotency_key):
        charge_payment("order-1")  # another process charges and records it meanwhile
        return None  # a provider that did not see it yet

    monkeypatch.setattr(provider(), "void", void_that_misses_a_charge)
    with pytest.raises(closing.InvoicePaidMeanwhile):
        close_invoice("order-1")
    assert repository.for_order("order-1").status.value == "paid"
    close_invoice("order-1")  # the retry
    assert repository.for_order("order-1").status.value == "refunded"
    assert published("billing.PaymentRefunded") == 1


def test_the_fake_provider_referees_a_charge_and_a_void_across_processes(order, settings):
    import os
    import subprocess
    import sys
    from pathlib import Path

    key = str(order.id)
    charge_elsewhere = (
        "from decimal import Decimal\n"
        "from shop.billing.infrastructure.payments import provider\n"
        "from shop.kernel import Money\n"
        f"print(provider().charge(token='tok_visa', amount=Money(Decimal('9.00'), 'EUR'), idempotency_key='{key}').approved)"
    )
    env = {**os.environ, "SHOP_DEBUG": "1", "SHOP_DATA_DIR": str(settings.SHOP_DATA_DIR)}
    env.pop("SHOP_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", charge_elsewhere],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip().splitlines()[-1] == "True", done.stderr
    voided = provider().void(idempotency_key=key)  # this process never saw that charge
    assert voided is not None and voided.approved
