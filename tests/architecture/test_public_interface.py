"""The allow-list rule behind the `public_interface` contract, on hand-built import graphs."""

from __future__ import annotations

import grimp
import pytest

from shop.platform.architecture.public_interface import find_private_imports

MODULES = [
    "shop",
    "shop.billing",
    "shop.billing.api",
    "shop.billing.events",
    "shop.billing.events.v2",
    "shop.billing.application",
    "shop.billing.application.issue_invoice",
    "shop.billing.apistuff",
    "shop.ordering",
    "shop.ordering.api",
    "shop.ordering.application",
    "shop.ordering.application.place_order",
    "shop.site",
    "shop.site.urls",
]


def graph_with(*imports: tuple[str, str]) -> grimp.ImportGraph:
    graph = grimp.ImportGraph()
    for module in MODULES:
        graph.add_module(module)
    for line_number, (importer, imported) in enumerate(imports, start=10):
        graph.add_import(
            importer=importer,
            imported=imported,
            line_number=line_number,
            line_contents=f"import {imported}",
        )
    return graph


def private_imports(graph: grimp.ImportGraph) -> list[str]:
    return [
        str(found)
        for found in find_private_imports(
            graph,
            containers=["shop.billing", "shop.ordering"],
            public_modules=["api", "events"],
        )
    ]


@pytest.mark.parametrize(
    "imported",
    ["shop.billing.api", "shop.billing.events", "shop.billing.events.v2"],
)
def test_public_modules_and_their_descendants_may_be_imported(imported):
    graph = graph_with(("shop.ordering.application.place_order", imported))

    assert private_imports(graph) == []


def test_a_context_imports_its_own_internals_freely():
    graph = graph_with(
        ("shop.billing.api", "shop.billing.application.issue_invoice"),
        ("shop.billing.application.issue_invoice", "shop.billing"),
    )

    assert private_imports(graph) == []


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        # Any other module is private, whether or not anyone ever listed it.
        ("shop.ordering.application.place_order", "shop.billing.application.issue_invoice"),
        # The package itself is not a back door to what its __init__ re-exports.
        ("shop.ordering.application.place_order", "shop.billing"),
        # A name that merely starts like a public module is not one.
        ("shop.ordering.application.place_order", "shop.billing.apistuff"),
        # Code outside every context is held to the same rule.
        ("shop.site.urls", "shop.ordering.application"),
    ],
)
def test_an_import_of_a_private_module_from_outside_is_reported(importer, imported):
    graph = graph_with(("shop.ordering.api", "shop.billing.api"), (importer, imported))

    assert private_imports(graph) == [f"{importer} -> {imported} (l.11)"]


def test_every_line_of_a_private_import_is_reported():
    importer, imported = "shop.site.urls", "shop.billing.application"
    graph = graph_with((importer, imported), (importer, imported))

    assert private_imports(graph) == [f"{importer} -> {imported} (l.10, l.11)"]


def test_a_container_missing_from_the_graph_is_an_error_not_a_pass():
    with pytest.raises(ValueError, match="shop.shipping"):
        find_private_imports(graph_with(), containers=["shop.shipping"], public_modules=["api"])
