"""What a caller of another context's api.py sees when the answer could not be had."""

from shop.platform.events.errors import Unavailable


class RemoteUnavailable(Unavailable):
    """The service hosting the callee could not answer: unreachable, timed out, its
    breaker open, or an answer that is not one of ours (a proxy's HTML 404, a 500).

    Never "not found": an event handler that raises it is retried later, under the
    event bus's budget for unavailable systems.
    """
