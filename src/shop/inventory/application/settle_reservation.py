"""Settle an order's reservation: commit it when the order is confirmed, release it when not."""

from __future__ import annotations

from django.db import transaction

from shop.inventory.domain.reservation import Reservation, ReservationStatus
from shop.inventory.events import StockCommitted, StockReleased
from shop.inventory.infrastructure import DATABASE, repository
from shop.platform.events import RetryLater, publish


class ReservationNotYetMade(RetryLater):
    """The order's reservation is not decided yet; the inbox retries later."""


def commit_reservation(order_id: str) -> None:
    with transaction.atomic(using=DATABASE):
        reservation = _locked(order_id)
        if reservation.status is not ReservationStatus.HELD:
            return  # committed already (a redelivery), or released / refused
        stock = repository.lock_many([line.sku for line in reservation.lines])
        reservation.commit(stock)
        _save(reservation, stock)
        publish(StockCommitted(order_id=order_id))


def release_reservation(order_id: str) -> None:
    with transaction.atomic(using=DATABASE):
        reservation = _locked(order_id)
        if reservation.status not in (ReservationStatus.HELD, ReservationStatus.COMMITTED):
            return  # released or returned already, or nothing was ever held
        stock = repository.lock_many([line.sku for line in reservation.lines])
        if reservation.status is ReservationStatus.HELD:
            reservation.release(stock)
        else:
            reservation.take_back(stock)
        _save(reservation, stock)
        publish(StockReleased(order_id=order_id))


def _locked(order_id: str) -> Reservation:
    reservation = repository.reservation(order_id, for_update=True)
    if reservation is None:
        raise ReservationNotYetMade(f"no reservation for order {order_id} yet")
    return reservation


def _save(reservation: Reservation, stock: dict) -> None:
    repository.save_many(list(stock.values()))
    repository.save_reservation_status(reservation)
