"""The process layout: which contexts this process hosts (shop.platform.topology).

SHOP_TOPOLOGY names a topology file (TOML) and SHOP_SERVICE this process's service in it.
Neither set: one service hosting all four contexts and identity.
"""

import hashlib
import hmac

from shop.platform.topology import load
from shop.site.settings.core import SECRET_KEY, SHOP_CONTEXTS
from shop.site.settings.env import number, text, whole

SHOP_TOPOLOGY = load(text("SHOP_TOPOLOGY") or None, text("SHOP_SERVICE") or None, SHOP_CONTEXTS)

# Calls to another service's api.py (shop.platform.openhost): signed with a secret every
# service shares. Unset, it is derived from SHOP_SECRET_KEY, so services that share that
# key agree; services with keys of their own must all set SHOP_INTERNAL_SECRET.
SHOP_OPENHOST = {
    "secret": text("SHOP_INTERNAL_SECRET")
    or hmac.new(SECRET_KEY.encode(), b"shop.openhost", hashlib.sha256).hexdigest(),
    "connect_timeout": number("SHOP_INTERNAL_CONNECT_TIMEOUT_SECONDS", 1),
    "read_timeout": number("SHOP_INTERNAL_READ_TIMEOUT_SECONDS", 5),
    # Queries only (safe to repeat), on connection errors and 503 only.
    "retries": whole("SHOP_INTERNAL_RETRIES", 2),
    "backoff_seconds": number("SHOP_INTERNAL_BACKOFF_SECONDS", 0.1),
    "breaker_failures": whole("SHOP_INTERNAL_BREAKER_FAILURES", 5),
    "breaker_reset_seconds": number("SHOP_INTERNAL_BREAKER_RESET_SECONDS", 30),
}
