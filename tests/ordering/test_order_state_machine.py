"""The order state machine never takes an illegal step, whatever the saga asks of it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from shop.kernel import Money
from shop.ordering.domain.order import (
    TRANSITIONS,
    CancellationReason,
    IllegalTransition,
    Order,
    OrderError,
    OrderLine,
    OrderStatus,
)

PLACED_AT = datetime(2026, 1, 1, tzinfo=UTC)


def new_order() -> Order:
    line = OrderLine(sku="MUG-1", quantity=2, unit_price=Money("4.50", "EUR"))
    return Order.place(customer_id=7, lines=[line], placed_at=PLACED_AT)


class OrderLifecycle(RuleBasedStateMachine):
    """Random walks of await_payment / confirm / cancel over one order."""

    @initialize()
    def place(self) -> None:
        self.order = new_order()
        self.history: list[tuple[OrderStatus, CancellationReason | None]] = [
            (self.order.status, self.order.cancellation_reason)
        ]

    def _step(self, wanted: OrderStatus, move, *, allowed: bool = True) -> bool:
        """Legal per TRANSITIONS: the move happens. Otherwise it raises and nothing changes."""
        before = (self.order.status, self.order.cancellation_reason)
        if wanted in TRANSITIONS[before[0]] and allowed:
            move()
            assert self.order.status is wanted
            self.history.append((self.order.status, self.order.cancellation_reason))
            return True
        with pytest.raises(IllegalTransition):
            move()
        assert (self.order.status, self.order.cancellation_reason) == before
        return False

    @rule()
    def await_payment(self) -> None:
        self._step(OrderStatus.AWAITING_PAYMENT, self.order.await_payment)

    @rule()
    def confirm(self) -> None:
        self._step(OrderStatus.CONFIRMED, self.order.confirm)

    @rule(reason=st.sampled_from(CancellationReason))
    def cancel(self, reason: CancellationReason) -> None:
        only_customer = self.order.status is OrderStatus.CONFIRMED
        if self._step(
            OrderStatus.CANCELLED,
            lambda: self.order.cancel(reason),
            allowed=not only_customer or reason is CancellationReason.CUSTOMER_CANCELLED,
        ):
            assert self.order.cancellation_reason is reason

    @rule(reason=st.sampled_from([None, "", "changed_my_mind", 3]))
    def cancel_without_a_reason(self, reason: object) -> None:
        before = (self.order.status, self.order.cancellation_reason)
        with pytest.raises(OrderError):
            self.order.cancel(reason)  # type: ignore[arg-type]
        assert (self.order.status, self.order.cancellation_reason) == before

    @invariant()
    def a_cancelled_order_has_a_reason_and_is_terminal(self) -> None:
        if self.order.status is OrderStatus.CANCELLED:
            assert isinstance(self.order.cancellation_reason, CancellationReason)
            assert not any(self.order.can_become(status) for status in OrderStatus)

    @invariant()
    def an_order_that_is_not_cancelled_has_no_reason(self) -> None:
        if self.order.status is not OrderStatus.CANCELLED:
            assert self.order.cancellation_reason is None

    @invariant()
    def confirmed_is_reached_only_via_awaiting_payment(self) -> None:
        statuses = [status for status, _ in self.history]
        for previous, current in zip(statuses, statuses[1:], strict=False):
            if current is OrderStatus.CONFIRMED:
                assert previous is OrderStatus.AWAITING_PAYMENT

    @invariant()
    def a_confirmed_order_is_cancelled_only_by_its_customer(self) -> None:
        for (previous, _), (current, reason) in zip(self.history, self.history[1:], strict=False):
            if previous is OrderStatus.CONFIRMED and current is OrderStatus.CANCELLED:
                assert reason is CancellationReason.CUSTOMER_CANCELLED

    @invariant()
    def lines_and_total_never_change(self) -> None:
        assert self.order.total == Money("9.00", "EUR")


TestOrderLifecycle = OrderLifecycle.TestCase


def test_the_transition_table_is_the_documented_one():
    assert TRANSITIONS == {
        OrderStatus.PENDING: {OrderStatus.AWAITING_PAYMENT, OrderStatus.CANCELLED},
        OrderStatus.AWAITING_PAYMENT: {OrderStatus.CONFIRMED, OrderStatus.CANCELLED},
        OrderStatus.CONFIRMED: {OrderStatus.CANCELLED},
        OrderStatus.CANCELLED: set(),
    }


def test_a_pending_order_cannot_be_confirmed_before_payment_is_awaited():
    order = new_order()
    with pytest.raises(IllegalTransition):
        order.confirm()
    assert order.status is OrderStatus.PENDING


def test_a_confirmed_order_refuses_a_cancellation_for_a_declined_payment():
    order = new_order()
    order.await_payment()
    order.confirm()
    with pytest.raises(IllegalTransition):
        order.cancel(CancellationReason.PAYMENT_DECLINED)
    assert order.status is OrderStatus.CONFIRMED
    assert order.cancellation_reason is None


def test_a_confirmed_order_can_be_cancelled_by_its_customer():
    order = new_order()
    order.await_payment()
    order.confirm()
    order.cancel(CancellationReason.CUSTOMER_CANCELLED)
    assert order.status is OrderStatus.CANCELLED
    assert order.cancellation_reason is CancellationReason.CUSTOMER_CANCELLED


def test_a_cancellation_reason_given_as_its_wire_value_is_understood():
    order = new_order()
    order.await_payment()
    order.confirm()
    order.cancel("customer_cancelled")  # type: ignore[arg-type]
    assert order.cancellation_reason is CancellationReason.CUSTOMER_CANCELLED


def test_a_cancelled_order_cannot_be_cancelled_again():
    order = new_order()
    order.cancel(CancellationReason.OUT_OF_STOCK)
    with pytest.raises(IllegalTransition):
        order.cancel(CancellationReason.CUSTOMER_CANCELLED)
    assert order.cancellation_reason is CancellationReason.OUT_OF_STOCK
