"""Which events reached a context's inbox: asked of its store, here or in its service.

Redelivery asks every consuming context, wherever it is hosted: a consumer's store in
this process is queried; one another service hosts is asked through that service's
internal endpoint `POST /_internal/events/<context>/arrived` (signed). A consumer that
cannot be asked raises; the caller asks it again later and carries on with the others.
"""

from __future__ import annotations

import json
from uuid import UUID

from django.http import HttpRequest, JsonResponse

from shop.platform import topology
from shop.platform.events.bus import bus
from shop.platform.http.problems import problem_response
from shop.platform.openhost.client import client
from shop.platform.openhost.errors import RemoteUnavailable
from shop.platform.openhost.views import internal


def arrived(context: str, event_ids: set[UUID]) -> set[UUID]:
    """The ids among `event_ids` that `context`'s inbox holds a row for."""
    here = topology.current()
    if here.hosts(context):
        return _arrived_here(context, event_ids)
    host = here.host_of(context)
    if host is None:
        raise RemoteUnavailable(f"no service hosts {context!r}")
    body = json.dumps({"event_ids": sorted(str(i) for i in event_ids)}).encode()
    answer = client().call(host, f"/_internal/events/{context}/arrived", body, safe=True)
    return {UUID(i) for i in answer.payload["result"]}


def _arrived_here(context: str, event_ids: set[UUID]) -> set[UUID]:
    store = bus.store_of(context)
    return set(
        store.inbox.objects.using(store.alias)
        .filter(event_id__in=list(event_ids))
        .values_list("event_id", flat=True)
        .distinct()
    )


@internal
def arrived_view(request: HttpRequest, context: str) -> JsonResponse:
    if not topology.current().hosts(context) or context not in bus.stores:
        return problem_response(
            status=404,
            slug="not-found",
            title="Not found",
            detail=f"This service does not host {context}.",
        )
    try:
        ids = {UUID(i) for i in json.loads(request.body)["event_ids"]}
    except (ValueError, KeyError, TypeError) as error:
        return problem_response(
            status=400, slug="invalid-request", title="Invalid call", detail=str(error)
        )
    return JsonResponse({"result": sorted(str(i) for i in _arrived_here(context, ids))})
