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
    return _check_retention_outlasts_redelivery(conf) + _check_not_yet_outlasts_redelivery(conf)


def _check_not_yet_outlasts_redelivery(conf) -> list[checks.CheckMessage]:
    """A "not yet" may wait for an event Redis lost: it must wait longer than redelivery takes."""
    if conf.transport == "inline" or conf.not_yet_seconds > conf.redeliver_after_seconds:
        return []
    return [
        checks.Warning(
            f"SHOP_EVENTS_NOT_YET_SECONDS ({conf.not_yet_seconds:g}) is not longer than "
            f"SHOP_EVENTS_REDELIVER_AFTER_SECONDS ({conf.redeliver_after_seconds:g}): a "
            "handler waiting for an event the broker lost is parked dead before redelivery "
            "brings it",
            hint="keep the not-yet budget well above the redelivery delay (default 3600 s)",
            id="shop.W001",
        )
    ]


def _check_retention_outlasts_redelivery(conf) -> list[checks.CheckMessage]:
    """Redelivery asks inboxes whether an event arrived: their rows must still be there."""
    from shop.platform.events.redelivery import MAX_CATCH_UP

    if conf.transport == "inline":
        return []
    needed = conf.redeliver_after_seconds + MAX_CATCH_UP.total_seconds()
    if conf.retention_days * 86400 > needed:
        return []
    return [
        checks.Error(
            f"SHOP_EVENTS_RETENTION_DAYS ({conf.retention_days:g}) is too short for "
            "redelivery: it would send again events whose done inbox rows were purged, and "
            "they would be applied twice",
            hint=f"keep rows longer than {needed / 86400:.2f} days "
            "(SHOP_EVENTS_REDELIVER_AFTER_SECONDS plus one day of catch-up)",
            id="shop.E003",
        )
    ]
