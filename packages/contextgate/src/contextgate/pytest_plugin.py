"""The runtime guard as a pytest plugin: every test fails on a query of another store's tables.

The package's entry point loads this module in every project that installs it, so it
does nothing unless asked: ``contextgate_guard = true`` in the pytest configuration, or
``--contextgate-guard`` on the command line. Enabled, it installs one `TableGuard`
(strict: a cross-alias statement raises `CrossContextQuery` before it reaches the store)
for the session and fails each test during which the guard recorded an access, even one
whose exception the code under test swallowed.

The guard is built on first use, in a session fixture, because the table owners come from
Django's models and router, which are ready only once Django is set up (pytest-django does
it while pytest starts; a project may also configure settings in its own
``pytest_configure``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from contextgate.guard import TableGuard

INI = "contextgate_guard"
FLAG = "--contextgate-guard"

_ENABLE = f"set `{INI} = true` in the pytest configuration or pass {FLAG}"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        INI,
        type="bool",
        default=False,
        help="fail every test during which a database alias queries another alias's tables "
        "(contextgate runtime guard; needs Django)",
    )
    parser.getgroup("contextgate").addoption(
        FLAG,
        action="store_true",
        default=False,
        dest="contextgate_guard",
        help=f"enable the contextgate runtime guard, as `{INI} = true` does",
    )


def enabled(config: pytest.Config) -> bool:
    return bool(config.getoption("contextgate_guard") or config.getini(INI))


def pytest_configure(config: pytest.Config) -> None:
    if enabled(config):
        config.pluginmanager.register(_EveryTest(), "contextgate-guard-checks")


def pytest_sessionstart(session: pytest.Session) -> None:
    # After every pytest_configure, so settings configured there count.
    if enabled(session.config):
        _require_django()


def _require_django() -> None:
    try:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured
    except ImportError:
        raise pytest.UsageError(
            f"{INI} is enabled but Django is not installed: the guard watches Django's "
            "database connections."
        ) from None
    try:
        settings.DATABASES  # noqa: B018 - reading it configures the settings or says why not
    except (ImproperlyConfigured, ImportError) as error:
        raise pytest.UsageError(
            f"{INI} is enabled but Django is not configured ({error}). Point pytest at your "
            "settings: DJANGO_SETTINGS_MODULE in the environment, or with pytest-django "
            "the `DJANGO_SETTINGS_MODULE` ini option or --ds."
        ) from None


@pytest.fixture(scope="session")
def contextgate_guard(pytestconfig: pytest.Config) -> Iterator[TableGuard]:
    """The session's guard; ``with contextgate_guard.allowed():`` lets a statement through,
    for a test that checks the store itself refuses it."""
    if not enabled(pytestconfig):
        pytest.fail(f"the contextgate guard is not enabled: {_ENABLE}", pytrace=False)
    from django.apps import apps

    if not apps.ready:
        import django

        django.setup()
    guard = TableGuard.from_models(strict=True)
    guard.install()
    yield guard
    guard.uninstall()


class _EveryTest:
    """Registered only when the guard is enabled, so other projects get no autouse fixture."""

    @pytest.fixture(autouse=True)
    def _contextgate_no_cross_alias_queries(self, contextgate_guard: TableGuard) -> Iterator[None]:
        contextgate_guard.take()  # what ran outside any test (setup, other threads) is not its doing
        yield
        found = contextgate_guard.take()
        if found:
            pytest.fail(
                "Cross-alias queries during this test (contextgate runtime guard):\n"
                + "\n".join(f"  {access}" for access in found)
                + "\nA test that must reach the store with such a statement wraps it in "
                "`with contextgate_guard.allowed():`.",
                pytrace=False,
            )
