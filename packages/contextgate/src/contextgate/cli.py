"""``contextgate check [PATH]``: the gate from the source tree alone.

Reads PATH/importlinter.ini and the root packages' source under PATH (or PATH/src); needs
neither the project's dependencies nor its settings, and reads no environment variable.
``manage.py contextgate`` (`contextgate.management`) runs the same gate with Django's
app registry. Exit status: 0 passed, 1 violations (new ones or stale ratchet entries),
2 the gate could not run (no declaration, a bad option).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from grimp.exceptions import SourceSyntaxError

from contextgate import __version__, gate, ratchet, reports, sarif
from contextgate.checks import CHECKS
from contextgate.declaration import CONFIG, DeclarationError
from contextgate.project import Project

PASSED, FAILED, UNUSABLE = 0, 1, 2
FORMATS = ("text", "json", "sarif", "github")
PROGRESS_FROM = 500  # files: below that a run is too quick to need a progress line


def add_options(parser: argparse.ArgumentParser) -> None:
    """The options both modes take."""
    parser.add_argument(
        "--config", default=CONFIG, help="the import-linter file (default: %(default)s)"
    )
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument(
        "--check",
        action="append",
        choices=[check.id for check in CHECKS],
        help="run only this check (repeatable); ratchet entries of the others are kept",
    )
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="write every owner's architecture_todo.toml to tolerate exactly today's "
        "violations (keeping the reasons already written), then check",
    )


def run(project: Project, options: Any, out: TextIO, log: Callable[[str], None]) -> int:
    """Run the gate on `project` as `options` ask; print the report; the exit status."""
    try:
        return _run(project, options, out, log)
    except SyntaxError as error:
        log(f"contextgate: cannot parse {error.filename}:{error.lineno}: {error.msg}")
    except SourceSyntaxError as error:  # the same, found first by grimp
        log(f"contextgate: cannot parse {error.filename}:{error.lineno}: {error.text}")
    return UNUSABLE


def _run(project: Project, options: Any, out: TextIO, log: Callable[[str], None]) -> int:
    checks = [c for c in CHECKS if not options.check or c.id in options.check]
    if options.baseline:
        if options.check:
            log("contextgate: --baseline needs every check: drop --check")
            return UNUSABLE
        violations, _, _ = gate.find_violations(project, checks)
        entries, _ = ratchet.read(project)
        for path in ratchet.write(project, violations, entries):
            log(f"Wrote {project.relpath(path)}")
    outcome = gate.run(project, checks)
    render = {
        "text": lambda: reports.as_text(outcome, project.declaration.labels),
        "json": lambda: reports.as_json(outcome),
        "sarif": lambda: sarif.as_sarif(outcome),
        "github": lambda: reports.as_github(outcome),
    }[options.format]
    out.write(render())
    return PASSED if outcome.passed else FAILED


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="contextgate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"contextgate {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check the project at PATH from its source")
    check.add_argument("path", nargs="?", default=".", type=Path, help="the project's root")
    add_options(check)
    options = parser.parse_args(argv)

    def log(line: str) -> None:
        sys.stderr.write(line + "\n")

    try:
        project = Project.load(options.path, options.config, progress=_progress(sys.stderr))
        return run(project, options, sys.stdout, log)
    except DeclarationError as error:
        log(f"contextgate: {error}")
        return UNUSABLE


def _progress(stream: TextIO) -> Callable[[int, int], None] | None:
    """A progress line on a terminal, for a tree big enough to wait for."""
    if not stream.isatty():
        return None

    def show(done: int, total: int) -> None:
        if total >= PROGRESS_FROM:
            end = "\n" if done == total else ""
            stream.write(f"\rcontextgate: parsed {done}/{total} files{end}")
            stream.flush()

    return show


if __name__ == "__main__":
    sys.exit(main())
