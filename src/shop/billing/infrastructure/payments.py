"""Adapters from billing's payment port to concrete providers.

FakeProvider stands in for a card processor in development and tests: `tok_visa`
is approved, `tok_declined` (and any unknown token) is declined, and settings
can make it slow or unavailable (SHOP_FAKE_PAYMENTS).
"""

from __future__ import annotations

import hashlib
import threading
import time

from django.conf import settings

from shop.billing.domain.payments import VOIDED, Charge, PaymentProvider, ProviderUnavailable
from shop.kernel import Money

APPROVED_TOKENS = {"tok_visa", "tok_mastercard"}


class FakeProvider:
    def __init__(self) -> None:
        self._outcomes: dict[str, Charge] = {}
        self._refunds: set[str] = set()
        self._lock = threading.Lock()

    def _behave(self) -> None:
        conf = settings.SHOP_FAKE_PAYMENTS
        if conf["latency_seconds"]:
            time.sleep(conf["latency_seconds"])
        if not conf["available"]:
            raise ProviderUnavailable("the payment provider is unavailable")

    def charge(self, *, token: str, amount: Money, idempotency_key: str) -> Charge:
        self._behave()
        with self._lock:
            if idempotency_key not in self._outcomes:
                if token in APPROVED_TOKENS:
                    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]
                    outcome = Charge(approved=True, reference=f"ch_{digest}")
                else:
                    outcome = Charge(approved=False, decline_reason="card_declined")
                self._outcomes[idempotency_key] = outcome
            return self._outcomes[idempotency_key]

    def find_charge(self, *, idempotency_key: str) -> Charge | None:
        self._behave()
        with self._lock:
            return self._outcomes.get(idempotency_key)

    def void(self, *, idempotency_key: str) -> Charge | None:
        self._behave()
        with self._lock:
            earlier = self._outcomes.get(idempotency_key)
            if earlier is None:
                self._outcomes[idempotency_key] = Charge(approved=False, decline_reason=VOIDED)
                return None
            return earlier if earlier.approved else None

    def refund(self, *, reference: str, amount: Money, idempotency_key: str) -> None:
        self._behave()
        with self._lock:
            self._refunds.add(idempotency_key)


_provider = FakeProvider()


def provider() -> PaymentProvider:
    return _provider
