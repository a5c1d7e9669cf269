"""A real nginx on a free port under a temporary prefix, in front of recording upstreams.

Each upstream is an HTTP/1.1 server on a thread of the test process that answers every
request with its own name and remembers what it received (method, path, Host,
X-Request-ID, which connection). `proxy.apply(state)` runs `manage.py proxy_config` for
that state with a topology whose two services are those upstreams, and the first call
starts nginx; the fixture stops nginx and the upstreams.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from tests.contexts import all_but, hosts

from shop.platform.proxy.nginx import INSTALL_HINT, Nginx, find_binary

# In CI (.ci/run sets it) a missing nginx fails these tests instead of skipping them.
REQUIRE_NGINX = os.environ.get("SHOP_TEST_REQUIRE_NGINX") == "1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    host: str | None
    request_id: str | None
    shadow: str | None
    connection: int  # the peer's port: one per upstream connection
    body: bytes


@dataclass
class Upstream:
    """A service stand-in: answers `{"served_by": name, ...}`, 200, and records each request."""

    name: str
    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    # Seconds to wait before answering a request with this method (the slow shadow).
    delay: dict[str, float] = field(default_factory=dict)
    # Read a request with this method, then close the connection without an answer.
    drop: set[str] = field(default_factory=set)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def seen(self, method: str | None = None, path: str | None = None) -> list[Received]:
        return [
            r
            for r in list(self.received)
            if (method is None or r.method == method) and (path is None or r.path == path)
        ]

    def start(self) -> None:
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as nginx's upstream keepalive needs
            disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms wait

            def log_message(self, *args) -> None:
                pass

            def handle_one_request(self) -> None:
                try:
                    super().handle_one_request()
                except ConnectionError:
                    self.close_connection = True

            def answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                upstream.received.append(
                    Received(
                        method=self.command,
                        path=self.path,
                        host=self.headers.get("Host"),
                        request_id=self.headers.get("X-Request-ID"),
                        shadow=self.headers.get("X-Shop-Shadow"),
                        connection=self.client_address[1],
                        body=body,
                    )
                )
                if self.command in upstream.drop:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                time.sleep(upstream.delay.get(self.command, 0))
                reply = json.dumps({"served_by": upstream.name, "path": self.path}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = answer

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        server, self.server = self.server, None
        if server:
            server.shutdown()
            server.server_close()


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict
    headers: dict[str, str]
    seconds: float


class Proxy:
    """nginx under `prefix`, configured by `manage.py proxy_config` for the two upstreams."""

    def __init__(self, tmp: Path, monolith: Upstream, billing: Upstream) -> None:
        self.port = free_port()
        self.monolith, self.billing = monolith, billing
        self.topology = tmp / "split.toml"
        self.topology.write_text(
            f'[services.shop]\n{hosts(all_but("billing"))}\nurl = "{monolith.url}"\n\n'
            f'[services.billing]\nhosts = ["billing"]\nurl = "{billing.url}"\n'
        )
        self.nginx = Nginx(tmp / "nginx")

    def apply(self, state: str) -> str:
        """`proxy_config --state STATE`, and what it printed.

        The first call names every input and starts nginx; later ones give only the state
        and --reload, as an operator does (the inputs are saved under the prefix).
        """
        out = StringIO()
        if self.nginx.process is None:
            call_command(
                "proxy_config",
                state=state,
                topology=str(self.topology),
                context="billing",
                listen=f"127.0.0.1:{self.port}",
                workers="1",
                prefix=str(self.nginx.prefix),
                stdout=out,
            )
            self.nginx.start()
        else:
            call_command(
                "proxy_config", state=state, prefix=str(self.nginx.prefix), reload=True, stdout=out
            )
        return out.getvalue()

    def request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> Answer:
        """One request on a connection of its own."""
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, body=body or None, headers=headers or {})
            response = connection.getresponse()
            raw = response.read()
        finally:
            connection.close()
        try:
            parsed = json.loads(raw) if raw else {}
        except ValueError:
            parsed = {"raw": raw.decode(errors="replace")}
        return Answer(response.status, parsed, dict(response.headers), time.monotonic() - started)

    def log(self, name: str = "access", *, lines: int = 1) -> list[dict]:
        """The access (or shadow) log's lines, once it has at least `lines`: nginx writes a
        request's line just after the client has its answer."""
        path = self.nginx.logs / f"{name}.log"
        deadline = time.monotonic() + 5
        while True:
            found = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
            if len(found) >= lines or time.monotonic() > deadline:
                return found
            time.sleep(0.01)


@pytest.fixture(scope="session")
def nginx_binary() -> str:
    binary = find_binary()
    if binary is None:
        if REQUIRE_NGINX:
            pytest.fail(
                f"nginx is required (SHOP_TEST_REQUIRE_NGINX=1) but missing: {INSTALL_HINT}"
            )
        pytest.skip(f"needs nginx: {INSTALL_HINT}")
    return binary


@pytest.fixture
def upstreams():
    started = [Upstream("shop"), Upstream("billing")]
    for upstream in started:
        upstream.start()
    yield started
    for upstream in started:
        upstream.stop()


@pytest.fixture
def proxy(nginx_binary, upstreams, tmp_path):
    made = Proxy(tmp_path, *upstreams)
    yield made
    made.nginx.stop()
