"""The payment provider as billing sees it: a port in billing's own language.

Whatever provider sits behind it (the built-in fake, or a real one later) is
translated into these terms by an adapter in infrastructure: the anti-corruption
layer. "Declined" is a business outcome; "unavailable" is a failure to retry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from shop.kernel import Money


class ProviderUnavailable(RuntimeError):
    """The provider could not be reached or answered with an error: try again later."""


# The decline of a charge whose key was voided first (the invoice is being closed).
VOIDED = "voided"


@dataclass(frozen=True)
class Charge:
    approved: bool
    reference: str = ""
    decline_reason: str = ""

    @property
    def voided(self) -> bool:
        return not self.approved and self.decline_reason == VOIDED


class PaymentProvider(Protocol):
    def charge(self, *, token: str, amount: Money, idempotency_key: str) -> Charge:
        """Take `amount`; the same key always yields the same outcome (no double charge)."""

    def refund(self, *, reference: str, amount: Money, idempotency_key: str) -> None:
        """Give back a captured charge; idempotent per key."""

    def find_charge(self, *, idempotency_key: str) -> Charge | None:
        """The outcome of an earlier charge under this key, if the provider saw one."""

    def void(self, *, idempotency_key: str) -> Charge | None:
        """Refuse every later charge under this key; return the one already taken, if any.

        The provider decides, atomically, which came first: the charge or the void. So
        billing never needs to hold a lock across a call to it (ADR 0020).
        """
