"""HTTP to the service hosting a context: timeouts, safe retries, a breaker per service.

- Connect and read timeouts on every call.
- Retries, with exponential backoff and jitter, only for calls that are safe to repeat
  (queries), and only on connection errors and 503; a command is sent once.
- One circuit breaker (pybreaker) per target service: after `breaker_failures` calls in
  a row that could not be answered it opens, and calls fail at once for
  `breaker_reset_seconds` before one is let through again.
- Whatever is not one of our answers (unreachable, timeout, open breaker, a proxy's HTML
  page, an unexpected status) raises RemoteUnavailable: never read as "not found".
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

import pybreaker
import urllib3
from django.conf import settings

from shop.platform.events.tracing import current_causation
from shop.platform.openhost import signing
from shop.platform.openhost.errors import RemoteUnavailable
from shop.platform.topology import Service

JSON = "application/json"


@dataclass(frozen=True)
class Answer:
    """One of our answers: 200 with a result, or 422 with a typed error."""

    status: int
    payload: dict


class Client:
    def __init__(self, conf: dict) -> None:
        self.conf = conf
        self.pool = urllib3.PoolManager(
            num_pools=8,
            maxsize=4,
            timeout=urllib3.Timeout(connect=conf["connect_timeout"], read=conf["read_timeout"]),
        )
        self._breakers: dict[str, pybreaker.CircuitBreaker] = {}
        self._lock = threading.Lock()

    def breaker(self, service: str) -> pybreaker.CircuitBreaker:
        with self._lock:
            if service not in self._breakers:
                self._breakers[service] = pybreaker.CircuitBreaker(
                    fail_max=self.conf["breaker_failures"],
                    reset_timeout=self.conf["breaker_reset_seconds"],
                    name=service,
                )
            return self._breakers[service]

    def call(self, service: Service, path: str, body: bytes, *, safe: bool) -> Answer:
        try:
            return self.breaker(service.name).call(self._post, service, path, body, safe)
        except pybreaker.CircuitBreakerError:
            raise RemoteUnavailable(
                f"service {service.name!r} is failing: its circuit breaker is open"
            ) from None

    def _post(self, service: Service, path: str, body: bytes, safe: bool) -> Answer:
        if not service.url:
            raise RemoteUnavailable(f"service {service.name!r} has no url in the topology")
        retry = _retry(self.conf, safe)
        causation = current_causation()
        headers = {
            "Content-Type": JSON,
            "Accept": JSON,
            signing.HEADER: signing.sign(self.conf["secret"], "POST", path, body),
        }
        if causation.correlation_id:
            headers["X-Request-ID"] = causation.correlation_id
        if causation.traceparent:
            headers["traceparent"] = causation.traceparent
        url = service.url.rstrip("/") + path
        try:
            response = self.pool.request("POST", url, body=body, headers=headers, retries=retry)
        except urllib3.exceptions.HTTPError as error:
            raise RemoteUnavailable(f"service {service.name!r} at {url}: {error}") from None
        return _ours(service, url, response)


def _retry(conf: dict, safe: bool) -> urllib3.Retry:
    """Queries: retried with jittered backoff on connection errors and 503. Commands: never."""
    if not safe:
        return urllib3.Retry(0, redirect=False, raise_on_status=False)
    return urllib3.Retry(
        total=conf["retries"],
        connect=conf["retries"],
        read=0,
        other=0,
        redirect=False,
        status=conf["retries"],
        status_forcelist=[503],
        allowed_methods=["POST"],
        backoff_factor=conf["backoff_seconds"],
        backoff_jitter=conf["backoff_seconds"],
        raise_on_status=False,
        respect_retry_after_header=False,
    )


def _ours(service: Service, url: str, response: urllib3.BaseHTTPResponse) -> Answer:
    kind = response.headers.get("Content-Type", "").split(";")[0].strip()
    payload = None
    if kind == JSON:
        try:
            payload = json.loads(response.data)
        except ValueError:
            payload = None
    if response.status == 200 and isinstance(payload, dict) and "result" in payload:
        return Answer(200, payload)
    if response.status == 422 and isinstance(payload, dict) and "error" in payload:
        return Answer(422, payload)
    raise RemoteUnavailable(
        f"service {service.name!r} at {url} answered {response.status} {kind or 'without a type'}"
    )


_client: Client | None = None
_client_lock = threading.Lock()


def client() -> Client:
    """The process's client (one pool and one breaker per service, shared by threads)."""
    global _client
    with _client_lock:
        if _client is None or _client.conf is not settings.SHOP_OPENHOST:
            _client = Client(settings.SHOP_OPENHOST)
        return _client
