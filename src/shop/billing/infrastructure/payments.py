"""Adapters from billing's payment port to concrete providers.

FakeProvider stands in for a card processor in development and tests: `tok_visa`
is approved, `tok_declined` (and any unknown token) is declined, and settings
can make it slow or unavailable (SHOP_FAKE_PAYMENTS).

Like a real provider it keeps one ledger for every caller: a small SQLite file in
SHOP_DATA_DIR (`fake-payments.sqlite3`, outside billing's store, so a rolled-back handler
cannot make it forget a charge), shared by every web and worker process on the host. So it
referees a charge and a void of the same key atomically across processes (ADR 0020).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import time
from pathlib import Path

from django.conf import settings

from shop.billing.domain.payments import VOIDED, Charge, PaymentProvider, ProviderUnavailable
from shop.kernel import Money

APPROVED_TOKENS = {"tok_visa", "tok_mastercard"}

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS charges (key TEXT PRIMARY KEY, approved INTEGER NOT NULL,"
    " reference TEXT NOT NULL, decline_reason TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS refunds (key TEXT PRIMARY KEY)",
)


class FakeProvider:
    def __init__(self) -> None:
        self._local = threading.local()

    def _ledger(self) -> sqlite3.Connection:
        """This thread's connection to the ledger (a new one after a fork)."""
        path = Path(settings.SHOP_DATA_DIR) / "fake-payments.sqlite3"
        held = getattr(self._local, "held", None)
        if held is None or held[0] != (os.getpid(), path):
            path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(path, timeout=30, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            for statement in SCHEMA:
                connection.execute(statement)
            self._local.held = held = ((os.getpid(), path), connection)
        return held[1]

    def _behave(self) -> None:
        conf = settings.SHOP_FAKE_PAYMENTS
        if conf["latency_seconds"]:
            time.sleep(conf["latency_seconds"])
        if not conf["available"]:
            raise ProviderUnavailable("the payment provider is unavailable")

    def _first(self, key: str, outcome: Charge) -> Charge:
        """The outcome already recorded under `key`, or `outcome`, recorded now: atomic."""
        ledger = self._ledger()
        ledger.execute("BEGIN IMMEDIATE")
        try:
            ledger.execute(
                "INSERT OR IGNORE INTO charges VALUES (?, ?, ?, ?)",
                (key, int(outcome.approved), outcome.reference, outcome.decline_reason),
            )
            row = ledger.execute(
                "SELECT approved, reference, decline_reason FROM charges WHERE key = ?", (key,)
            ).fetchone()
            ledger.execute("COMMIT")
        except BaseException:
            ledger.execute("ROLLBACK")
            raise
        return Charge(approved=bool(row[0]), reference=row[1], decline_reason=row[2])

    def charge(self, *, token: str, amount: Money, idempotency_key: str) -> Charge:
        self._behave()
        if token in APPROVED_TOKENS:
            digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]
            outcome = Charge(approved=True, reference=f"ch_{digest}")
        else:
            outcome = Charge(approved=False, decline_reason="card_declined")
        return self._first(idempotency_key, outcome)

    def find_charge(self, *, idempotency_key: str) -> Charge | None:
        self._behave()
        row = (
            self._ledger()
            .execute(
                "SELECT approved, reference, decline_reason FROM charges WHERE key = ?",
                (idempotency_key,),
            )
            .fetchone()
        )
        return None if row is None else Charge(bool(row[0]), row[1], row[2])

    def void(self, *, idempotency_key: str) -> Charge | None:
        self._behave()
        earlier = self._first(idempotency_key, Charge(approved=False, decline_reason=VOIDED))
        return earlier if earlier.approved else None

    def refund(self, *, reference: str, amount: Money, idempotency_key: str) -> None:
        self._behave()
        self._ledger().execute("INSERT OR IGNORE INTO refunds VALUES (?)", (idempotency_key,))


_provider = FakeProvider()


def provider() -> PaymentProvider:
    return _provider
