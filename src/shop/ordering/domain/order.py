"""Order: what a customer asked for, at the prices of that moment, and where it stands.

    pending --> awaiting_payment --> confirmed
       \\               |               |
        +--------------+---------------+--> cancelled (with a reason)

Only the moves in TRANSITIONS exist; anything else raises IllegalTransition.
A confirmed order can be cancelled only by its customer (the payment is refunded).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from shop.kernel import CurrencyMismatch, Money

MAX_LINES = 50
MAX_QUANTITY = 1000


class OrderStatus(StrEnum):
    PENDING = "pending"
    AWAITING_PAYMENT = "awaiting_payment"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class CancellationReason(StrEnum):
    OUT_OF_STOCK = "out_of_stock"
    PAYMENT_DECLINED = "payment_declined"
    PAYMENT_TIMEOUT = "payment_timeout"
    CUSTOMER_CANCELLED = "customer_cancelled"


TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.AWAITING_PAYMENT, OrderStatus.CANCELLED}),
    OrderStatus.AWAITING_PAYMENT: frozenset({OrderStatus.CONFIRMED, OrderStatus.CANCELLED}),
    OrderStatus.CONFIRMED: frozenset({OrderStatus.CANCELLED}),
    OrderStatus.CANCELLED: frozenset(),
}


class OrderError(ValueError):
    """An order that the business rules do not allow."""


class IllegalTransition(OrderError):
    def __init__(self, order_id: UUID, current: OrderStatus, wanted: OrderStatus, why: str = ""):
        super().__init__(f"order {order_id} is {current}; it cannot become {wanted}{why}")
        self.current = current
        self.wanted = wanted


@dataclass(frozen=True)
class OrderLine:
    sku: str
    quantity: int
    unit_price: Money

    def __post_init__(self) -> None:
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int):
            raise OrderError(f"{self.sku}: quantity must be a whole number")
        if not 1 <= self.quantity <= MAX_QUANTITY:
            raise OrderError(f"{self.sku}: quantity must be from 1 to {MAX_QUANTITY}")
        if not self.unit_price.is_positive:
            raise OrderError(f"{self.sku}: unit price must be positive")

    @property
    def total(self) -> Money:
        return self.unit_price * self.quantity


@dataclass
class Order:
    customer_id: int
    lines: tuple[OrderLine, ...]
    placed_at: datetime
    id: UUID = field(default_factory=uuid4)
    status: OrderStatus = OrderStatus.PENDING
    cancellation_reason: CancellationReason | None = None

    @classmethod
    def place(cls, *, customer_id: int, lines: list[OrderLine], placed_at: datetime) -> Order:
        if not lines:
            raise OrderError("an order needs at least one line")
        if len(lines) > MAX_LINES:
            raise OrderError(f"an order has at most {MAX_LINES} lines")
        skus = [line.sku for line in lines]
        if len(set(skus)) != len(skus):
            raise OrderError("each sku may appear on one line only")
        order = cls(customer_id=customer_id, lines=tuple(lines), placed_at=placed_at)
        order.total  # noqa: B018 - raises CurrencyMismatch for mixed currencies
        return order

    @property
    def currency(self) -> str:
        return self.lines[0].unit_price.currency

    @property
    def total(self) -> Money:
        total = Money.zero(self.currency)
        for line in self.lines:
            try:
                total += line.total
            except CurrencyMismatch:
                raise OrderError("all lines of an order must be priced in one currency") from None
        return total

    def await_payment(self) -> None:
        self._move(OrderStatus.AWAITING_PAYMENT)

    def confirm(self) -> None:
        self._move(OrderStatus.CONFIRMED)

    def cancel(self, reason: CancellationReason) -> None:
        try:
            reason = CancellationReason(reason)
        except ValueError:
            raise OrderError(f"{reason!r} is not a reason to cancel an order") from None
        if (
            self.status is OrderStatus.CONFIRMED
            and reason is not CancellationReason.CUSTOMER_CANCELLED
        ):
            raise IllegalTransition(self.id, self.status, OrderStatus.CANCELLED, f" for {reason}")
        self._move(OrderStatus.CANCELLED)
        self.cancellation_reason = reason

    def can_become(self, status: OrderStatus) -> bool:
        return status in TRANSITIONS[self.status]

    def _move(self, wanted: OrderStatus) -> None:
        if not self.can_become(wanted):
            raise IllegalTransition(self.id, self.status, wanted)
        self.status = wanted
