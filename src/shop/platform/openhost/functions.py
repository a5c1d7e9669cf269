"""The seam in a context's `api.py`: a local call here, HTTP to the hosting service there.

    @openhost.query
    def order_summary(order_id: str) -> OrderSummary | None: ...

Callers never change. When this process hosts the function's context the call is a
plain function call; otherwise the arguments are encoded, posted to
`/_internal/<context>/<function>` on the service the topology names, and the answer is
rebuilt into the annotated return type. A typed error the function raised there (one its
module exports, or a builtin such as ValueError or LookupError) is raised here again.

`query` marks a call that is safe to repeat (it may be retried); `command` one that is not.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import sys
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps

from shop.platform import topology
from shop.platform.contexts import context_of
from shop.platform.openhost.client import client
from shop.platform.openhost.codec import CodecError, decode, encode
from shop.platform.openhost.errors import RemoteUnavailable

PREFIX = "/_internal"

# The builtin errors an api function may raise as part of its contract (its docstring says
# which); any other exception on the serving side is a 500, read by the caller as
# RemoteUnavailable.
CONTRACT_BUILTINS = {
    cls.__name__: cls for cls in (ValueError, LookupError, KeyError, PermissionError)
}


@dataclass(frozen=True)
class Exposed:
    """One function of a context's open host service."""

    function: Callable[..., Any]
    safe: bool

    @property
    def module(self) -> str:
        return self.function.__module__

    @property
    def name(self) -> str:
        return self.function.__name__

    @functools.cached_property
    def context(self) -> str:
        return context_of(self.module)

    @property
    def path(self) -> str:
        return f"{PREFIX}/{self.context}/{self.name}"

    @functools.cached_property
    def hints(self) -> dict[str, Any]:
        return typing.get_type_hints(self.function)

    @functools.cached_property
    def signature(self) -> inspect.Signature:
        return inspect.signature(self.function)

    def decode_arguments(self, data: dict) -> dict[str, Any]:
        """The keyword arguments of a call, from its encoded form (CodecError if wrong)."""
        unknown = sorted(data.keys() - self.signature.parameters.keys())
        if unknown:
            raise CodecError(f"{self.name}() has no parameter {', '.join(unknown)}")
        return {
            name: decode(self.hints.get(name, Any), value, name) for name, value in data.items()
        }

    def error_class(self, name: str) -> type[Exception] | None:
        """An exception class that is part of the contract: exported by the module, or one
        of the builtins an api function may document (`CONTRACT_BUILTINS`). Anything else,
        `Exception` itself included, is not an answer: the callee failed."""
        module = sys.modules[self.module]
        if name in getattr(module, "__all__", ()):
            found = getattr(module, name, None)
        else:
            found = CONTRACT_BUILTINS.get(name)
        return found if isinstance(found, type) and issubclass(found, Exception) else None


# (context, function name) -> Exposed; filled as api modules are imported.
_exposed: dict[str, Exposed] = {}


def exposed(context: str, name: str) -> Exposed | None:
    _import_api(context)
    return next((e for e in _exposed.values() if e.name == name and e.context == context), None)


def _import_api(context: str) -> None:
    """Import the context's api module, whose functions register as it is imported: in a
    service where nothing else imports it (billing's, whose own code never calls
    `shop.billing.api`), its internal endpoints would otherwise answer 404."""
    try:
        config = apps.get_app_config(context)
    except LookupError:
        return
    module = f"{config.name}.api"
    if module not in sys.modules:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name != module:
                raise


def _expose(function: Callable[..., Any], *, safe: bool) -> Callable[..., Any]:
    entry = Exposed(function, safe)
    _exposed[f"{entry.module}.{entry.name}"] = entry

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        here = topology.current()
        if here.hosts(entry.context):
            return function(*args, **kwargs)
        return _call_remote(entry, here, args, kwargs)

    call.exposed = entry  # type: ignore[attr-defined]
    return call


def query(function: Callable[..., Any]) -> Callable[..., Any]:
    """An api function that only reads: safe to repeat, so retried on connection errors."""
    return _expose(function, safe=True)


def command(function: Callable[..., Any]) -> Callable[..., Any]:
    """An api function that changes state: sent once, never retried by the client."""
    return _expose(function, safe=False)


def _call_remote(entry: Exposed, here: topology.Topology, args: tuple, kwargs: dict) -> Any:
    host = here.host_of(entry.context)
    if host is None:
        raise RemoteUnavailable(f"no service hosts {entry.context!r}")
    bound = entry.signature.bind(*args, **kwargs)
    body = json.dumps({"arguments": {k: encode(v) for k, v in bound.arguments.items()}}).encode()
    answer = client().call(host, entry.path, body, safe=entry.safe)
    if answer.status == 422:
        error = answer.payload["error"]
        cls = entry.error_class(str(error.get("type")))
        if cls is None:
            raise RemoteUnavailable(f"{entry.path} raised an error we do not know: {error}")
        raise cls(error.get("message", ""))
    return decode(entry.hints.get("return", Any), answer.payload["result"], "result")
