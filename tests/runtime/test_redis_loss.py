"""The broker connection when redis-server is SIGKILLed under it (a real server, no mock).

The worker's consumer, on a lost connection, collects the connection (closing its channels
and detaching the transport) and then closes it again; everything but a connection error
raised there is "Unrecoverable" and stops the worker (docs/operations.md, "Redis is down").
"""

from __future__ import annotations

import contextlib
import socket

from celery import current_app
from kombu import Consumer, Exchange, Queue
from kombu.common import ignore_errors


def test_closing_the_connection_after_redis_is_killed_mid_brpop_raises_no_crash(redis_server):
    conn = current_app.connection_for_read(redis_server.url)
    conn.ensure_connection(max_retries=1)
    work = Queue("held", Exchange("held", type="direct"), "held")
    with current_app.connection_for_write(redis_server.url) as out:
        out.Producer().publish({"n": 1}, exchange=work.exchange, routing_key="held", declare=[work])

    held = []
    tasks = conn.default_channel
    tasks.basic_qos(prefetch_count=2)
    Consumer(tasks, [work], callbacks=[lambda body, message: held.append(message)]).consume()
    # The worker's remote-control mailbox: a fanout queue on a channel of its own, deleted
    # when that channel closes. On a dead Redis that close fails too, and ends collect()'s
    # round of closes before it comes back to the task channel.
    mailbox = Exchange("mailbox", type="fanout", auto_delete=True)
    control = conn.channel()
    Consumer(control, [Queue("mailbox.me", mailbox, auto_delete=True)], no_ack=True).consume()
    assert control.client  # the channel has talked to Redis, as the worker's has

    for _ in range(50):  # the subscription's confirmation may come first
        if held:
            break
        conn.drain_events(timeout=5)
    assert len(held) == 1  # taken, not acknowledged: the worker is running it
    for _ in range(50):
        if tasks._in_poll:  # the next BRPOP is in flight, waiting for more work
            break
        with contextlib.suppress(socket.timeout):
            conn.drain_events(timeout=0.2)
    assert tasks._in_poll
    assert len(held) == 1

    redis_server.kill()

    # What celery.worker.consumer.Consumer.on_connection_error_after_connected does.
    try:
        conn.collect(socket_timeout=5.0)
    except Exception:  # noqa: BLE001, S110 - the consumer ignores what collecting raises
        pass
    ignore_errors(conn, conn.close)  # only connection errors are tolerated here
    assert tasks.closed
