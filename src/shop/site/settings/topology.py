"""The process layout: which contexts this process hosts (shop.platform.topology).

SHOP_TOPOLOGY names a topology file (TOML) and SHOP_SERVICE this process's service in it.
Neither set: one service hosting all four contexts and identity.
"""

import hashlib
import hmac

from django.core.exceptions import ImproperlyConfigured

from shop.platform.topology import load
from shop.platform.topology.checks import topology_problems
from shop.site.settings.core import SECRET_KEY, SHOP_CONTEXTS, SHOP_EVENTS
from shop.site.settings.env import number, text, whole

SHOP_TOPOLOGY = load(text("SHOP_TOPOLOGY") or None, text("SHOP_SERVICE") or None, SHOP_CONTEXTS)
_problems = topology_problems(SHOP_TOPOLOGY, SHOP_EVENTS["transport"])
if _problems:
    # Every process refuses to start on a wrong file (gunicorn and Celery run no system
    # checks): guessing would host, consume and schedule the wrong contexts.
    raise ImproperlyConfigured("the topology is wrong: " + "; ".join(_problems))

# Calls to another service's api.py (shop.platform.openhost): signed with a secret every
# service shares. Unset, it is derived from SHOP_SECRET_KEY, so services that share that
# key agree; services with keys of their own must all set SHOP_INTERNAL_SECRET.
SHOP_OPENHOST = {
    # Internal endpoints (/_internal/...) are served only in a split, or when a secret was
    # set on purpose: one service alone never needs them.
    "enabled": SHOP_TOPOLOGY.is_split or bool(text("SHOP_INTERNAL_SECRET")),
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
