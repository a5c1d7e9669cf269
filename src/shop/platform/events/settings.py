"""Tunables of the event bus, read from Django settings (SHOP_EVENTS) with safe defaults."""

from __future__ import annotations

from dataclasses import dataclass, fields

from django.conf import settings


@dataclass(frozen=True)
class EventSettings:
    transport: str = "inline"
    max_attempts: int = 8
    # Budgets of the retryable "try again later" errors, in seconds since the row's
    # first failure (or since an operator retried it): see errors.py.
    not_yet_seconds: float = 3600.0
    unavailable_seconds: float = 600.0
    backoff_base_seconds: float = 0.5
    backoff_max_seconds: float = 300.0
    lease_seconds: float = 30.0
    batch_size: int = 500
    batch_seconds: float = 0.05
    sweep_seconds: float = 1.0
    retention_days: float = 7.0
    redeliver_after_seconds: float = 600.0


def event_settings() -> EventSettings:
    configured = getattr(settings, "SHOP_EVENTS", {})
    known = {f.name for f in fields(EventSettings)}
    unknown = set(configured) - known
    if unknown:
        raise ValueError(f"unknown SHOP_EVENTS settings: {sorted(unknown)}")
    return EventSettings(**configured)
