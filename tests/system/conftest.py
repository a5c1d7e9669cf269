"""Scenario tests drive the shop through its HTTP API, in each topology (topologies.py).

A test asks for `shop` (or for `customer` and `stocked`, made from it) and runs once per
topology that `--topology` selects. Tests marked `in_process` change the settings of, or
read the stores of, the process under test; they run in the default topology only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from types import SimpleNamespace

import pytest

from .topologies import TOPOLOGIES, InProcessShop, Shop, SplitShop, unique


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "in_process: changes the settings or reads the stores of the process under test; "
        "runs in the default topology only",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "topology" not in metafunc.fixturenames:
        return
    selected = metafunc.config.getoption("topology")
    if metafunc.definition.get_closest_marker("in_process"):
        selected = ["default"]  # and skipped below when the default topology is not selected
    metafunc.parametrize(
        "topology",
        # The split needs PostgreSQL (a database per service): skipped without it,
        # required in CI, as every PostgreSQL test is.
        [
            pytest.param(name, marks=[pytest.mark.postgres] if name == "split" else [])
            for name in selected
        ],
        indirect=True,
        scope="session",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "default" in config.getoption("topology"):
        return
    skip = pytest.mark.skip(reason="in_process: runs in the default topology only")
    for item in items:
        if item.get_closest_marker("in_process"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def topology(request) -> str:
    assert request.param in TOPOLOGIES
    return request.param


@pytest.fixture(scope="session")
def split_shop(tmp_path_factory) -> Iterator[SplitShop]:
    from tests.runtime.conftest import RedisServer

    redis = RedisServer(tmp_path_factory.mktemp("split-redis"))
    redis.start()
    running = SplitShop(tmp_path_factory.mktemp("split"), redis.url)
    try:
        running.start()
        yield running
    finally:
        running.stop()
        redis.stop()


@pytest.fixture
def shop(request, topology) -> Shop:
    if topology == "split":
        return request.getfixturevalue("split_shop")
    request.getfixturevalue("event_worker")  # the inline transport's worker thread
    return InProcessShop()


@pytest.fixture
def customer(shop):
    return shop.customers(1)[0]


@pytest.fixture
def stocked(shop) -> Callable[..., str]:
    """Add a product and count its stock as staff, over the API; returns its (unique) SKU."""
    staff = shop.staff()

    def add(sku: str, *, price: str = "10.00", on_hand: int = 10) -> str:
        sku = unique(sku)
        added = staff.post(
            "/api/v1/products",
            {"sku": sku, "name": sku.title(), "price": price, "currency": "EUR"},
            format="json",
        )
        assert added.status_code == 201, added.content
        # Inventory learns of the product from catalog's ProductAdded event.
        deadline = time.monotonic() + 30
        while (
            counted := staff.put(f"/api/v1/stock/{sku}", {"on_hand": on_hand}, format="json")
        ).status_code == 404:
            assert time.monotonic() < deadline, counted.content
            time.sleep(0.05)
        assert counted.status_code == 200, counted.content
        return sku

    return add


@pytest.fixture
def stock_of(shop) -> Callable[[str], SimpleNamespace]:
    """The stock of a SKU as the API reports it: on_hand, reserved, available."""
    staff = shop.staff()

    def read(sku: str) -> SimpleNamespace:
        answer = staff.get(f"/api/v1/stock/{sku}")
        assert answer.status_code == 200, answer.content
        return SimpleNamespace(**answer.json())

    return read
