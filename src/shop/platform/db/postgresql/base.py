"""Django's PostgreSQL backend, with a connection health check that costs no round trip.

A persistent connection is checked at its first use in each request or task
(`CONN_HEALTH_CHECKS`), so a restarted server costs no failed request. Django's check is a
`SELECT 1`: one round trip per store per request, a third of the statements of a request
that touches three stores. Here an idle connection is checked by looking at its socket
instead: a server that shuts down, restarts or terminates the backend sends a FATAL
message and closes the connection, so the socket turns readable, while a healthy idle
connection has nothing to read. Only then (or when the connection is not idle) is the
server asked with Django's `SELECT 1`. A connection the network lost silently (no FIN
ever arrives) is seen at its first statement, as it would be by a `SELECT 1` that must
time out first.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        pgconn = connection.pgconn
        if pgconn.status != pq.ConnStatus.OK:
            return False
        if pgconn.transaction_status != pq.TransactionStatus.IDLE:
            return super().is_usable()
        try:
            readable, _, _ = select.select([pgconn.socket], [], [], 0)
        except (OSError, ValueError):  # the socket is gone
            return False
        # Something arrived on an idle connection (a FATAL message, the end of the stream,
        # or a notice): let the server answer. Nothing: it has not hung up.
        return super().is_usable() if readable else True
