"""Reading typed values from the environment, with errors that name the variable."""

import os

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def flag(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.strip().lower() in TRUE:
        return True
    if raw.strip().lower() in FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of {sorted(TRUE | FALSE)}, not {raw!r}")


def text(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def words(name: str, default: str = "") -> list[str]:
    return [w.strip() for w in os.environ.get(name, default).split(",") if w.strip()]


def number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from None


def whole(name: str, default: int) -> int:
    value = number(name, default)
    if value != int(value):
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value}")
    return int(value)
