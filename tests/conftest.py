"""Test databases that look like production: a store per context.

SQLite (default): Django creates one in-memory database per alias and migrates it.
PostgreSQL (SHOP_DATABASE_URL set): one test database, provisioned exactly like
production by `shop.platform.db.provisioning` (a schema and a role per alias), then
migrated alias by alias. Django's own setup cannot do this: aliases sharing a database
become mirrors and only the first is migrated (see docs/design.md §11).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections

REQUIRE_POSTGRES = os.environ.get("SHOP_TEST_REQUIRE_POSTGRES") == "1"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--topology",
        default="default,split",
        type=_topologies,
        help="the topologies the system tests (tests/system) run in, comma-separated: "
        "default (the embedded monolith, in this process), split (two services started "
        "for real; needs PostgreSQL). Default: default,split.",
    )


def _topologies(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = sorted(set(names) - {"default", "split"})
    if not names or unknown:
        raise argparse.ArgumentTypeError(
            f"unknown topology {unknown or value!r}: choose default, split or both"
        )
    return names


def pytest_configure(config: pytest.Config) -> None:
    # Hashing with production strength costs ~0.3 s a user; tests need no secrecy.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The test client speaks plain HTTP, as `make run-prod` does (SHOP_HTTPS=0); the suite
    # runs with SHOP_DEBUG off, so production's redirect to HTTPS would answer every request.
    # tests/api/test_security.py checks the redirect itself.
    settings.SECURE_SSL_REDIRECT = False
    # Pages render without `collectstatic` (the manifest storage needs collected files).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    if REQUIRE_POSTGRES and not settings.SHOP_USES_POSTGRES:
        raise pytest.UsageError(
            "SHOP_TEST_REQUIRE_POSTGRES=1 but SHOP_DATABASE_URL is not set: "
            "the PostgreSQL tests would be skipped."
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if settings.SHOP_USES_POSTGRES:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set SHOP_DATABASE_URL")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    # In CI, a PostgreSQL test that skips itself at run time is a failure, not a pass.
    report = (yield).get_result()
    if REQUIRE_POSTGRES and report.skipped and "postgres" in item.keywords:
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid} skipped although PostgreSQL is required"


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker):
    verbosity = request.config.option.verbose
    if not settings.SHOP_USES_POSTGRES:
        from django.test.utils import setup_databases, teardown_databases

        # One set of files per test run, so runs side by side (or xdist workers) never
        # share, and so never delete, each other's databases.
        for alias in connections:
            test = connections[alias].settings_dict["TEST"]
            test["NAME"] = test["NAME"].replace(".sqlite3", f"_{os.getpid()}.sqlite3")
        with django_db_blocker.unblock():
            config = setup_databases(
                verbosity=verbosity, interactive=False, aliases=set(connections)
            )
        yield
        with django_db_blocker.unblock():
            teardown_databases(config, verbosity=verbosity)
        return

    from shop.platform.db.config import postgres_targets
    from shop.platform.db.provisioning import drop_database, provision

    admin_url = os.environ["SHOP_DATABASE_ADMIN_URL"]
    targets = postgres_targets(settings.SHOP_CONTEXTS, os.environ["SHOP_DATABASE_URL"], os.environ)
    test_name = settings.DATABASES["default"]["TEST"]["NAME"]
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        test_name = f"{test_name}_{worker}"
    with django_db_blocker.unblock():
        drop_database(admin_url, test_name)
        provision(admin_url, [replace(t, dbname=test_name) for t in targets])
        for alias in connections:
            connections[alias].close()
            connections[alias].settings_dict["NAME"] = test_name
        for alias in connections:
            call_command("migrate", database=alias, interactive=False, verbosity=0)
    yield
    with django_db_blocker.unblock():
        connections.close_all()
        drop_database(admin_url, test_name)


T = TypeVar("T")


@pytest.fixture
def eventually() -> Callable[..., object]:
    """Poll `check` until it stops raising AssertionError (or time runs out, then re-raise).

    Scenario tests wait for an outcome this way instead of sleeping a guessed time.
    """

    def wait(check: Callable[[], T], *, timeout: float = 15.0, interval: float = 0.02) -> T:
        deadline = time.monotonic() + timeout
        while True:
            try:
                return check()
            except AssertionError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(interval)

    return wait


@pytest.fixture
def event_worker(transactional_db):
    """The inline transport's worker thread, as a web process runs it."""
    from shop.platform.events import worker

    running = worker.start()
    yield running
    worker.stop()


@pytest.fixture
def log_lines():
    """This process's log lines written during the test, as the JSON formatter writes them,
    parsed."""
    import io
    import json
    import logging

    import structlog

    from shop.platform.observability.logs import SHARED_PROCESSORS

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.JSONRenderer(),
            ],
            foreign_pre_chain=SHARED_PROCESSORS,
        )
    )
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
