"""Consumer-driven contracts between billing and the contexts it talks to (docs/contracts.md).

The consumer tests (test_consumer_*.py) write contracts/pacts/*.json; the provider tests
(test_provider_*.py) verify the producers' real code against those files, and the canaries
(test_canaries.py) prove that a producer changed behind a consumer's back fails them.
"""

import os

import pytest
from tests.contracts.signing_proxy import SigningProxy

# The Pact FFI reports anonymous usage figures over the network unless told not to; these
# tests talk to this machine only.
os.environ["PACT_DO_NOT_TRACK"] = "true"


@pytest.fixture
def internal_endpoint(live_server, settings):
    """The live server's internal endpoints, reached as another service calls them: each
    request signed with the services' shared secret on its way."""
    with SigningProxy(live_server.url, settings.SHOP_OPENHOST["secret"]) as proxy:
        yield proxy.url
