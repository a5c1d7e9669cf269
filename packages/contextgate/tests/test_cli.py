"""``contextgate check``: its exit status (0 passed, 1 violations, 2 could not run), its
defaults, and the progress line it shows on a terminal only."""

from __future__ import annotations

import io
import sys
from contextlib import redirect_stdout

import pytest

import contextgate
from contextgate import cli
from contextgate.project import Project

from .trees import CLEAN, CONFIG, check, write

APPLICATION = "acme/sales/application.py"
PRIVATE = CLEAN[APPLICATION] + "from acme.apps.stock.models import Item\n"
FORBIDDEN_ONLY = """\
[importlinter]
root_packages =
    acme

[importlinter:contract:no-http]
name = No HTTP
type = forbidden
source_modules =
    acme
forbidden_modules =
    requests
"""


def test_a_clean_tree_passes_with_0(tmp_path):
    run = check(write(tmp_path), format="text")

    assert run.code == 0
    assert run.out.startswith("Architecture gate passed: 0 new violation(s)")
    assert run.err == ""


def test_a_violation_fails_with_1(tmp_path):
    assert check(write(tmp_path, {APPLICATION: PRIVATE})).code == 1


def test_the_sources_may_sit_in_src(tmp_path):
    write(tmp_path / "src", {APPLICATION: PRIVATE}, config=None)
    write(tmp_path, base={})

    (violation,) = check(tmp_path).violations

    assert violation["file"] == "src/acme/sales/application.py"


def test_path_defaults_to_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(write(tmp_path, {APPLICATION: PRIVATE}))

    run = check(None)

    assert run.code == 1
    assert [v["file"] for v in run.violations] == [APPLICATION]


@pytest.mark.parametrize(
    ("files", "config", "error"),
    [
        ({}, None, "importlinter.ini does not exist"),
        ({}, FORBIDDEN_ONLY, "must hold exactly one contract of type bounded_contexts, found 0"),
        (
            {},
            CONFIG + CONFIG.partition("\n\n")[2].replace(":contexts]", ":again]"),
            "must hold exactly one contract of type bounded_contexts, found 2",
        ),
        ({}, CONFIG.replace("public_modules =", "exports ="), "needs public_modules"),
        ({}, CONFIG.replace("    acme\n", "    acme\n    zenith\n", 1), "root package 'zenith'"),
        ({"acme/sales/broken.py": "def broken(:\n"}, CONFIG, "cannot parse "),
    ],
    ids=["no-config", "no-contract", "two-contracts", "bad-option", "no-root", "syntax-error"],
)
def test_a_gate_that_cannot_run_exits_with_2(tmp_path, files, config, error):
    run = check(write(tmp_path, files, config=config))

    assert run.code == 2
    assert run.out == ""
    assert run.err.startswith("contextgate: ")
    assert error in run.err


def test_a_syntax_error_is_reported_at_its_file_and_line(tmp_path):
    run = check(write(tmp_path, {"acme/sales/broken.py": "X = 1\ndef broken(:\n"}))

    assert run.code == 2
    assert f"{tmp_path}/acme/sales/broken.py:2" in run.err


def test_baseline_with_check_exits_with_2_and_writes_nothing(tmp_path):
    tree = write(tmp_path, {APPLICATION: PRIVATE})
    run = check(tree, "--baseline", "--check", "imports")

    assert run.code == 2
    assert "--baseline needs every check" in run.err
    assert list(tree.rglob("architecture_todo.toml")) == []


def test_version(capsys):
    with pytest.raises(SystemExit) as exit:
        cli.main(["--version"])

    assert exit.value.code == 0
    assert capsys.readouterr().out == f"contextgate {contextgate.__version__}\n"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(scope="module")
def big_tree(tmp_path_factory):
    """The clean tree with a domain package of 520 more modules."""
    modules = {f"acme/sales/domain/rule_{n}.py": f"LIMIT = {n}\n" for n in range(520)}
    return write(
        tmp_path_factory.mktemp("big"),
        {
            "acme/sales/domain.py": None,
            "acme/sales/domain/__init__.py": CLEAN["acme/sales/domain.py"],
            **modules,
        },
    )


def _stderr_of_a_run(monkeypatch, tree, stream):
    monkeypatch.setattr(sys, "stderr", stream)
    with redirect_stdout(io.StringIO()):
        assert cli.main(["check", str(tree), "--format", "json"]) == 0
    return stream.getvalue()


def test_a_big_tree_shows_progress_on_a_terminal(monkeypatch, big_tree):
    total = len(Project.load(big_tree).relevant)  # the files a check can find something in
    assert total >= cli.PROGRESS_FROM

    shown = _stderr_of_a_run(monkeypatch, big_tree, _Terminal())

    assert shown == (
        f"\rcontextgate: parsed 200/{total} files\rcontextgate: parsed 400/{total} files"
        f"\rcontextgate: parsed {total}/{total} files\n"
    )


def test_no_progress_when_stderr_is_not_a_terminal(monkeypatch, big_tree):
    assert _stderr_of_a_run(monkeypatch, big_tree, io.StringIO()) == ""


def test_a_small_tree_shows_no_progress_even_on_a_terminal(monkeypatch, tmp_path):
    assert _stderr_of_a_run(monkeypatch, write(tmp_path), _Terminal()) == ""
