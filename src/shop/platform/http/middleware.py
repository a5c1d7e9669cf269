"""Give every request an id, and make it the correlation id of the events it causes."""

from __future__ import annotations

import re
import uuid

import structlog

from shop.platform.events.tracing import Causation, caused_by
from shop.platform.observability.tracing import current_traceparent

HEADER = "X-Request-ID"
# A client's id is kept only when it matches; the proxy in front applies the same rule
# (shop.platform.proxy), so nginx's log and the shop's carry the same id.
SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(HEADER, "")
        request_id = incoming if SAFE_ID.match(incoming) else str(uuid.uuid4())
        request.request_id = request_id
        request.META["HTTP_X_REQUEST_ID"] = request_id  # what django-structlog logs...
        request.__dict__.pop("headers", None)  # ...through request.headers, cached above
        # The request's own lines carry the correlation id its events will carry.
        structlog.contextvars.bind_contextvars(correlation_id=request_id)
        with caused_by(Causation(correlation_id=request_id, traceparent=current_traceparent())):
            response = self.get_response(request)
        response[HEADER] = request_id
        return response
