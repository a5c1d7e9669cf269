"""Signs the Pact verifier's requests the way a calling service does, on their way to the
provider's real internal endpoints.

The pact records the consumer's `X-Shop-Signature` as an example that matches its shape;
replayed as is, its time is long past and the endpoint refuses it (as it must). This proxy
replaces it with a fresh signature over the same method, path and body
(shop.platform.openhost.signing, the client's own code), and only on a request that
carries one: a consumer that stopped signing still gets the server's 401.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import urllib3

from shop.platform.openhost import signing

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "host", "content-length"}


class SigningProxy:
    def __init__(self, upstream: str, secret: str) -> None:
        self.upstream, self.secret = upstream.rstrip("/"), secret
        self.http = urllib3.PoolManager(retries=False, timeout=10)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> SigningProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)
        self.http.clear()

    def forward(self, method: str, target: str, headers: dict[str, str], body: bytes):
        headers = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP}
        signed = next((k for k in headers if k.lower() == signing.HEADER.lower()), None)
        if signed is not None:
            path = urlsplit(target).path
            headers[signed] = signing.sign(self.secret, method, path, body)
        return self.http.request(method, self.upstream + target, body=body, headers=headers)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _relay(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                answer = proxy.forward(self.command, self.path, dict(self.headers), body)
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    if name.lower() not in HOP_BY_HOP:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.data)))
                self.end_headers()
                self.wfile.write(answer.data)

            do_GET = do_POST = _relay

            def log_message(self, *args: object) -> None:
                pass

        return Handler
