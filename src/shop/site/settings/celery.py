"""Celery on Redis: the production transport of the event bus (SHOP_EVENT_TRANSPORT=celery)."""

from kombu import Queue

from shop.platform.topology.queues import events_queue
from shop.site.settings.core import SHOP_CONTEXTS, SHOP_EVENTS
from shop.site.settings.env import number, text
from shop.site.settings.topology import SHOP_TOPOLOGY

CELERY_BROKER_URL = text("SHOP_REDIS_URL", "redis://127.0.0.1:6379/0")
# kombu's Redis transport with a channel that can close on a dead connection: with the stock
# one a worker holding a message exits ("Unrecoverable error: AttributeError ... 'hostname'")
# when redis-server dies under it. Why and what changes: shop.platform.events.broker.
CELERY_BROKER_TRANSPORT = "shop.platform.events.broker:Transport"
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None

# Each consuming context has a queue of its own, consumed only by the service hosting it;
# a service's relays, sweeps and jobs go to its own events queue (`events` when one service
# hosts everything, `events.<service>` in a split). A worker consumes exactly these: the
# Procfile names no queues, and a worker told to consume another's refuses to start.
CELERY_TASK_DEFAULT_QUEUE = events_queue(SHOP_TOPOLOGY)
CELERY_WORKER_QUEUES = [CELERY_TASK_DEFAULT_QUEUE, *SHOP_TOPOLOGY.hosted(SHOP_CONTEXTS)]
CELERY_TASK_QUEUES = [Queue(name) for name in CELERY_WORKER_QUEUES]

# Acknowledge a message only after its task ran: a worker that dies mid-handler leaves
# the message in Redis to be delivered again (the inbox dedupes it).
CELERY_TASK_ACKS_LATE = True
# A pool process killed by the OS (OOM, SIGKILL) requeues its message instead of acking it.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Take one message at a time: a prefetched message would wait behind a slow handler and,
# with acks_late, be redelivered to someone else after the visibility timeout.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

# Redis has no acks: an unacknowledged message (one a worker took, then died holding)
# becomes visible again after this long. It must exceed the longest a task may run and
# the longest retry delay (SHOP_EVENTS backoff_max_seconds), or a message still being
# worked on is delivered twice (harmless for the inbox, but wasted work).
# Lower case: a helper, not a setting of its own.
visibility_timeout = int(
    number("SHOP_CELERY_VISIBILITY_TIMEOUT", max(3600, 4 * SHOP_EVENTS["backoff_max_seconds"]))
)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": visibility_timeout,
    # Workers look for such messages every `unacked_restore_interval` seconds; kombu's
    # default scans only every 10th look (100 s), which would add up to 100 s to the
    # visibility timeout before a dead worker's messages go out again.
    "unacked_restore_interval": max(1.0, min(10.0, visibility_timeout / 4)),
    "unacked_restore_throttle": 1,
    # One worker at a time scans, under a lock in Redis that expires after this long. A
    # worker killed while scanning (one just started scans at once) holds it until then:
    # kombu's 300 s would stall every redelivery for five minutes.
    "unacked_mutex_expire": max(5, min(60, visibility_timeout // 4)),
    # Fail fast when Redis is down: the outbox keeps the event, the sweep sends it later.
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
# Publishing: a LPUSH that Redis answered is a message Redis holds (Redis has no publisher
# confirms; the reply is the equivalent). On failure apply_async raises, and the relay
# leaves the outbox row undispatched. Retry briefly, never for long inside a request.
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0.1, "interval_step": 0.2}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Celery's Django fixup closes every database connection before and after each task
# unless this is set: five stores, five new PostgreSQL sessions per event. Connections
# live by CONN_MAX_AGE instead, as in web requests: shop.site.celery closes the old and
# broken ones around each task (close_old_connections). The fixup still closes them all
# once per this many tasks.
CELERY_DB_REUSE_MAX = 1000
CELERY_TIMEZONE = "UTC"
