"""Django system checks for the event bus: fail at start-up, not silently at run time."""

from __future__ import annotations

from django.core import checks

from shop.platform.events.settings import event_settings


@checks.register(checks.Tags.compatibility)
def check_event_settings(app_configs, **kwargs) -> list[checks.CheckMessage]:
    from shop.platform.events.transports import TRANSPORTS

    try:
        conf = event_settings()
    except (TypeError, ValueError) as exc:
        return [checks.Error(f"SHOP_EVENTS is invalid: {exc}", id="shop.E001")]
    if conf.transport not in TRANSPORTS:
        return [
            checks.Error(
                f"unknown event transport {conf.transport!r}",
                hint=f"SHOP_EVENT_TRANSPORT must be one of {sorted(TRANSPORTS)}",
                id="shop.E002",
            )
        ]
    return []
