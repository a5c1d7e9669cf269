"""The admin as an operator reads it: what matters first, money as money, time to the second."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from shop.billing.infrastructure.models import InvoiceRecord, PaymentRecord
from shop.catalog import api as catalog
from shop.ordering.infrastructure.models import OrderLineRecord, OrderRecord
from shop.platform.events import bus
from shop.platform.events.models import InboxStatus

pytestmark = pytest.mark.django_db(databases="__all__")

MOMENT = datetime(2026, 11, 23, 17, 50, 56, 404740, tzinfo=UTC)


@pytest.fixture
def staff(client):
    client.force_login(get_user_model().objects.create_superuser("root", password=None))
    return client


def columns(page) -> list[str]:
    """The changelist's column names, left to right (the action checkbox aside)."""
    header = page.content.decode().split("<thead>", 1)[1].split("</thead>", 1)[0]
    return [name for name in re.findall(r'class="[^"]*column-([\w]+)', header)]


def inbox_row(context: str = "billing") -> None:
    store = bus.store_of(context)
    store.inbox.objects.using(store.alias).create(
        event_id=uuid.uuid4(),
        handler=f"{context}.when_inventory_stock_reserved_charge_payment",
        event_type="inventory.StockReserved",
        source="inventory",
        subject="order-1",
        sequence=1,
        envelope={},
        status=InboxStatus.DEAD,
        attempts=12,
        next_attempt_at=MOMENT,
        received_at=MOMENT,
        last_error="parked dead, the unavailable budget ran out " + "x" * 300,
    )


def test_the_inbox_list_shows_status_attempts_next_attempt_and_last_error_first(staff):
    inbox_row()

    page = staff.get("/admin/billing/inboxmessage/")

    assert page.status_code == 200
    assert columns(page)[:4] == ["status", "attempts", "next_attempt_at", "last_error"]
    html = page.content.decode()
    assert "2026-11-23 17:50:56 UTC" in html  # to the second, with the zone
    assert "parked dead, the unavailable budget ran out xxx" in html
    assert "x" * 200 not in html  # the list shows the start; the row's page all of it


def test_an_inbox_rows_page_shows_its_timestamps_to_the_second(staff):
    inbox_row()
    store = bus.store_of("billing")
    row = store.inbox.objects.using(store.alias).get()

    page = staff.get(f"/admin/billing/inboxmessage/{row.pk}/change/")

    assert page.status_code == 200
    assert "2026-11-23 17:50:56 UTC" in page.content.decode()
    assert "x" * 300 in page.content.decode()


def test_the_outbox_list_shows_dispatch_attempts_and_last_error_first(staff):
    store = bus.store_of("catalog")
    store.outbox.objects.using(store.alias).create(
        id=uuid.uuid4(),
        event_type="catalog.ProductAdded",
        version=1,
        subject="MUG-CLASSIC",
        sequence=1,
        envelope={},
        created_at=MOMENT,
        attempts=3,
        last_error="ConnectionError: broker down",
    )

    page = staff.get("/admin/catalog/outboxmessage/")

    assert page.status_code == 200
    assert columns(page)[:3] == ["dispatched_at", "attempts", "last_error"]
    assert "2026-11-23 17:50:56 UTC" in page.content.decode()


def test_prices_totals_and_amounts_are_shown_as_money(staff):
    catalog.add_product(
        sku="MUG-CLASSIC", name="Mug", description="", price=Decimal("12.50"), currency="EUR"
    )
    order = OrderRecord.objects.using("ordering").create(
        customer_id=1,
        status="confirmed",
        currency="EUR",
        total_minor=3620,
        payment_token="tok_visa",  # noqa: S106 - a fake provider token
        placed_at=MOMENT,
    )
    OrderLineRecord.objects.using("ordering").create(
        order=order, position=1, sku="MUG-CLASSIC", quantity=2, unit_price_minor=1250
    )
    invoice = InvoiceRecord.objects.using("billing").create(
        order_id=str(order.id),
        customer_id=1,
        amount_minor=3620,
        currency="EUR",
        status="paid",
        issued_at=MOMENT,
    )
    PaymentRecord.objects.using("billing").create(
        invoice=invoice,
        amount_minor=3620,
        currency="EUR",
        provider_reference="ch_1",
        status="captured",
        captured_at=MOMENT,
    )

    products = staff.get("/admin/catalog/productrecord/").content.decode()
    assert "12.50 EUR" in products and "1250" not in products
    orders = staff.get("/admin/ordering/orderrecord/").content.decode()
    assert "36.20 EUR" in orders and "3620" not in orders
    assert "2026-11-23 17:50:56 UTC" in orders
    order_page = staff.get(f"/admin/ordering/orderrecord/{order.pk}/change/").content.decode()
    assert "36.20 EUR" in order_page and "12.50 EUR" in order_page
    assert "3620" not in order_page and "1250" not in order_page
    invoices = staff.get("/admin/billing/invoicerecord/").content.decode()
    assert "36.20 EUR" in invoices and "3620" not in invoices
    invoice_page = staff.get(f"/admin/billing/invoicerecord/{invoice.pk}/change/").content.decode()
    assert "36.20 EUR" in invoice_page and "3620" not in invoice_page
    payments = staff.get("/admin/billing/paymentrecord/").content.decode()
    assert "36.20 EUR" in payments and "3620" not in payments
