"""Where the pact files live, how a consumer test writes them, and how a verification's
failures are read."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from django.db import connections
from pact import Pact, Verifier

ROOT = Path(__file__).resolve().parents[2]
PACTS = ROOT / "contracts" / "pacts"


def new(consumer: str, provider: str) -> Pact:
    """A V4 pact (V4: HTTP and message interactions may share one file)."""
    return Pact(consumer, provider).with_specification("V4")


def file_of(consumer: str, provider: str) -> Path:
    return PACTS / f"{consumer}-{provider}.json"


def interactions(consumer: str, provider: str, *, kind: str) -> list[dict]:
    """The interactions of one kind ("Synchronous/HTTP", "Asynchronous/Messages") in a file."""
    pact = json.loads(file_of(consumer, provider).read_text())
    return [i for i in pact["interactions"] if i["type"] == kind]


def of_provider(provider: str) -> list[Path]:
    """Every pact a consumer wrote for `provider`."""
    found = sorted(PACTS.glob(f"*-{provider}.json"))
    assert found, f"no pact in {PACTS.relative_to(ROOT)} names {provider} as its provider"
    return found


def write(pacts: Iterable[Pact]) -> None:
    """The consumer's pacts with one provider, as one file: the first replaces the file,
    so an interaction the consumer no longer declares leaves it; the others merge in."""
    for position, pact in enumerate(pacts):
        pact.write_file(PACTS, overwrite=position == 0)


def written_when_passed(request: pytest.FixtureRequest, *files: Callable[[], list[Pact]]):
    """For a consumer test module's fixture: once its tests ran and none failed, write each
    pact file, from the same declarations the tests exercised (one callable a file)."""
    failed = request.session.testsfailed
    yield
    if request.session.testsfailed == failed:
        for declared in files:
            write(declared())


def failures(verifier: Verifier) -> list[str]:
    """Run the verification; one line per mismatch (empty when the provider honours every
    interaction), each naming the interaction and the path of what differs."""
    try:
        verifier.verify()
    except RuntimeError:
        pass  # the FFI's "failed to execute": the results below say why
    lines = []
    for error in verifier.results.get("errors", []):
        mismatch = error.get("mismatch") or {}
        found = mismatch.get("mismatches") or [mismatch]
        for item in found:
            where = item.get("path") or item.get("key") or ""
            what = item.get("mismatch") or item.get("message") or str(item)
            lines.append(
                ": ".join(str(part) for part in (error.get("interaction"), where, what) if part)
            )
    if not lines and not verifier.results.get("result", True):
        lines.append(verifier.output(strip_ansi=True))
    return lines


def verifier(
    provider: str,
    *,
    url: str | None = None,
    messages: dict[str, dict] | None = None,
    states: dict[str, Callable[..., None]] | None = None,
    only: str | None = None,
) -> Verifier:
    """A verification of every pact naming `provider`: HTTP interactions against `url`,
    messages from `messages` (description -> message), provider states set up by
    `states`; `only` keeps the interactions whose description matches that regex."""
    verifier = Verifier(provider, host="127.0.0.1")
    if url is not None:
        verifier.add_transport(url=url)
    if messages is not None:
        verifier.message_handler(messages)
    if states is not None:
        verifier.state_handler({name: _own_connections(set_up) for name, set_up in states.items()})
    if only is not None:
        verifier.filter(only)
    for path in of_provider(provider):
        verifier.add_source(path)
    return verifier


def _own_connections(set_up: Callable[..., None]) -> Callable[..., None]:
    """A state is set up on the verifier's callback thread: its database connections are
    that thread's, closed once it is done (a leftover one would hold the test database)."""

    def run(parameters: dict | None) -> None:
        try:
            set_up(parameters or {})
        finally:
            connections.close_all()

    return run
