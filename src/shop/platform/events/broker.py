"""The Redis broker transport of the celery mode: kombu's, with a channel that closes on a dead Redis.

Settings select it (`CELERY_BROKER_TRANSPORT`); the broker URL stays `redis://...`.

Why (kombu 5.7.0, the newest release, `kombu/transport/redis.py`): `Channel.close()` first
reads the reply of a BRPOP still in flight (`if self._in_poll: self._brpop_read()`, catching
only `Empty`). When redis-server was killed, that read raises a connection error, and close
stops there: the channel is not marked closed, its unacknowledged messages not handed back.
The worker's consumer, on the lost connection, runs `Connection.collect()`: it closes the
default channel (the one consuming tasks: the read above fails, the error is swallowed),
then every channel of the transport, newest first; the remote-control mailbox's close fails
too, deleting its auto-delete queue on the dead Redis, which ends the loop before the task
channel is closed again; then collect detaches the transport (`transport.client = None`).
The consumer then closes the connection once more (`ignore_errors(connection,
connection.close)`). That close of the task channel reaches `_disconnect_pools()`, then
`restore_unacked_once()`, which needs a new connection pool: `_connparams()` reads
`self.connection.client.hostname` from the detached transport and raises `AttributeError:
'NoneType' object has no attribute 'hostname'`. Not a connection error, so Celery calls it
unrecoverable and the worker exits. It takes a worker that holds a message, waits on a BRPOP
for the next, and notices the lost connection on another socket first (the mailbox's), so
the BRPOP reply is still unread: a race a busy worker loses now and then.
`tests/runtime/test_redis_loss.py` replays it deterministically.

The fix: a BRPOP reply that can no longer be read is not waited for. The read still runs (a
reply already in the socket is delivered as kombu would); a connection error ends it, and
the rest of kombu's close proceeds, as it does when the error was noticed on the BRPOP socket
itself. The messages the worker held stay in Redis's unacknowledged set (if Redis kept its
data): the visibility timeout hands them out again; if Redis lost them, the outbox
redelivers (ADR 0016). Drop this module once kombu's own close survives a dead connection:
when `tests/runtime/test_redis_loss.py` passes without `CELERY_BROKER_TRANSPORT`.
"""

from __future__ import annotations

from queue import Empty

from kombu.transport import redis


class Channel(redis.Channel):
    def close(self) -> None:
        if self._in_poll:
            try:
                self._brpop_read()  # resets _in_poll whatever happens
            except Empty:
                pass
            except self.connection_errors:
                pass  # the connection is gone, and the reply with it: finish closing
        super().close()


class Transport(redis.Transport):
    Channel = Channel
