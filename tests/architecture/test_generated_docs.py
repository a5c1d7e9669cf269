"""The architecture docs are generated from the code, and the gate fails while they drift.

`docs/architecture/` (context map, events, AsyncAPI, context canvases) is what
`check_architecture --write-docs` writes. These tests regenerate it and compare, plant
drift (a new subscription, a new event, a hand edit) and expect the `docs` check to name
the stale files, and check that the AsyncAPI document describes the envelopes the event
bus really sends.
"""

from __future__ import annotations

import enum
import json
import shutil
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator
from referencing import Registry
from referencing.jsonschema import DRAFT7

from shop.billing.events import InvoiceIssued
from shop.platform.architecture import docs
from shop.platform.architecture.checks.docs import check_docs
from shop.platform.architecture.codebase import Codebase
from shop.platform.architecture.declaration import Architecture
from shop.platform.architecture.docs import asyncapi
from shop.platform.architecture.docs import yaml as docs_yaml
from shop.platform.architecture.docs.facts import gather
from shop.platform.architecture.docs.schema import NoSchema, object_schema, type_schema
from shop.platform.events import bus, registry
from shop.platform.events.envelope import build

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "architecture"
ARCHITECTURE = Architecture.from_settings()


def files_under(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): path.read_text()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def declared_events() -> list[type]:
    """The contexts' events (not the probes other tests register)."""
    return [cls for cls in registry.all() if ARCHITECTURE.context_of(cls.__module__)]


@pytest.fixture(scope="module")
def codebase() -> Codebase:
    return Codebase(ARCHITECTURE, workdir=ROOT)


@pytest.fixture
def docs_copy(tmp_path: Path) -> Codebase:
    """The committed docs in a temporary working directory, checked against the real code."""
    shutil.copytree(DOCS, tmp_path / ARCHITECTURE.docs_dir)
    return Codebase(ARCHITECTURE, workdir=tmp_path)


@pytest.fixture
def private_bus(monkeypatch):
    """Subscriptions added in the test vanish after it."""
    monkeypatch.setattr(
        bus, "_by_type", defaultdict(list, {k: list(v) for k, v in bus._by_type.items()})
    )
    monkeypatch.setattr(bus, "_by_name", dict(bus._by_name))
    return bus


@pytest.fixture(scope="module")
def asyncapi_document() -> dict:
    return yaml.safe_load((DOCS / asyncapi.FILENAME).read_text())


def test_committed_docs_are_what_the_code_generates(codebase, tmp_path):
    docs.write(Codebase(ARCHITECTURE, workdir=tmp_path))

    generated = files_under(tmp_path / ARCHITECTURE.docs_dir)
    committed = files_under(DOCS)
    assert sorted(generated) == sorted(committed)
    for name, text in generated.items():
        assert committed[name] == text, f"{name} is stale: run check_architecture --write-docs"
    assert check_docs(codebase) == []


def test_every_context_has_a_canvas_and_every_event_a_section():
    events_page = (DOCS / "events.md").read_text()

    for context in ARCHITECTURE.contexts:
        assert (DOCS / "contexts" / f"{context}.md").exists()
    for cls in declared_events():
        assert f"## {cls.event_type} v{cls.version}" in events_page


def test_a_new_subscription_makes_the_docs_stale_until_they_are_regenerated(docs_copy, private_bus):
    def when_billing_invoice_issued_welcome_customer(event):
        """A handler as a catalog team would write it in its subscribers module."""

    when_billing_invoice_issued_welcome_customer.__module__ = "shop.catalog.subscribers"
    private_bus.subscribe(
        InvoiceIssued, when_billing_invoice_issued_welcome_customer, context="catalog"
    )

    stale = check_docs(docs_copy)

    folder = ARCHITECTURE.docs_dir
    assert {v.file for v in stale} == {
        f"{folder}/asyncapi.yaml",
        f"{folder}/context-map.md",
        f"{folder}/contexts/billing.md",
        f"{folder}/contexts/catalog.md",
        f"{folder}/events.md",
    }
    assert {(v.check, v.context) for v in stale} == {("docs", "project")}
    assert all("--write-docs" in v.hint for v in stale)
    docs.write(docs_copy)
    assert check_docs(docs_copy) == []
    regenerated = (docs_copy.workdir / folder / "events.md").read_text()
    assert "catalog (`when_billing_invoice_issued_welcome_customer`)" in regenerated


def test_a_hand_edited_missing_or_orphaned_doc_is_reported_at_its_first_stale_line(docs_copy):
    folder = docs_copy.workdir / ARCHITECTURE.docs_dir
    events_page = folder / "events.md"
    lines = events_page.read_text().splitlines()
    lines[9] = "| hand-written row |"
    events_page.write_text("\n".join(lines) + "\n")
    (folder / "contexts" / "billing.md").unlink()
    (folder / "contexts" / "shipping.md").write_text("# shipping\n")

    found = {(v.file, v.line) for v in check_docs(docs_copy)}

    relative = ARCHITECTURE.docs_dir
    assert found == {
        (f"{relative}/events.md", 10),
        (f"{relative}/contexts/billing.md", 1),
        (f"{relative}/contexts/shipping.md", 1),
    }
    docs.write(docs_copy)
    assert check_docs(docs_copy) == []
    assert not (folder / "contexts" / "shipping.md").exists()


def test_a_new_event_fails_the_gate_until_the_docs_are_regenerated(project):
    project.plant(
        "catalog/events.py",
        "",
        "",
        '@integration_event("catalog.ProductRenamed", subject="sku")',
        "class ProductRenamed(IntegrationEvent):",
        '    """A product is sold under a new name."""',
        "",
        "    sku: str",
        "    name: str",
        "",
        "",
        '__all__ += ["ProductRenamed"]',
    )

    stale = project.run()
    regenerated = project.run("--write-docs")

    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert {(check, file) for check, file, _ in stale.found()} == {
        ("docs", "docs/architecture/asyncapi.yaml"),
        ("docs", "docs/architecture/context-map.md"),
        ("docs", "docs/architecture/contexts/catalog.md"),
        ("docs", "docs/architecture/events.md"),
    }
    assert regenerated.returncode == 0, regenerated.stdout + regenerated.stderr
    events_page = (project.root / "docs" / "architecture" / "events.md").read_text()
    assert "## catalog.ProductRenamed v1" in events_page


def test_no_docs_are_checked_when_the_declaration_asks_for_none(tmp_path):
    undeclared = Codebase(replace(ARCHITECTURE, docs_dir=None), workdir=tmp_path)

    assert check_docs(undeclared) == []


# The AsyncAPI document.


def resolve(document: dict, reference: str):
    assert reference.startswith("#/"), reference
    node = document
    for part in reference[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_asyncapi_yaml_reads_back_as_the_document_generated(codebase, asyncapi_document):
    assert asyncapi_document == asyncapi.document(gather(codebase))


def test_asyncapi_has_one_channel_per_event_type_and_operations_on_existing_messages(
    asyncapi_document,
):
    document = asyncapi_document
    assert document["asyncapi"] == "3.0.0"
    assert {"title", "version"} <= set(document["info"])
    assert set(document["channels"]) == {cls.event_type for cls in declared_events()}
    for name, channel in document["channels"].items():
        assert channel["address"] == name
        for message in channel["messages"].values():
            assert "payload" in resolve(document, message["$ref"])

    sends, receives = set(), set()
    for operation in document["operations"].values():
        channel_ref = operation["channel"]["$ref"]
        channel = resolve(document, channel_ref)
        assert operation["messages"], operation
        for message in operation["messages"]:
            assert message["$ref"].startswith(channel_ref + "/messages/")
            resolve(document, message["$ref"])
        (tag,) = operation["tags"]
        if operation["action"] == "send":
            sends.add((tag["name"], channel["address"]))
        else:
            assert operation["action"] == "receive"
            receives |= {(channel["address"], handler) for handler in operation["x-handlers"]}

    assert sends == {(cls.source, cls.event_type) for cls in declared_events()}
    assert receives == {
        (s.event_type, s.name)
        for s in bus.subscriptions()
        if ARCHITECTURE.context_of(s.handler.__module__)
    }


def payload_validator(document: dict, event_class: type) -> Draft7Validator:
    registry = Registry().with_resource("urn:asyncapi", DRAFT7.create_resource(document))
    key = f"{event_class.event_type}.v{event_class.version}"
    return Draft7Validator(
        {"$ref": f"urn:asyncapi#/components/messages/{key}/payload"}, registry=registry
    )


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_every_envelope_the_bus_sends_matches_its_asyncapi_payload(asyncapi_document, data):
    for event_class in declared_events():
        event = data.draw(st.builds(event_class), label=event_class.event_type)
        sequence = data.draw(st.integers(min_value=1, max_value=10**6))
        wire = json.loads(json.dumps(build(event, sequence=sequence)))

        errors = list(payload_validator(asyncapi_document, event_class).iter_errors(wire))

        assert errors == [], f"{event_class.event_type}: {[e.message for e in errors]}"


def test_an_envelope_with_the_wrong_data_or_type_does_not_match(asyncapi_document):
    from shop.ordering.events import OrderPlaced

    placed = OrderPlaced(
        order_id="o-1",
        customer_id=7,
        lines=(("MUG-1", 2, "4.50"),),
        total="9.00",
        currency="EUR",
        payment_token="tok_visa",
    )
    validator = payload_validator(asyncapi_document, OrderPlaced)
    wire = json.loads(json.dumps(build(placed, sequence=1)))
    assert validator.is_valid(wire)

    assert not validator.is_valid({**wire, "data": {**wire["data"], "customer_id": "7"}})
    assert not validator.is_valid({**wire, "data": {**wire["data"], "lines": [["MUG-1", 2]]}})
    assert not validator.is_valid({**wire, "type": "ordering.OrderConfirmed"})
    assert not validator.is_valid({k: v for k, v in wire.items() if k != "subject"})


# JSON Schema from dataclasses, and the YAML writer.


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclass(frozen=True)
class Point:
    """Somewhere."""

    x: int
    y: float = 0.0


@pytest.mark.parametrize(
    ("hint", "schema"),
    [
        (str, {"type": "string"}),
        (bool, {"type": "boolean"}),
        (int, {"type": "integer"}),
        (float, {"type": "number"}),
        (tuple[str, ...], {"type": "array", "items": {"type": "string"}}),
        (
            tuple[str, int],
            {
                "type": "array",
                "items": [{"type": "string"}, {"type": "integer"}],
                "additionalItems": False,
                "minItems": 2,
                "maxItems": 2,
            },
        ),
        (str | None, {"anyOf": [{"type": "string"}, {"type": "null"}]}),
        (dict[str, int], {"type": "object", "additionalProperties": {"type": "integer"}}),
        (Literal["a", "b"], {"enum": ["a", "b"]}),
        (Colour, {"enum": ["red", "blue"]}),
    ],
)
def test_field_types_map_to_json_schema(hint, schema):
    assert type_schema(hint, "Event.field") == schema


def test_a_dataclass_maps_to_an_object_whose_required_fields_have_no_default():
    assert object_schema(Point) == {
        "title": "Point",
        "description": "Somewhere.",
        "type": "object",
        "properties": {"x": {"type": "integer"}, "y": {"type": "number"}},
        "required": ["x"],
        "additionalProperties": False,
    }


def test_a_field_type_without_a_json_form_is_refused_by_name():
    from decimal import Decimal

    with pytest.raises(NoSchema, match=r"OrderPlaced\.total: .*Decimal"):
        type_schema(Decimal, "OrderPlaced.total")


def test_written_yaml_reads_back_as_the_same_data():
    data = {
        "asyncapi": "3.0.0",
        "yes": True,
        "$ref": "#/a/b",
        "odd key: with colon": None,
        "text": 'quotes " and \\ and\nnew lines, ünïcode',
        "numbers": [1, 2.5, -3],
        "nested": [{"a": [], "b": {}}, [["x"]], {"c": [{"d": 1}]}],
    }

    assert yaml.safe_load(docs_yaml.dump(data)) == data
