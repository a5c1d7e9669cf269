"""Hold stock for a placed order: every line or none."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from shop.inventory.domain.reservation import Reservation, ReservationLine, ReservationRefused
from shop.inventory.events import StockReservationFailed, StockReserved
from shop.inventory.infrastructure import DATABASE, repository
from shop.platform.events import publish


@dataclass(frozen=True, kw_only=True)
class ReserveStock:
    order_id: str
    lines: list[tuple[str, int]]  # (sku, quantity)


def reserve_stock(command: ReserveStock) -> Reservation:
    lines = [ReservationLine(sku, quantity) for sku, quantity in command.lines]
    with transaction.atomic(using=DATABASE):
        existing = repository.reservation(command.order_id, for_update=True)
        if existing is not None:
            return existing  # decided before: a redelivery changes nothing
        stock = repository.lock_many([line.sku for line in lines])
        try:
            reservation = Reservation.hold(command.order_id, lines, stock)
        except ReservationRefused as refused:
            reservation = Reservation.refused(command.order_id, lines)
            repository.add_reservation(reservation)
            publish(
                StockReservationFailed(
                    order_id=command.order_id, reason="out_of_stock", skus=refused.skus
                )
            )
            return reservation
        repository.save_many(list(stock.values()))
        repository.add_reservation(reservation)
        publish(
            StockReserved(
                order_id=command.order_id,
                lines=tuple((line.sku, line.quantity) for line in lines),
            )
        )
    return reservation
