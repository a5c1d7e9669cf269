"""How catalog reacts to other contexts' events. Registered from apps.py, never on import."""

from shop.platform.events.bus import EventBus
from shop.platform.events.schedule import Schedule


def register(bus: EventBus, schedule: Schedule) -> None:
    """Catalog listens to nothing yet."""
