"""The pytest plugin, run for real on a tiny Django project written by each test.

The project has two SQLite stores: app ``alpha``'s table lives in alias ``default``, app
``beta``'s in alias ``beta`` (a router sends each app to its alias and migrates it only
there; pytest-django creates the tables). Each inner run is a separate process, so its
Django setup never meets the one of the run that executes these tests, and it loads the
plugin the way any project does: through the package's entry point.
"""

from __future__ import annotations

import textwrap

import pytest

pytest_plugins = ["pytester"]

# The package itself needs neither; the inner project needs both.
pytest.importorskip("django")
pytest.importorskip("pytest_django")

SETTINGS = """
SECRET_KEY = "not-secret"
INSTALLED_APPS = ["alpha", "beta"]
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"},
    "beta": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"},
}
DATABASE_ROUTERS = ["project_router.EachAppItsStore"]
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
"""

ROUTER = """
STORES = {"alpha": "default", "beta": "beta"}


class EachAppItsStore:
    def db_for_read(self, model, **hints):
        return STORES[model._meta.app_label]

    db_for_write = db_for_read

    def allow_migrate(self, db, app_label, **hints):
        return STORES.get(app_label) == db
"""

MODELS = {
    "alpha": """
from django.db import models


class Note(models.Model):
    text = models.CharField(max_length=20)
""",
    "beta": """
from django.db import models


class Entry(models.Model):
    amount = models.IntegerField()
""",
}

TESTS = '''
import pytest
from alpha.models import Note
from beta.models import Entry
from django.db import connections


@pytest.fixture
def stray_entry_table():
    """beta's table made in alpha's store too, through the raw sqlite3 connection (which
    no execute wrapper sees), so that without the guard the cross-store query succeeds."""
    connection = connections["default"]
    connection.ensure_connection()
    connection.connection.execute(
        'CREATE TABLE IF NOT EXISTS "beta_entry"'
        ' ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "amount" integer NOT NULL)'
    )


@pytest.mark.django_db(databases="__all__")
def test_cross_store(stray_entry_table):
    assert Entry.objects.using("default").count() == 0


@pytest.mark.django_db(databases="__all__")
def test_own_stores():
    Note.objects.create(text="hello")
    Entry.objects.create(amount=3)
    with connections["beta"].cursor() as cursor:
        cursor.execute("SELECT amount FROM beta_entry")
        assert cursor.fetchall() == [(3,)]
    assert (Note.objects.count(), Entry.objects.count()) == (1, 1)


@pytest.mark.django_db(databases="__all__")
def test_allowed(contextgate_guard, stray_entry_table):
    assert contextgate_guard.installed
    with contextgate_guard.allowed():
        assert Entry.objects.using("default").count() == 0
'''

REPORT = [
    "*Cross-alias queries during this test (contextgate runtime guard):",
    "*alias 'default' touched beta_entry, which belongs to 'beta':",
    '*SELECT COUNT(*) AS "__count" FROM "beta_entry"',
]


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    # The inner run must read its own settings: the outer run's are in the environment
    # (pytest-django exports DJANGO_SETTINGS_MODULE, pytest-env its `env` defaults).
    for name in ("DJANGO_SETTINGS_MODULE", "DJANGO_CONFIGURATION", "PYTEST_PLUGINS"):
        monkeypatch.delenv(name, raising=False)
    for name in _outer_env_names(pytester):
        monkeypatch.delenv(name, raising=False)
    pytester.makepyfile(
        project_settings=SETTINGS,
        project_router=ROUTER,
        test_inner=TESTS,
    )
    for app, models in MODELS.items():
        pytester.mkpydir(app)
        (pytester.path / app / "models.py").write_text(textwrap.dedent(models))
    return pytester


def _outer_env_names(pytester: pytest.Pytester) -> list[str]:
    try:
        lines = pytester._request.config.getini("env")
    except ValueError:  # pytest-env is not installed
        return []
    return [line.split("=", 1)[0].rsplit(":", 1)[-1].strip() for line in lines]


def _ini(pytester: pytest.Pytester, *, guard: bool, settings: bool = True) -> None:
    lines = ["[pytest]"]
    if settings:
        lines.append("DJANGO_SETTINGS_MODULE = project_settings")
    if guard:
        lines.append("contextgate_guard = true")
    pytester.makeini("\n".join(lines) + "\n")


def _run(
    pytester: pytest.Pytester, *args: str, load: tuple[str, ...] | None = ("django", "contextgate")
) -> pytest.RunResult:
    """Run pytest in `pytester`'s project with only the plugins `load` names (by entry point
    name: a second instead of two), or, with ``load=None``, every installed one, as a
    project would."""
    with pytest.MonkeyPatch.context() as env:
        plugins: list[str] = []
        if load is None:
            env.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
        else:
            env.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
            for name in load:
                plugins += ["-p", name]
        return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-v", *plugins, *args)


def test_a_cross_store_query_fails_its_test_with_the_guards_report(project):
    _ini(project, guard=True)

    result = _run(project, "test_inner.py::test_cross_store", load=None)

    # The statement raises before it reaches the store, and the test's teardown lists it.
    result.assert_outcomes(failed=1, errors=1)
    result.stdout.fnmatch_lines(["*CrossContextQuery: alias 'default' touched beta_entry*"])
    result.stdout.fnmatch_lines(REPORT)


def test_the_plugin_is_inert_unless_enabled(project):
    _ini(project, guard=False)

    result = _run(project, "test_inner.py::test_cross_store", load=None)

    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["plugins: *contextgate-*"])  # loaded, and did nothing
    result.stdout.no_fnmatch_line("*Cross-alias*")


def test_the_command_line_flag_enables_it_too(project):
    _ini(project, guard=False)

    result = _run(project, "--contextgate-guard", "test_inner.py::test_cross_store")

    result.assert_outcomes(failed=1, errors=1)
    result.stdout.fnmatch_lines(REPORT)


def test_each_model_on_its_own_store_passes(project):
    _ini(project, guard=True)

    result = _run(project, "test_inner.py::test_own_stores")

    result.assert_outcomes(passed=1)


def test_allowed_lets_a_statement_reach_the_store(project):
    _ini(project, guard=True)

    result = _run(project, "test_inner.py::test_allowed")

    result.assert_outcomes(passed=1)


def test_the_fixture_says_how_to_enable_the_guard(project):
    _ini(project, guard=False)

    result = _run(project, "test_inner.py::test_allowed")

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*the contextgate guard is not enabled: set `contextgate_guard*"])


def test_enabled_without_django_settings_is_a_usage_error(project):
    _ini(project, guard=True, settings=False)

    result = _run(project, "test_inner.py")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: contextgate_guard is enabled but Django is not configured*"]
    )
    result.stderr.no_fnmatch_line("*Traceback*")


def test_enabled_without_django_is_a_usage_error(project):
    _ini(project, guard=True, settings=False)
    project.makepyfile(no_django="import sys\n\nsys.modules['django'] = None\n")

    result = _run(project, "-p", "no_django", "test_inner.py", load=("contextgate",))

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: contextgate_guard is enabled but Django is not installed*"]
    )
    result.stderr.no_fnmatch_line("*Traceback*")
