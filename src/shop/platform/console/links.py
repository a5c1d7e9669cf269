"""Where the console's pages are, and the link from an id to the log search.

There is no log UI in the shop: its logs are JSON lines (shop.platform.observability.logs)
that a deployment ships somewhere. `SHOP_LOG_SEARCH_URL` says where: a URL template in
which `{field}` and `{value}` are replaced by the structlog field and the id, URL-quoted
(`{correlation_id}` is the id, in a template meant for correlation ids only). Empty (the
default): no link; the page shows the id and the field to grep for.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.urls import reverse

# The structlog fields an id is found under (shop.platform.observability.logs): every line
# of a saga carries its correlation id; the lines about one event (its handling included)
# carry its id, which the events it caused name as their causation id.
CORRELATION_FIELD = "correlation_id"
EVENT_FIELD = "event_id"


@dataclass(frozen=True)
class LogSearch:
    field: str
    value: str
    url: str | None

    @property
    def grep(self) -> str:
        """What to look for in the JSON lines without a log UI."""
        return f'"{self.field}": "{self.value}"'


def log_search(field: str, value: str) -> LogSearch:
    template = getattr(settings, "SHOP_LOG_SEARCH_URL", "")
    url = None
    if template and value:
        quoted = quote(value, safe="")
        if "{value}" in template or "{field}" in template:
            url = template.replace("{field}", quote(field, safe="")).replace("{value}", quoted)
        elif "{correlation_id}" in template and field == CORRELATION_FIELD:
            url = template.replace("{correlation_id}", quoted)
    return LogSearch(field, value, url)


def timeline_url(subject: str, event_id: str | None = None) -> str:
    url = reverse("admin:console_timeline", args=[subject])
    return f"{url}#event-{event_id}" if event_id else url


def search_url() -> str:
    return reverse("admin:console_search")


def overview_url() -> str:
    return reverse("admin:console_events")
