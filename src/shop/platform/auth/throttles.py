"""Brute-force protection for POST /api/v1/auth/token: failed sign-ins are counted twice.

Once by client address, once by the username tried. Either count reaching its rate
refuses further attempts with a 429 `throttled` problem and `Retry-After` (DRF's
Throttled), the right password included, until the oldest failure in the window ages
out. Only failures count: a client that signs in correctly spends nothing.

- By address: one client guessing many passwords, for one account or many.
- By username: one account guessed from many addresses (a botnet rotating addresses).
  The key is a hash of the username as typed, stripped, NFKC-normalised and casefolded,
  so "Alice", " alice" and "ＡＬＩＣＥ" share one budget.

The counts live in Django's cache (settings/cache.py): Redis in production, so every web
process and host sees the same counts. Rates are DRF's DEFAULT_THROTTLE_RATES
(`sign-in-address`, `sign-in-username`; SHOP_TOKEN_THROTTLE_ADDRESS / _USERNAME). The
address is REMOTE_ADDR, or behind SHOP_NUM_PROXIES trusted proxies the address they saw
(DRF's NUM_PROXIES over X-Forwarded-For); an IPv6 client counts by its /64.

An unreachable cache fails open, with a warning: a cache outage must not stop sign-in.
"""

from __future__ import annotations

import hashlib
import ipaddress
import unicodedata

import structlog
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

log = structlog.get_logger(__name__)


class FailedSignInThrottle(SimpleRateThrottle):
    """A SimpleRateThrottle whose history holds failed attempts only (see `record_failure`)."""

    cache_format = "shop:sign-in:%(scope)s:%(ident)s"

    def get_rate(self) -> str | None:
        # Read the rates now, not at import (DRF's class attribute), so settings can change.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def identity(self, request) -> str | None:
        raise NotImplementedError

    def get_cache_key(self, request, view) -> str | None:
        ident = self.identity(request)
        if ident is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        try:
            self.history = self._live(self.cache.get(self.key, []))
        except Exception as exc:  # the cache is down: fail open, loudly
            log.warning("sign-in throttle unavailable", scope=self.scope, error=repr(exc))
            return True
        return len(self.history) < self.num_requests

    def record_failure(self, request, view) -> None:
        if self.rate is None:
            return
        key = self.get_cache_key(request, view)
        if key is None:
            return
        self.now = self.timer()
        try:
            history = [self.now, *self._live(self.cache.get(key, []))]
            self.cache.set(key, history[: self.num_requests], self.duration)
        except Exception as exc:  # the cache is down: fail open, loudly
            log.warning("sign-in throttle unavailable", scope=self.scope, error=repr(exc))

    def _live(self, history: list[float]) -> list[float]:
        return [at for at in history if at > self.now - self.duration]


class SignInByAddress(FailedSignInThrottle):
    scope = "sign-in-address"

    def identity(self, request) -> str | None:
        address = self.get_ident(request)
        if not address:
            return None
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return hashlib.sha256(address.encode()).hexdigest()
        if isinstance(ip, ipaddress.IPv6Address):
            if ip.ipv4_mapped is not None:
                return str(ip.ipv4_mapped)
            return str(ipaddress.ip_network(f"{ip}/64", strict=False))
        return str(ip)


class SignInByUsername(FailedSignInThrottle):
    scope = "sign-in-username"

    def identity(self, request) -> str | None:
        data = request.data
        username = data.get("username") if isinstance(data, dict) else None
        if not isinstance(username, str) or not username.strip():
            return None  # the request fails validation; nothing is tried against an account
        normal = unicodedata.normalize("NFKC", username.strip()).casefold()
        return hashlib.sha256(normal.encode()).hexdigest()
