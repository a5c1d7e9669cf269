"""How catalog reacts to other contexts' events. Registered from apps.py, never on import."""

from shop.platform.wiring import Wiring


def register(wiring: Wiring) -> None:
    """Catalog listens to nothing yet."""
