"""The operator console in Chromium, over a real saga: sign in as staff, follow an order on
its timeline, retry its dead charge from the page and watch the order move on."""

from __future__ import annotations

import pytest

from shop.platform.events import bus
from shop.platform.events.models import InboxStatus

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

CHARGE = "billing.when_inventory_stock_reserved_charge_payment"
DOWN = {"latency_seconds": 0, "available": False}
UP = {"latency_seconds": 0, "available": True}


def rows_of(order_id: str) -> list:
    """Every hosted inbox row about the order (each store read on its own)."""
    return [
        row
        for store in bus.hosted_stores()
        for row in store.inbox.objects.using(store.alias).filter(subject=order_id)
    ]


def settled(shop, order_id: str, status: str):
    def check():
        assert shop.order(order_id)["status"] == status
        assert rows_of(order_id) and all(r.status == InboxStatus.DONE for r in rows_of(order_id))

    return check


def test_a_declined_order_s_timeline_shows_its_events_and_every_handler_done(
    shop, page, eventually, tmp_path
):
    sku = shop.stocked(on_hand=4)
    order_id = shop.place(sku, 2, token="tok_declined")  # noqa: S106 - a fake provider token
    eventually(settled(shop, order_id, "cancelled"))

    sign_in(page, shop, shop.staff_username)
    page.fill("#console-q", order_id)  # the admin index's search box
    page.click("#console input[type=submit]")

    assert page.url.endswith(f"/admin/console/timeline/{order_id}/")
    types = page.locator("article.event").evaluate_all(
        "events => events.map(e => e.dataset.eventType)"
    )
    for event_type in (
        "ordering.OrderPlaced",
        "inventory.StockReserved",
        "billing.PaymentFailed",
        "ordering.OrderCancelled",
    ):
        assert event_type in types
    assert types.index("ordering.OrderPlaced") < types.index("billing.PaymentFailed")
    assert types.index("billing.PaymentFailed") < types.index("ordering.OrderCancelled")
    statuses = page.locator("tr.handler").evaluate_all(
        "rows => rows.map(r => [r.dataset.handler, r.dataset.status])"
    )
    assert ["ordering.when_billing_payment_failed_cancel_order", "done"] in statuses
    assert ["inventory.when_billing_payment_failed_release_stock", "done"] in statuses
    assert {status for _, status in statuses} == {"done"}
    assert page.locator("#nothing-waits").is_visible()
    page.screenshot(path=tmp_path / "timeline-declined.png", full_page=True)
    assert (tmp_path / "timeline-declined.png").stat().st_size > 0


def test_a_dead_charge_retried_from_the_timeline_confirms_the_order(
    shop, page, eventually, settings, tmp_path
):
    sku = shop.stocked(on_hand=4)
    settings.SHOP_FAKE_PAYMENTS = DOWN
    # No unavailable budget: the first failure parks the charge dead.
    settings.SHOP_EVENTS = {**settings.SHOP_EVENTS, "unavailable_seconds": 0}
    order_id = shop.place(sku, 1, token="tok_visa")  # noqa: S106 - a fake provider token

    def charge_dead():
        store = bus.store_of("billing")
        row = store.inbox.objects.using(store.alias).filter(handler=CHARGE, subject=order_id)
        assert [r.status for r in row] == [InboxStatus.DEAD]
        assert shop.order(order_id)["status"] == "awaiting_payment"

    eventually(charge_dead)
    settings.SHOP_FAKE_PAYMENTS = UP  # the provider is back

    sign_in(page, shop, shop.staff_username)
    page.goto(f"{shop.url}/admin/ordering/orderrecord/{order_id}/change/")
    page.click("text=events and handlers of this order")  # the order page's timeline link
    waiting = page.locator("#waiting")
    assert "the order is awaiting payment" in waiting.inner_text()
    assert f"an operator: {CHARGE} is dead" in waiting.inner_text()
    charge = page.locator(f'tr.handler[data-handler="{CHARGE}"]')
    assert charge.get_attribute("data-status") == "dead"
    assert "the payment provider is unavailable" in charge.inner_text()
    page.screenshot(path=tmp_path / "timeline-dead.png", full_page=True)

    charge.locator("a.retry").click()  # to the confirmation page
    page.click("#retry-form input[type=submit]")  # not confirmed: the browser keeps the form
    assert page.locator("#retry-form").is_visible()
    page.check("#id_confirm")
    page.click("#retry-form input[type=submit]")

    assert f"/admin/console/timeline/{order_id}/" in page.url
    assert f"Retried: {CHARGE}" in page.locator(".messagelist").inner_text()
    eventually(settled(shop, order_id, "confirmed"))
    page.reload()
    charge = page.locator(f'tr.handler[data-handler="{CHARGE}"]')
    assert charge.get_attribute("data-status") == "done"
    assert "ordering.OrderConfirmed" in page.locator("article.event").evaluate_all(
        "events => events.map(e => e.dataset.eventType)"
    )
    assert page.locator("#nothing-waits").is_visible()
    page.screenshot(path=tmp_path / "timeline-retried.png", full_page=True)


def test_a_customer_cannot_sign_in_and_a_malformed_id_gets_a_clear_message(shop, page):
    sign_in(page, shop, "alice")  # not staff
    assert "Please enter the correct username and password for a staff account" in (
        page.locator(".errornote").inner_text()
    )
    page.goto(f"{shop.url}/admin/console/events/")
    assert "/admin/login/" in page.url

    sign_in(page, shop, shop.staff_username)
    answer = page.goto(f"{shop.url}/admin/console/timeline/not%20an%20order/")

    assert answer.status == 400
    assert "'not an order' is not an aggregate id" in page.locator("#console-message").inner_text()
    answer = page.goto(f"{shop.url}/admin/console/?q=%3Cscript%3E")
    assert answer.status == 400
    assert "is not an order id, event id or correlation id" in (
        page.locator("#search-error").inner_text()
    )
