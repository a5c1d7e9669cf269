"""Exceptions handlers and publishers use to talk to the event bus."""


class RetryLater(Exception):  # noqa: N818 - an instruction, not an error
    """Raised by a handler whose event arrived before one it depends on.

    The inbox retries it with backoff like any failure, but never parks it dead for
    that: the event it waits for is on its way (or is itself dead, and visible).
    """
