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
