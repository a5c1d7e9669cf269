"""Django's cache: what the sign-in throttles count in (shop.platform.auth.throttles).

The counts must be shared by every process that serves the API, or each gunicorn worker
(and each host) would allow its own full budget:

- SHOP_CACHE_URL, when set: `redis://` / `rediss://` URL, or `locmem://` (one process only).
- otherwise, with the Celery transport (production, `make run-prod`): Redis at SHOP_REDIS_URL,
  which every process already reaches.
- otherwise (`make run`, PostgreSQL mode without Redis): files under SHOP_DATA_DIR/cache,
  shared by the processes of one host.
"""

from django.core.exceptions import ImproperlyConfigured

from shop.site.settings.core import SHOP_DATA_DIR, SHOP_EVENTS
from shop.site.settings.env import text


def _redis(url: str) -> dict:
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "shop:cache",
        # Fail fast when Redis is down: the throttles then fail open (and say so in the log).
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }


def _cache(url: str) -> dict:
    if url.startswith(("redis://", "rediss://", "unix://")):
        return _redis(url)
    if url == "locmem://":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "shop"}
    if url:
        raise ImproperlyConfigured(
            f"SHOP_CACHE_URL must be a redis://, rediss://, unix:// or locmem:// URL, not {url!r}"
        )
    if SHOP_EVENTS["transport"] == "celery":
        return _redis(text("SHOP_REDIS_URL", "redis://127.0.0.1:6379/0"))
    return {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(SHOP_DATA_DIR / "cache"),
    }


CACHES = {"default": _cache(text("SHOP_CACHE_URL").strip())}
