"""Message pacts over the outbox envelope (shop.platform.events.envelope).

An event crosses a context boundary as the CloudEvents envelope its producer's outbox
stores; relays and transports hand that JSON on untouched. So a message pact describes
the envelope, on both sides:

- consumer: `expect` declares the envelope keys the consumer's platform reads (routing by
  `type` and `dataversion`, the inbox row's `id`, `source`, `subject`, `sequence`, the
  correlation id) and the event's `data`: the fields the consumer's class declares, with
  their types, and no other (`closed`); `received` runs the consumer's real decoding on
  the pact's message.
- provider: `produced` publishes the producer's event with the real `publish()` and reads
  the envelope back from the outbox row.

Each message is named after its type and version (`description`).
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from pact import Pact, match

from shop.platform.events.accepting import UNHANDLED, rows_for
from shop.platform.events.bus import bus
from shop.platform.events.envelope import decode
from shop.platform.events.publishing import publish
from shop.platform.openhost import codec

# Examples only: the matchers say what any other value must look like. Decimal strings
# ("6.20") are matched by type: a regex matcher also passes a number whose text matches.
EVENT_ID = "5b0c8f1e-3f1a-4c55-9a55-0c1d2e3f4a5b"
CORRELATION_ID = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"
CURRENCY = r"^[A-Z]{3}$"
JSON = "application/json"


def description(event_class: type) -> str:
    return f"{event_class.event_type} v{event_class.version}"


def closed_description(event_class: type) -> str:
    return f"{description(event_class)}, no other field"


def closed(fields: dict[str, Any]) -> Any:
    """An object with no key but these. Pact reads a consumer as tolerant of keys it did
    not ask for; ours are not: `envelope.decode` passes `data` to the event class as
    keyword arguments and the openhost codec refuses a field its DTO lacks, so a field a
    producer adds breaks every consumer that has not been deployed with it first.

    The rule checks key names only: in a pact, an object under it is no longer checked
    for missing keys. So each such expectation comes twice, open (every field there, with
    its type) and closed (no other field)."""
    names = "|".join(sorted(fields))
    return match.each_key_matches(
        fields, rules=match.regex(next(iter(fields)), regex=f"^({names})$")
    )


def envelope_like(event_class: type, data: Any, *, subject: str) -> dict[str, Any]:
    return {
        "id": match.uuid(EVENT_ID),
        "type": event_class.event_type,
        "dataversion": event_class.version,
        "source": event_class.source,
        "subject": match.str(subject),
        "sequence": match.int(1, min=1),
        "correlationid": match.str(CORRELATION_ID),
        "data": data,
    }


def expect(pact: Pact, event_class: type, data: dict[str, Any], *, subject: str) -> None:
    """The consumer expects `event_class` messages whose `data` has these fields, of these
    types (open), and no other field (closed)."""
    for name, fields in [
        (description(event_class), data),
        (closed_description(event_class), closed(data)),
    ]:
        pact.upon_receiving(name, "Async").with_body(
            envelope_like(event_class, fields, subject=subject), content_type=JSON
        )


def received(consumer: str, body: str | bytes) -> tuple[Any, list[str]]:
    """What `consumer`'s platform makes of a message: the handlers its inbox writes a row
    for (accepting.rows_for, as on delivery), and the event object they are called with
    (envelope.decode, as the inbox runs them). The event's values are also checked against
    its class's type hints by the openhost codec, which names a field that does not fit:
    the platform's decoder builds the dataclass without looking at types."""
    envelope = json.loads(body)
    handlers = [row["handler"] for row in rows_for(bus.store_of(consumer), envelope)]
    assert UNHANDLED not in handlers, f"{consumer} has no handler for {envelope['type']}"
    event = decode(envelope)
    assert codec.decode(type(event), envelope["data"], "data") == event
    return event, handlers


def deliver(pact: Pact, consumer: str) -> list[tuple[Any, list[str]]]:
    """Each of the pact's messages through `received`; any refusal fails the test with
    the message's description and the consumer's own error."""
    got: list[tuple[Any, list[str]]] = []
    errors = pact.verify(
        lambda body, _meta: got.append(received(consumer, body)), "Async", raises=False
    )
    assert not errors, [str(error) for error in errors]
    return got


def produced(event: Any) -> dict[str, Any]:
    """The envelope the producer's outbox holds for `event`: published with the real
    `publish()` on the producer's store and read back from the row, then rolled back, so
    no relay hands it on."""
    store = bus.store_of(event.source)
    with transaction.atomic(using=store.alias):
        sent = publish(event)
        stored = store.outbox.objects.using(store.alias).get(id=sent["id"]).envelope
        transaction.set_rollback(True, using=store.alias)
    return stored


def messages(*events: Any) -> dict[str, dict[str, Any]]:
    """The verifier's message handler: each event's envelope, under the descriptions of
    both its expectations."""
    found = {}
    for event in events:
        message = {"contents": json.dumps(produced(event)).encode(), "content_type": JSON}
        found[description(type(event))] = found[closed_description(type(event))] = message
    return found
