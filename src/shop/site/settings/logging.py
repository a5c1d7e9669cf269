from shop.platform.observability import logs
from shop.site.settings.env import text

# JSON lines by default (what log shippers read); SHOP_LOG_FORMAT=console for people.
LOGGING = logs.configure(
    json=text("SHOP_LOG_FORMAT", "json") != "console",
    level=text("SHOP_LOG_LEVEL", "INFO"),
)
DJANGO_STRUCTLOG_CELERY_ENABLED = True
# The request id is chosen (or a client's X-Request-ID honoured) by RequestIdMiddleware.
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = True

# The log search the operator console links correlation and event ids to: a URL template,
# `{field}` and `{value}` replaced by the structlog field (`correlation_id`, `event_id`) and
# the id, or `{correlation_id}` by a correlation id. Empty: the console shows the id and the
# field to grep for (shop.platform.console.links).
SHOP_LOG_SEARCH_URL = text("SHOP_LOG_SEARCH_URL").strip()
