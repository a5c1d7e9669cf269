"""The shop's architecture docs are generated from its code, and go stale when it changes.

`docs/architecture/` (context map, events, AsyncAPI, context canvases) is what
`manage.py contextgate_docs --write` writes, with the events from the shop's hook
(`shop.platform.events.catalogue`). These tests regenerate it and compare, plant drift (a
new subscription, a new event, a hand edit) and expect `contextgate_docs` to name the
stale files, and check that the AsyncAPI document describes the envelopes the event bus
really sends. Rendering from hand-made facts is tested with the package
(packages/contextgate/tests/test_docs.py).
"""

from __future__ import annotations

import enum
import importlib
import io
import json
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pytest
import yaml
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator
from referencing import Registry
from referencing.jsonschema import DRAFT7

from contextgate import docs
from contextgate.django_mode import registry_models
from contextgate.docs import asyncapi, catalogue
from contextgate.docs.facts import gather, store_aliases
from contextgate.project import Project
from shop.billing.events import InvoiceIssued
from shop.platform.events import bus, integration_event, registry
from shop.platform.events.catalogue import NoSchema, object_schema, type_schema
from shop.platform.events.envelope import build

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "architecture"
REGENERATE = "python manage.py contextgate_docs --write"


def files_under(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): path.read_text()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def shop() -> Project:
    return Project.load(ROOT, models=registry_models)


def declared_events(shop: Project) -> list[type]:
    """The contexts' events (not the probes other tests register)."""
    for context in shop.declaration.contexts:
        importlib.import_module(f"{context.package}.events")  # where they register
    return [cls for cls in registry.all() if shop.declaration.context_of(cls.__module__)]


@pytest.fixture
def docs_copy(tmp_path: Path) -> Path:
    """The committed docs in a folder of their own, to compare with the real code."""
    shutil.copytree(DOCS, tmp_path / "architecture")
    return tmp_path / "architecture"


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A project root holding the shop's importlinter.ini, its source (linked, not
    copied: only read) and a copy of the committed docs, for the command in process."""
    shutil.copy2(ROOT / "importlinter.ini", tmp_path / "importlinter.ini")
    (tmp_path / "src").symlink_to(ROOT / "src", target_is_directory=True)
    shutil.copytree(DOCS, tmp_path / "docs" / "architecture")
    return tmp_path


@pytest.fixture
def private_bus(monkeypatch):
    """Subscriptions added in the test vanish after it."""
    monkeypatch.setattr(
        bus, "_by_type", defaultdict(list, {k: list(v) for k, v in bus._by_type.items()})
    )
    monkeypatch.setattr(bus, "_by_name", dict(bus._by_name))
    return bus


@pytest.fixture
def private_registry(monkeypatch):
    """Event classes declared in the test vanish after it."""
    monkeypatch.setattr(registry, "_by_type", dict(registry._by_type))
    return registry


@pytest.fixture(scope="module")
def asyncapi_document() -> dict:
    return yaml.safe_load((DOCS / asyncapi.FILENAME).read_text())


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def contextgate_docs(*args: str, path: Path) -> Run:
    """``manage.py contextgate_docs ARGS --path PATH`` in this process."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("contextgate_docs", *args, "--path", str(path), stdout=out, stderr=err)
    except CommandError as error:
        return Run(error.returncode, out.getvalue(), str(error))
    return Run(0, out.getvalue(), err.getvalue())


def test_committed_docs_are_what_the_code_generates(shop):
    generated = docs.generate(shop)

    committed = files_under(DOCS)
    assert sorted(generated) == sorted(committed)
    for name, text in generated.items():
        assert committed[name] == text, f"{name} is stale: run {REGENERATE}"
    # The context map, the events in two forms, and one canvas per declared context.
    pages = ["asyncapi.yaml", "context-map.md", "events.md"]
    assert sorted(generated) == sorted(
        pages + [f"contexts/{c}.md" for c in shop.declaration.labels]
    )
    assert contextgate_docs("--check", path=ROOT) == Run(
        0, f"contextgate_docs: the {len(generated)} files in docs/architecture match the code\n", ""
    )


def test_the_shop_names_its_event_catalogue_in_the_declaration(shop):
    assert catalogue.hook_path(shop) == "shop.platform.events.catalogue:catalogue"
    found = catalogue.load(shop)

    assert {(e.type, e.version) for e in found.events} == {
        (cls.event_type, cls.version) for cls in declared_events(shop)
    }
    assert found.envelope is not None and found.envelope.name == "CloudEventsEnvelope"


def test_every_context_has_a_canvas_and_every_event_a_section(shop):
    events_page = (DOCS / "events.md").read_text()

    for context in shop.declaration.labels:
        assert (DOCS / "contexts" / f"{context}.md").exists()
    for cls in declared_events(shop):
        assert f"## {cls.event_type} v{cls.version}" in events_page


def test_a_new_subscription_makes_the_docs_stale_until_they_are_regenerated(
    shop, docs_copy, private_bus
):
    def when_billing_invoice_issued_welcome_customer(event):
        """A handler as a catalog team would write it in its subscribers module."""

    when_billing_invoice_issued_welcome_customer.__module__ = "shop.catalog.subscribers"
    private_bus.subscribe(
        InvoiceIssued, when_billing_invoice_issued_welcome_customer, context="catalog"
    )

    expected = docs.generate(shop)
    stale = docs.compare(docs_copy, expected)

    assert {s.name for s in stale} == {
        "asyncapi.yaml",
        "context-map.md",
        "contexts/billing.md",
        "contexts/catalog.md",
        "events.md",
    }
    docs.write(docs_copy, expected)
    assert docs.compare(docs_copy, docs.generate(shop)) == []
    regenerated = (docs_copy / "events.md").read_text()
    assert "catalog (`when_billing_invoice_issued_welcome_customer`)" in regenerated


def test_events_and_handlers_outside_the_contexts_are_left_out(
    shop, docs_copy, private_bus, private_registry
):
    @integration_event("catalog.ProbeDocumented", subject="key")
    class ProbeDocumented:
        """A test's event: its module is no context's."""

        key: str

    def when_catalog_probe_documented_note(event):
        """A test's handler, subscribed in a context's name."""

    def when_billing_invoice_issued_note(event):
        """A test's handler of a context's event."""

    private_bus.subscribe(ProbeDocumented, when_catalog_probe_documented_note, context="ordering")
    private_bus.subscribe(InvoiceIssued, when_billing_invoice_issued_note, context="ordering")

    assert ProbeDocumented in private_registry.all()
    assert docs.compare(docs_copy, docs.generate(shop)) == []


def test_a_hand_edited_missing_or_orphaned_doc_is_reported_at_its_first_stale_line(shop, checkout):
    # The canvas of a context that is no longer declared (none is named "retired").
    assert "retired" not in shop.declaration.labels
    folder = checkout / "docs" / "architecture"
    events_page = folder / "events.md"
    lines = events_page.read_text().splitlines()
    original = lines[9]
    lines[9] = "| hand-written row |"
    events_page.write_text("\n".join(lines) + "\n")
    (folder / "contexts" / "billing.md").unlink()
    (folder / "contexts" / "retired.md").write_text("# retired\n")

    stale = contextgate_docs(path=checkout)

    assert stale.code == 1, stale
    assert stale.out.splitlines() == [
        "docs/architecture/contexts/billing.md is missing",
        "docs/architecture/contexts/retired.md describes no declared context",
        "docs/architecture/events.md is stale (first difference at line 10)",
        "    committed: | hand-written row |",
        f"    generated: {original}",
    ]
    assert REGENERATE in stale.err
    written = contextgate_docs("--write", path=checkout)
    assert written.code == 0, written
    assert written.out.splitlines() == [
        "Wrote docs/architecture/contexts/billing.md",
        "Wrote docs/architecture/events.md",
        "Removed docs/architecture/contexts/retired.md",
    ]
    assert contextgate_docs("--check", path=checkout).code == 0
    assert files_under(folder) == files_under(DOCS)


def test_no_declared_docs_dir_is_a_usage_error_in_one_line(tmp_path):
    config = (ROOT / "importlinter.ini").read_text().splitlines()
    kept = [line for line in config if not line.startswith("docs_dir")]
    assert len(kept) == len(config) - 1
    (tmp_path / "importlinter.ini").write_text("\n".join(kept) + "\n")

    run = contextgate_docs(path=tmp_path)

    assert run.code == 2
    assert "declares no docs_dir" in run.err and "\n" not in run.err


def test_without_pyyaml_the_command_says_how_to_install_it(checkout, monkeypatch):
    monkeypatch.setitem(sys.modules, "yaml", None)

    run = contextgate_docs("--write", path=checkout)

    assert run == Run(2, "", "contextgate_docs: PyYAML is missing: pip install contextgate[docs]")


def test_a_failing_hook_is_a_usage_error_naming_it(shop, monkeypatch):
    def broken() -> dict:
        raise RuntimeError("the bus is not wired")

    monkeypatch.setattr("shop.platform.events.catalogue.catalogue", broken)

    run = contextgate_docs(path=ROOT)

    assert run.code == 2
    assert "shop.platform.events.catalogue:catalogue failed" in run.err
    assert "the bus is not wired" in run.err


@pytest.fixture
def shop_copy(tmp_path: Path) -> Path:
    """A copy of the project (source, manage.py, importlinter.ini, the committed docs) to
    change and run the command on in a process of its own."""
    shutil.copytree(
        ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    for name in ("manage.py", "importlinter.ini"):
        shutil.copy2(ROOT / name, tmp_path / name)
    shutil.copytree(DOCS, tmp_path / "docs" / "architecture")
    return tmp_path


def run_in(root: Path, *args: str) -> subprocess.CompletedProcess:
    """``manage.py contextgate_docs ARGS`` in a copy of the project, on its own source."""
    env = {
        **os.environ,
        "PYTHONPATH": str(root / "src"),
        "SHOP_SECRET_KEY": "architecture-docs-test",
        "SHOP_DATA_DIR": str(root / "var"),
    }
    return subprocess.run(
        [sys.executable, "manage.py", "contextgate_docs", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_new_event_makes_the_docs_stale_until_they_are_regenerated(shop_copy):
    events = shop_copy / "src" / "shop" / "catalog" / "events.py"
    events.write_text(
        events.read_text()
        + "\n\n"
        + '@integration_event("catalog.ProductRenamed", subject="sku")\n'
        + "class ProductRenamed(IntegrationEvent):\n"
        + '    """A product is sold under a new name."""\n'
        + "\n"
        + "    sku: str\n"
        + "    name: str\n"
        + "\n\n"
        + '__all__ += ["ProductRenamed"]\n'
    )

    stale = run_in(shop_copy, "--check")
    regenerated = run_in(shop_copy, "--write")
    fresh = run_in(shop_copy)

    assert stale.returncode == 1, stale.stdout + stale.stderr
    named = {line.split()[0] for line in stale.stdout.splitlines() if not line.startswith(" ")}
    assert named == {
        "docs/architecture/asyncapi.yaml",
        "docs/architecture/context-map.md",
        "docs/architecture/contexts/catalog.md",
        "docs/architecture/events.md",
    }
    assert "first difference at line" in stale.stdout
    assert regenerated.returncode == 0, regenerated.stdout + regenerated.stderr
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    events_page = (shop_copy / "docs" / "architecture" / "events.md").read_text()
    assert "## catalog.ProductRenamed v1" in events_page


def test_a_new_api_function_changes_its_canvas(shop, tmp_path):
    (tmp_path / "src").mkdir()
    shutil.copytree(ROOT / "src" / "shop", tmp_path / "src" / "shop")
    shutil.copy2(ROOT / "importlinter.ini", tmp_path / "importlinter.ini")
    api = tmp_path / "src" / "shop" / "catalog" / "api.py"
    api.write_text(
        api.read_text()
        + '\n\ndef retire_product(sku: str) -> None:\n    """Stop selling a product."""\n'
        + '\n\n__all__ += ["retire_product"]\n'
    )
    changed = Project.load(tmp_path, models=registry_models)
    found = catalogue.load(changed)

    before = docs.render(gather(shop, found, store_aliases))
    after = docs.render(gather(changed, found, store_aliases))

    assert {name for name in after if after[name] != before[name]} == {"contexts/catalog.md"}
    assert (
        "- `retire_product(sku: str) -> None`: Stop selling a product."
        in after["contexts/catalog.md"]
    )


# The AsyncAPI document.


def resolve(document: dict, reference: str):
    assert reference.startswith("#/"), reference
    node = document
    for part in reference[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_asyncapi_yaml_reads_back_as_the_document_generated(shop, asyncapi_document):
    facts = gather(shop, catalogue.load(shop), store_aliases)

    assert asyncapi_document == asyncapi.document(facts)


def test_asyncapi_has_one_channel_per_event_type_and_operations_on_existing_messages(
    shop, asyncapi_document
):
    document = asyncapi_document
    events = declared_events(shop)
    assert document["asyncapi"] == "3.0.0"
    assert {"title", "version"} <= set(document["info"])
    assert set(document["channels"]) == {cls.event_type for cls in events}
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

    assert sends == {(cls.source, cls.event_type) for cls in events}
    assert receives == {
        (s.event_type, s.name)
        for s in bus.subscriptions()
        if shop.declaration.context_of(s.handler.__module__)
    }


def payload_validator(document: dict, event_class: type) -> Draft7Validator:
    schemas = Registry().with_resource("urn:asyncapi", DRAFT7.create_resource(document))
    key = f"{event_class.event_type}.v{event_class.version}"
    return Draft7Validator(
        {"$ref": f"urn:asyncapi#/components/messages/{key}/payload"}, registry=schemas
    )


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_every_envelope_the_bus_sends_matches_its_asyncapi_payload(shop, asyncapi_document, data):
    for event_class in declared_events(shop):
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


# JSON Schema from event dataclasses (the catalogue's).


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
