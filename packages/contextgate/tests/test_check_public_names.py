"""Check 2, public names: another context takes only what a public module lists in
``__all__``, and a public function is not annotated to return an ORM object."""

from __future__ import annotations

from .trees import CLEAN, found, line, places, write

APPLICATION = "acme/sales/application.py"
STOCK_API = "acme/apps/stock/api.py"


def _public_names(tmp_path, files):
    return found(write(tmp_path, files), "public-names")


def test_the_clean_tree_takes_only_published_names(tmp_path):
    # sales.application uses stock.reserve and stock.item through `api as stock`.
    assert _public_names(tmp_path, {}) == []


def test_a_name_missing_from_all_is_found_where_it_is_taken(tmp_path):
    api = CLEAN[STOCK_API] + "\n\ndef restock(sku: str) -> None:\n    pass\n"
    application = CLEAN[APPLICATION] + (
        "from acme.apps.stock.api import ItemView, restock  # imported\n"
        "\n"
        "\n"
        "def refill(sku: str) -> ItemView:\n"
        "    stock.restock(sku)  # attribute\n"
        "    return stock.item(sku)\n"
    )
    violations = _public_names(tmp_path, {STOCK_API: api, APPLICATION: application})

    assert places(violations) == {
        (APPLICATION, line(application, "# imported")),
        (APPLICATION, line(application, "# attribute")),
    }
    assert {v["imported"] for v in violations} == {"acme.apps.stock.api.restock"}
    assert {v["context"] for v in violations} == {"sales"}
    assert violations[0]["message"] == (
        "acme.sales.application uses acme.apps.stock.api.restock, "
        "but acme.apps.stock.api does not list it in __all__."
    )


def test_a_fully_dotted_use_is_found_too(tmp_path):
    site = "import acme.apps.stock.api\n\nLOOKUP = acme.apps.stock.api.application  # planted\n"
    violations = _public_names(tmp_path, {"acme/site/settings.py": site})

    assert places(violations) == {("acme/site/settings.py", 3)}
    assert violations[0]["context"] == "site"


def test_a_public_module_without_all_publishes_nothing(tmp_path):
    api = CLEAN[STOCK_API].replace('__all__ = ["ItemView", "item", "reserve"]\n', "")
    violations = _public_names(tmp_path, {STOCK_API: api})

    assert places(violations) == {
        (APPLICATION, line(CLEAN[APPLICATION], "stock.reserve(")),
        (APPLICATION, line(CLEAN[APPLICATION], "stock.item(")),
    }
    assert all("acme.apps.stock.api declares no" in v["message"] for v in violations)


def test_an_all_that_cannot_be_read_without_running_it_publishes_nothing(tmp_path):
    computed = '__all__ = [name for name in ("ItemView", "item", "reserve")]'
    api = CLEAN[STOCK_API].replace('__all__ = ["ItemView", "item", "reserve"]', computed)
    violations = _public_names(tmp_path, {STOCK_API: api})

    assert {v["imported"] for v in violations} == {
        "acme.apps.stock.api.reserve",
        "acme.apps.stock.api.item",
    }
    assert all("acme.apps.stock.api declares no" in v["message"] for v in violations)


def test_an_all_built_in_steps_of_literals_is_read(tmp_path):
    steps = '__all__ = ["item"]\n__all__ += ["ItemView", "reserve"]'
    api = CLEAN[STOCK_API].replace('__all__ = ["ItemView", "item", "reserve"]', steps)

    assert _public_names(tmp_path, {STOCK_API: api}) == []


LEAKS = """\
from django.db.models import QuerySet

from acme.apps.stock.models import Item
from acme.apps.stock.models import Location as Place

__all__ = ["ItemView", "item", "reserve", "first", "named", "aliased", "some"]


def first() -> Item:  # class
    pass


def named(sku: str) -> "Item | None":  # string
    pass


def aliased(
    code: str,
) -> Place:  # alias
    pass


def some() -> QuerySet[ItemView]:  # queryset
    pass


def _private() -> Item:
    pass


def unpublished() -> Item:
    pass
"""


def test_a_public_function_annotated_to_return_orm_objects_is_found(tmp_path):
    api = CLEAN[STOCK_API].replace('__all__ = ["ItemView", "item", "reserve"]\n', "") + LEAKS
    violations = _public_names(tmp_path, {STOCK_API: api})

    assert {(v["line"], v["imported"]) for v in violations} == {
        (line(api, "# class"), "Item"),
        (line(api, "# string"), "Item"),
        (line(api, "# alias"), "Location"),
        (line(api, "# queryset"), "QuerySet"),
    }
    assert {v["file"] for v in violations} == {STOCK_API}
    assert {v["context"] for v in violations} == {"warehouse"}
    assert "acme.apps.stock.api.first is annotated to return Item" in violations[0]["message"]


def test_returning_a_frozen_dataclass_passes(tmp_path):
    # The clean api's item() returns ItemView, a dataclass of the api itself.
    assert "def item(sku: str) -> ItemView:" in CLEAN[STOCK_API]
    assert _public_names(tmp_path, {}) == []
