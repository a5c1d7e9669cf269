"""The providers verify their consumers' pacts: ordering's real internal endpoint answers
billing's calls, and each producer's events, as its outbox stores them, are the messages
its consumers expect.

Ordering's endpoint is served by a live Django server in this process with
authentication on; the verifier's requests reach it through a proxy that signs them as
billing's client does (the `internal_endpoint` fixture, signing_proxy.py).
"""

from __future__ import annotations

import pytest
from tests.contracts import envelopes, pacts, producers


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_ordering_honours_billings_pact(internal_endpoint):
    verifier = pacts.verifier(
        "ordering",
        url=internal_endpoint,
        messages=envelopes.messages(*producers.ordering_events()),
        states=producers.ORDERING_STATES,
    )
    assert pacts.failures(verifier) == []


@pytest.mark.django_db(databases="__all__")
@pytest.mark.parametrize("provider", ["inventory", "billing"])
def test_a_producer_honours_the_pacts_for_its_events(provider):
    messages = envelopes.messages(*producers.EVENTS[provider]())
    assert pacts.failures(pacts.verifier(provider, messages=messages)) == []


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_an_unsigned_replay_is_refused_so_the_verification_runs_with_authentication_on(
    live_server,
):
    direct = live_server.url.replace("//localhost:", "//127.0.0.1:")
    verifier = pacts.verifier(
        "ordering", url=direct, states=producers.ORDERING_STATES, only="^order_summary"
    )
    failed = pacts.failures(verifier)
    # Each of billing's calls, replayed with the pact's stale example signature.
    calls = pacts.interactions("billing", "ordering", kind="Synchronous/HTTP")
    assert len(calls) == 4
    assert sum("expected 200 but was 401" in line for line in failed) == len(calls), failed
