"""structlog for every log line, stdlib loggers included, as JSON (or console for people).

Every line carries what `structlog.contextvars` holds at that moment: the request id
(bound by django-structlog's middleware) and, in an event handler, the event id, type,
source, consuming context and handler, plus the saga's correlation id.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import Token
from typing import Any

import structlog

SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.processors.StackInfoRenderer(),
]


def configure(*, json: bool, level: str) -> dict[str, Any]:
    """Configure structlog and return Django's LOGGING dict to match."""
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *SHARED_PROCESSORS,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    renderer = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info,
                    renderer,
                ],
                "foreign_pre_chain": SHARED_PROCESSORS,
            }
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django_structlog": {"level": level},
            "celery": {"level": level},
            # One line per request comes from django_structlog; drop Django's duplicate.
            "django.server": {"level": "WARNING"},
        },
    }


def event_fields(
    envelope: dict[str, Any], *, context: str, handler: str | None = None
) -> dict[str, Any]:
    """The fields of every log line about one event in `context` (and one of its handlers).

    `context` is the key every event-bus line shares: the store the line is about (the
    consuming context for inbox and handler lines). Handler lines also carry it as
    `consumer`, the name they have always had.
    """
    fields = {
        "event_id": envelope.get("id"),
        "event_type": envelope.get("type"),
        "event_source": envelope.get("source"),
        "context": context,
        "correlation_id": envelope.get("correlationid"),
        "causation_id": envelope.get("causationid"),
    }
    if handler is not None:
        fields.update(consumer=context, handler=handler)
    return fields


def batch_fields(envelopes: list[dict[str, Any]], *, context: str) -> dict[str, Any]:
    """The fields of a log line about several events of `context`: every id, to search by."""
    return {
        "context": context,
        "events": len(envelopes),
        "event_ids": [envelope.get("id") for envelope in envelopes],
        "event_types": sorted({str(envelope.get("type")) for envelope in envelopes}),
        "correlation_ids": sorted({str(envelope.get("correlationid")) for envelope in envelopes}),
    }


def bind_event(envelope: dict[str, Any], *, context: str, handler: str) -> Mapping[str, Token]:
    """Bind one handler run's fields; returns the tokens `unbind_event` restores from."""
    return structlog.contextvars.bind_contextvars(
        **event_fields(envelope, context=context, handler=handler)
    )


def unbind_event(tokens: Mapping[str, Token]) -> None:
    """Put back what was bound before the handler ran, so no line after it claims its event."""
    structlog.contextvars.reset_contextvars(**tokens)
