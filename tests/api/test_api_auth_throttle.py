"""POST /api/v1/auth/token refuses brute force: failed sign-ins are throttled twice.

By client address (one client guessing) and by username (one account guessed from many
addresses). A throttled attempt is a 429 `throttled` problem with Retry-After, even with
the right password; only failures count. Rates come from DEFAULT_THROTTLE_RATES.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from rest_framework.test import APIClient

from shop.platform.auth.throttles import FailedSignInThrottle
from shop.site.settings.api import _rate

pytestmark = pytest.mark.django_db(databases="__all__")

RIGHT = {"alice": "alice-pass-1", "bob": "bob-pass-1"}


def _limit(scope: str) -> tuple[int, int]:
    count, period = django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope].split("/")
    return int(count), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


def sign_in(username: str, password: str, address: str = "198.51.100.7", **headers):
    return APIClient().post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=address,
        **headers,
    )


def fail(username: str, times: int, *, address: str = "198.51.100.7", **headers) -> None:
    for attempt in range(times):
        response = sign_in(username, f"wrong-{attempt}", address, **headers)
        assert response.status_code == 401, (attempt, response.content)


def assert_throttled(response, problem, window: int) -> None:
    body = problem(response, 429, "throttled")
    assert body["title"] == "Too many requests"
    assert 1 <= int(response["Retry-After"]) <= window


@pytest.fixture
def clock(monkeypatch):
    """The throttles' clock, moved by hand (no sleeping, no timing)."""
    now = [1_000_000.0]
    monkeypatch.setattr(FailedSignInThrottle, "timer", lambda self: now[0])
    return now


def test_the_defaults_are_throttles_not_unlimited():
    assert _limit("sign-in-username") == (10, 3600)
    assert _limit("sign-in-address") == (20, 60)


def test_wrong_passwords_for_one_account_end_in_429_even_with_the_right_one(alice, problem, clock):
    count, window = _limit("sign-in-username")
    fail("alice", count)

    assert_throttled(sign_in("alice", RIGHT["alice"]), problem, window)
    assert_throttled(sign_in("alice", "wrong-again"), problem, window)


def test_the_username_throttle_catches_an_attacker_rotating_addresses(alice, problem, clock):
    count, window = _limit("sign-in-username")
    for attempt in range(count):
        assert sign_in("alice", f"wrong-{attempt}", f"203.0.113.{attempt}").status_code == 401

    assert_throttled(sign_in("alice", RIGHT["alice"], "192.0.2.200"), problem, window)


def test_the_username_is_compared_as_typed_loosely(alice, problem, clock):
    count, window = _limit("sign-in-username")
    spellings = ["alice", "Alice", " ALICE ", "ａｌｉｃｅ"]
    for attempt in range(count):
        assert sign_in(spellings[attempt % 4], "wrong").status_code == 401

    assert_throttled(sign_in("alice", RIGHT["alice"]), problem, window)


def test_the_address_throttle_catches_one_client_guessing_many_accounts(alice, bob, problem, clock):
    count, window = _limit("sign-in-address")
    for attempt in range(count):
        assert sign_in(f"user-{attempt}", "wrong").status_code == 401

    assert_throttled(sign_in("bob", RIGHT["bob"]), problem, window)
    assert sign_in("bob", RIGHT["bob"], address="198.51.100.8").status_code == 200


def test_a_throttled_account_leaves_other_accounts_and_addresses_alone(alice, bob, problem, clock):
    count, window = _limit("sign-in-username")
    fail("alice", count)

    assert sign_in("bob", RIGHT["bob"]).status_code == 200  # same address, other account
    assert_throttled(sign_in("alice", RIGHT["alice"], "192.0.2.1"), problem, window)


def test_an_ipv6_client_counts_by_its_64_prefix(bob, problem, clock):
    count, window = _limit("sign-in-address")
    for attempt in range(count):
        assert sign_in(f"user-{attempt}", "wrong", f"2001:db8:1:2::{attempt:x}").status_code == 401

    assert_throttled(sign_in("bob", RIGHT["bob"], "2001:db8:1:2::ffff"), problem, window)
    assert sign_in("bob", RIGHT["bob"], "2001:db8:1:3::1").status_code == 200


def test_right_passwords_do_not_count(alice, clock):
    count, _ = _limit("sign-in-username")
    for _ in range(count + 5):
        assert sign_in("alice", RIGHT["alice"]).status_code == 200


def test_the_window_slides_failures_age_out(alice, problem, clock):
    count, window = _limit("sign-in-username")
    fail("alice", count)
    assert_throttled(sign_in("alice", RIGHT["alice"]), problem, window)

    clock[0] += window + 1

    assert sign_in("alice", RIGHT["alice"]).status_code == 200


def test_x_forwarded_for_is_ignored_without_trusted_proxies(bob, problem, clock):
    count, window = _limit("sign-in-address")
    for attempt in range(count):
        response = sign_in(f"user-{attempt}", "wrong", HTTP_X_FORWARDED_FOR=f"10.9.0.{attempt}")
        assert response.status_code == 401

    assert_throttled(sign_in("bob", RIGHT["bob"], HTTP_X_FORWARDED_FOR="10.9.9.9"), problem, window)


def test_behind_a_trusted_proxy_the_forwarded_address_counts(settings, bob, problem, clock):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    count, window = _limit("sign-in-address")
    proxy = "10.0.0.1"
    for attempt in range(count):
        response = sign_in(f"user-{attempt}", "wrong", proxy, HTTP_X_FORWARDED_FOR="192.0.2.9")
        assert response.status_code == 401

    assert_throttled(
        sign_in("bob", RIGHT["bob"], proxy, HTTP_X_FORWARDED_FOR="spoofed, 192.0.2.9"),
        problem,
        window,
    )
    assert sign_in("bob", RIGHT["bob"], proxy, HTTP_X_FORWARDED_FOR="192.0.2.10").status_code == 200


def test_rates_come_from_settings(settings, alice, problem, clock):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"sign-in-address": "2/minute", "sign-in-username": "50/day"},
    }
    fail("alice", 2)

    assert_throttled(sign_in("alice", RIGHT["alice"]), problem, 60)


def test_an_unreachable_cache_fails_open(settings, alice):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    assert sign_in("alice", "wrong").status_code == 401
    assert sign_in("alice", RIGHT["alice"]).status_code == 200


@pytest.mark.parametrize("rate", ["10", "ten/minute", "0/minute", "10/fortnight", "-1/hour"])
def test_a_bad_rate_in_the_environment_stops_start_up_naming_it(monkeypatch, rate):
    monkeypatch.setenv("SHOP_TOKEN_THROTTLE_ADDRESS", rate)

    with pytest.raises(ImproperlyConfigured, match="SHOP_TOKEN_THROTTLE_ADDRESS"):
        _rate("SHOP_TOKEN_THROTTLE_ADDRESS", "20/minute")


def _caches_with(**env: str) -> str:
    """settings.CACHES['default'] as a fresh process with this environment sees it."""
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'shop.site.settings';"
        "django.setup(); from django.conf import settings;"
        "c = settings.CACHES['default']; print(c['BACKEND'], c['LOCATION'])"
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SHOP_CACHE")}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env={**environ, "SHOP_SECRET_KEY": "test", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout.strip() or result.stderr.strip().splitlines()[-1]


def test_production_counts_in_redis_so_every_web_process_shares_the_counts():
    assert _caches_with(
        SHOP_EVENT_TRANSPORT="celery", SHOP_REDIS_URL="redis://10.1.2.3:6379/4"
    ) == ("django.core.cache.backends.redis.RedisCache redis://10.1.2.3:6379/4")
    assert _caches_with(SHOP_CACHE_URL="redis://cache:6379/1").endswith("redis://cache:6379/1")


def test_without_redis_the_counts_live_in_files_shared_by_one_hosts_processes(tmp_path):
    assert _caches_with(SHOP_EVENT_TRANSPORT="inline", SHOP_DATA_DIR=str(tmp_path)) == (
        f"django.core.cache.backends.filebased.FileBasedCache {tmp_path / 'cache'}"
    )


def test_a_bad_cache_url_stops_start_up_naming_it():
    assert "SHOP_CACHE_URL must be" in _caches_with(SHOP_CACHE_URL="memcached://x")
