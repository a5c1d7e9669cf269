"""Who may call an internal endpoint: another service holding the shared secret.

A request is signed with HMAC-SHA256 over its time, method, path and body; the header is
`X-Shop-Signature: t=<unix seconds>,s=<hex>`. A signature older (or newer) than
`MAX_SKEW_SECONDS` is refused, so a captured request can be replayed only within that
window (there is no nonce yet: internal traffic must stay on a private network, and
commands are the callee's to make safe to repeat).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time

HEADER = "X-Shop-Signature"
MAX_SKEW_SECONDS = 60
STAMP = re.compile(r"[0-9]{1,12}")
DIGEST = re.compile(r"[0-9a-f]{64}")


def _digest(secret: str, stamp: int, method: str, path: str, body: bytes) -> str:
    message = f"{stamp}\n{method.upper()}\n{path}\n".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, method: str, path: str, body: bytes, now: float | None = None) -> str:
    stamp = int(time.time() if now is None else now)
    return f"t={stamp},s={_digest(secret, stamp, method, path, body)}"


def verify(
    secret: str, header: str, method: str, path: str, body: bytes, now: float | None = None
) -> bool:
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        stamp, given = parts["t"], parts["s"]
    except (KeyError, ValueError):
        return False
    # Shapes first, so no input from outside can overflow or make compare_digest raise.
    if not STAMP.fullmatch(stamp) or not DIGEST.fullmatch(given):
        return False
    if abs((time.time() if now is None else now) - int(stamp)) > MAX_SKEW_SECONDS:
        return False
    expected = _digest(secret, int(stamp), method, path, body)
    return hmac.compare_digest(given.encode(), expected.encode())
