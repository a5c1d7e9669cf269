"""Each side's record of what it answered to a shadowed request.

`ShadowRecorder` is in every process's middleware and removes itself at start unless
`SHOP_SHADOW_CONTEXTS` names contexts to record. Then every GET answered by a view of such
a context adds one JSON line to `SHOP_SHADOW_DIR/<service>-<pid>.jsonl` (a file per
process, so processes never interleave their lines):

    {"request_id": ..., "role": "primary" | "shadow", "service": "shop", "method": "GET",
     "path": "/api/v1/invoices?order=...", "status": 200, "digest": "<sha256>",
     "body": <the normalised body>, "at": <unix time>}

`role` is `shadow` when the proxy's mirror sent the request (it sets `X-Shop-Shadow: 1`,
and drops a client's own on every other request: shop.platform.proxy.render), `primary`
otherwise.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed

from shop.platform import topology
from shop.platform.contexts import context_of
from shop.platform.shadow.normalise import body_of, digest

MIRROR_HEADER = "X-Shop-Shadow"
MIRROR = "1"
MAX_BODY = 256 * 1024  # larger bodies are compared by digest only


class ShadowRecorder:
    def __init__(self, get_response):
        conf = settings.SHOP_SHADOW
        if not conf["contexts"]:
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.contexts = frozenset(conf["contexts"])
        self.service = topology.current().this
        self.directory = Path(conf["dir"])
        self.directory.mkdir(parents=True, exist_ok=True)  # once, not on every answer

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "GET" and self._recorded(request) and not response.streaming:
            self._record(request, response)
        return response

    def _recorded(self, request) -> bool:
        match = getattr(request, "resolver_match", None)
        if match is None:
            return False
        try:
            return context_of(match.func.__module__) in self.contexts
        except LookupError:
            return False

    def _record(self, request, response) -> None:
        content = response.content
        body = body_of(content, response.get("Content-Type", ""))
        record = {
            "request_id": getattr(request, "request_id", ""),
            "role": "shadow" if request.headers.get(MIRROR_HEADER) == MIRROR else "primary",
            "service": self.service,
            "method": request.method,
            "path": request.get_full_path(),
            "status": response.status_code,
            "digest": digest(response.status_code, body),
            "body": body if len(content) <= MAX_BODY else None,
            "at": time.time(),
        }
        line = (json.dumps(record, separators=(",", ":")) + "\n").encode()
        path = self.directory / f"{self.service}-{os.getpid()}.jsonl"
        # One write(2) per line on an O_APPEND descriptor: lines never tear or interleave.
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(descriptor, line)
        finally:
            os.close(descriptor)
