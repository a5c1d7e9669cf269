"""Exceptions handlers and publishers use to talk to the event bus.

Any other exception a handler raises is a failure: retried with backoff, and parked
dead after `SHOP_EVENTS_MAX_ATTEMPTS` attempts. These two say "try again later" and
have budgets of their own, in time rather than attempts (docs/events.md, "Retry
budgets"): past it the row is parked dead too, and `events retry` revives it.
"""


class RetryLater(Exception):  # noqa: N818 - an instruction, not an error
    """A "not yet": the handler's event arrived before one it depends on.

    Retried with backoff while the row's retries are younger than
    `SHOP_EVENTS_NOT_YET_SECONDS`: the event it waits for is on its way (redelivery
    brings a lost one). Past that, the prerequisite is not coming by itself (it is
    dead elsewhere, or was never published) and the row is parked dead.
    """


class Unavailable(Exception):  # noqa: N818 - an instruction, not an error
    """An outside system the handler needs (a payment provider) is down or erring.

    Retried with backoff while the row's retries are younger than
    `SHOP_EVENTS_UNAVAILABLE_SECONDS`, however many attempts that takes; past that
    the row is parked dead, so an outage that lasts shows as dead rows to act on.
    """
