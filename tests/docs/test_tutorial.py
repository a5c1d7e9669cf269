"""docs/tutorial/ ("Your first hour") replayed, so that it cannot rot.

Each step is a page, docs/tutorial/NN-name.md, and a folder, docs/tutorial/code/NN-name/,
holding the files the reader writes in that step as they are at its end (step 1 writes
none: a command generates the context). The pages follow three conventions, which these
tests read:

- a line `` `PATH`: `` right above a fenced block: the block is the whole file PATH, byte
  for byte the one in the step's folder; every file of the folder is shown so, once;
- a line `` `COMMAND` prints: `` (or ``prints (trimmed):``) right above a block: what that
  command, one the step runs, prints; each line shown occurs in its output, in order, a
  line ``...`` standing for lines left out and ``...`` within a line for any text;
- a line ``Excerpt of `PATH`:`` right above a block: lines of PATH as it is after the step;
- a line ``From `OLD` to `NEW`:`` right above a ``diff`` block: its context and removed
  lines are lines of OLD, its context and added lines lines of NEW, after the step.

The replay builds the tutorial in a copy of the repository's tracked files: `startcontext`,
then each step's folder laid over the copy, then the commands of STEPS, each of which the
step's page shows in a ``sh`` block. The gate in step 4 must fail with the message shown,
and pass again in step 5. The commands run as the reader runs them, with these savings:
`contextgate check .` runs in this process, and pytest gets `-p no:cacheprovider`. Subprocesses
see the copy's `src/` first (PYTHONPATH) and none of this process's SHOP_* variables, so
they run on SQLite, as a fresh clone does. A tree with a shipping context of its own (a
reader's, halfway through; the copy tests/scaffold/test_startcontext.py makes) skips the
replay: the tutorial is what builds one.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from tests.repository_copy import tracked_copy

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = ROOT / "docs" / "tutorial"
CODE = TUTORIAL / "code"
BIN = Path(sys.executable).parent
# The module the reader copies into src/ is first-party there; here it is only a fixture.
RUFF_FIRST_PARTY = "lint.isort.known-first-party = ['shop']"


@dataclass(frozen=True)
class Run:
    """A command a step's page tells the reader to run, exactly as shown."""

    command: str
    fails: bool = False  # the reader is meant to see it fail


STEPS: dict[str, tuple[Run, ...]] = {
    "01-bounded-context": (
        Run("SHOP_DEBUG=1 .venv/bin/python manage.py startcontext shipping --aggregate Shipment"),
        Run(".venv/bin/contextgate check ."),
        Run("SHOP_DEBUG=1 .venv/bin/python manage.py contextgate"),
    ),
    "02-aggregate": (
        Run(
            "SHOP_DEBUG=1 .venv/bin/python manage.py makemigrations shipping"
            " --name shipment_lifecycle"
        ),
        Run(".venv/bin/ruff format src/shop/shipping/migrations"),
        Run(".venv/bin/contextgate check ."),
        Run(".venv/bin/pytest -q tests/shipping"),
    ),
    "03-events": (
        Run(".venv/bin/contextgate check ."),
        Run(".venv/bin/pytest -q tests/shipping"),
    ),
    "04-policy": (
        Run(".venv/bin/contextgate check .", fails=True),
        Run(".venv/bin/pytest -q tests/shipping"),
    ),
    "05-anti-corruption-layer": (
        Run(".venv/bin/contextgate check ."),
        Run(".venv/bin/pytest -q tests/shipping"),
    ),
    "06-open-host-service": (
        Run(".venv/bin/contextgate check ."),
        Run(
            ".venv/bin/pytest -q tests/shipping"
            " tests/architecture/test_api_returns_no_orm_objects.py"
        ),
    ),
    "07-saga": (
        Run(".venv/bin/contextgate check ."),
        Run("SHOP_DEBUG=1 .venv/bin/python manage.py contextgate"),
        Run(".venv/bin/pytest -q tests/shipping"),
        Run("SHOP_DEBUG=1 .venv/bin/python manage.py contextgate_docs --write"),
        Run("SHOP_DEBUG=1 .venv/bin/python manage.py contextgate_docs --check"),
        Run("SHOP_DEBUG=1 .venv/bin/python manage.py makemigrations --check --dry-run"),
        Run(".venv/bin/ruff check src/shop/shipping tests/shipping"),
        Run(".venv/bin/ruff format --check src/shop/shipping tests/shipping"),
    ),
    "08-own-service": (
        Run(
            "SHOP_DEBUG=1 SHOP_TOPOLOGY=topology/shipping.toml SHOP_SERVICE=shipping"
            " SHOP_EVENT_TRANSPORT=celery .venv/bin/python manage.py check"
        ),
    ),
}

OPENING = re.compile(r"^(`{3,}|~{3,})([\w+-]*)\s*$")
FILE = re.compile(r"^`([\w.-]+(?:/[\w.-]+)*)`:$")
PRINTS = re.compile(r"^`([^`]+)` prints(?: \(trimmed\))?:$")
EXCERPT = re.compile(r"^Excerpt of `([\w./-]+)`:$")
DIFF = re.compile(r"^From `([\w./-]+)` to `([\w./-]+)`:$")


@dataclass(frozen=True)
class Block:
    """A fenced block of a page: the line above it, its info string and its text."""

    page: str
    line: int  # of the opening fence, 1-based
    caption: str
    info: str
    text: str  # every line with its newline, as a file would hold it

    @property
    def where(self) -> str:
        return f"docs/tutorial/{self.page}.md:{self.line}"


def blocks(page: Path) -> list[Block]:
    lines = page.read_text().splitlines(keepends=True)
    found, index = [], 0
    while index < len(lines):
        opening = OPENING.match(lines[index].rstrip("\n"))
        if not opening:
            index += 1
            continue
        fence, end = opening[1], index + 1
        while end < len(lines) and lines[end].rstrip("\n") != fence:
            end += 1
        assert end < len(lines), f"{page.name}:{index + 1}: a fence never closed"
        caption = lines[index - 1].rstrip("\n") if index else ""
        found.append(
            Block(page.stem, index + 1, caption, opening[2], "".join(lines[index + 1 : end]))
        )
        index = end + 1
    return found


PAGES = {page.stem: blocks(page) for page in sorted(TUTORIAL.glob("[0-9][0-9]-*.md"))}


def files_shown(step: str) -> list[tuple[str, Block]]:
    return [(m[1], b) for b in PAGES[step] if (m := FILE.match(b.caption))]


def fixture_files(step: str) -> list[str]:
    """The files of a step's folder (caches left there by a tool are none of them)."""
    folder = CODE / step
    if not folder.is_dir():
        return []
    return sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and not any(_ignored(part) for part in p.relative_to(folder).parts)
    )


def _ignored(name: str) -> bool:
    return name.startswith(".") or name == "__pycache__"


def shell_lines(step: str) -> set[str]:
    return {line.strip() for b in PAGES[step] if b.info == "sh" for line in b.text.splitlines()}


def shows(shown: str, actual: str) -> list[str]:
    """The lines shown that do not occur in `actual` in the order shown (none: it shows it)."""
    actual_lines = [line.rstrip() for line in actual.splitlines()]
    missing, at = [], 0
    for line in (line.rstrip() for line in shown.splitlines()):
        if line.strip() == "...":
            continue
        pattern = re.compile(".*".join(map(re.escape, line.split("..."))))
        for index in range(at, len(actual_lines)):
            if pattern.fullmatch(actual_lines[index]):
                at = index + 1
                break
        else:
            missing.append(line)
    return missing


def test_every_step_has_a_page_a_replay_and_at_most_one_folder():
    folders = sorted(p.name for p in CODE.iterdir() if p.is_dir())

    assert sorted(PAGES) == sorted(STEPS)
    assert set(folders) <= set(PAGES), "a folder in docs/tutorial/code/ with no page"
    assert (TUTORIAL / "README.md").is_file()


@pytest.mark.parametrize("step", sorted(STEPS))
def test_every_file_shown_is_the_steps_file_byte_for_byte(step):
    for path, block in files_shown(step):
        fixture = CODE / step / path
        assert fixture.is_file(), f"{block.where} shows {path}, which code/{step}/ lacks"
        assert block.text.encode() == fixture.read_bytes(), (
            f"{block.where} differs from docs/tutorial/code/{step}/{path}"
        )


@pytest.mark.parametrize("step", sorted(STEPS))
def test_every_file_of_a_step_is_shown_once_on_its_page(step):
    shown = sorted(path for path, _ in files_shown(step))

    assert shown == fixture_files(step)


def test_no_page_but_a_steps_shows_a_file():
    index = blocks(TUTORIAL / "README.md")

    assert [b.where for b in index if FILE.match(b.caption)] == []


@pytest.mark.parametrize("step", sorted(STEPS))
def test_every_command_replayed_is_one_the_page_shows(step):
    commands = {run.command for run in STEPS[step]}
    shown = shell_lines(step)
    printed = [m[1] for b in PAGES[step] if (m := PRINTS.match(b.caption))]

    assert sorted(commands - shown) == []
    assert sorted(set(printed) - commands) == [], "an output shown for a command not replayed"


def test_the_step_that_breaks_a_boundary_shows_the_gates_refusal():
    (refusal,) = [
        b.text for b in PAGES["04-policy"] if b.caption.startswith("`.venv/bin/contextgate check")
    ]

    assert "Architecture gate FAILED" in refusal
    assert "src/shop/shipping/subscribers.py:" in refusal
    assert any(run.fails for run in STEPS["04-policy"])
    assert not any(run.fails for step in STEPS if step != "04-policy" for run in STEPS[step])


def test_the_code_is_clean_for_make_lint():
    ruff = str(BIN / "ruff")
    checked = subprocess.run(
        [ruff, "check", "--config", RUFF_FIRST_PARTY, "docs/tutorial/code"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    formatted = subprocess.run(
        [ruff, "format", "--check", "--config", RUFF_FIRST_PARTY, "docs/tutorial/code"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


@dataclass
class Outcome:
    command: str
    code: int
    output: str
    seconds: float = 0.0


@dataclass
class Replay:
    copy: Path
    outcomes: dict[str, list[Outcome]] = field(default_factory=dict)
    files: dict[tuple[str, str], str] = field(default_factory=dict)  # (step, path): text


def _ignored_names(folder: str, names: list[str]) -> set[str]:
    return {name for name in names if _ignored(name)}


def run(copy: Path, command: str) -> Outcome:
    """A command of the tutorial, in the copy, as the reader runs it from its root."""
    words = shlex.split(command)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOP_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    while "=" in words[0]:
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    program, args = words[0].removeprefix(".venv/bin/"), words[1:]
    if program == "contextgate":
        return _gate_in_process(copy, command, args)
    argv = {
        "python": [sys.executable, *args],
        "pytest": [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
    }.get(program, [str(BIN / program), *args])
    done = subprocess.run(
        argv,
        cwd=copy,
        env={**env, "PYTHONPATH": str(copy / "src")},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return Outcome(command, done.returncode, done.stdout + done.stderr)


def _timed(copy: Path, command: str) -> Outcome:
    started = time.perf_counter()
    outcome = run(copy, command)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _gate_in_process(copy: Path, command: str, args: list[str]) -> Outcome:
    """`contextgate check .`: static, from the copy's source alone, without a process."""
    from contextgate import cli

    assert args == ["check", "."], command
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = cli.main(["check", str(copy)])
    return Outcome(command, code, out.getvalue())


@pytest.fixture(scope="module")
def replayed(tmp_path_factory) -> Replay:
    if (ROOT / "src" / "shop" / "shipping").exists():
        pytest.skip("this tree has a shipping context already: the tutorial builds one")
    replay = Replay(tracked_copy(tmp_path_factory.mktemp("tutorial")))
    for step, runs in STEPS.items():
        if (CODE / step).is_dir():
            shutil.copytree(CODE / step, replay.copy, dirs_exist_ok=True, ignore=_ignored_names)
        replay.outcomes[step] = [_timed(replay.copy, r.command) for r in runs]
        for block in PAGES[step]:
            quoted = EXCERPT.match(block.caption) or DIFF.match(block.caption)
            for path in quoted.groups() if quoted else ():
                replay.files[step, path] = (replay.copy / path).read_text()
    return replay


@pytest.mark.parametrize("step", sorted(STEPS))
def test_each_step_does_what_its_page_says(replayed, step):
    runs = {o.command: o for o in replayed.outcomes[step]}
    for expected, outcome in zip(STEPS[step], replayed.outcomes[step], strict=True):
        failed = outcome.code != 0
        assert failed == expected.fails, (
            f"{step}: `{outcome.command}` exited {outcome.code}:\n{outcome.output[-3000:]}"
        )
    for block in PAGES[step]:
        if printed := PRINTS.match(block.caption):
            outcome = runs[printed[1]]
            assert shows(block.text, outcome.output) == [], (
                f"{block.where}: `{outcome.command}` printed:\n{outcome.output[-3000:]}"
            )
        elif excerpt := EXCERPT.match(block.caption):
            assert shows(block.text, replayed.files[step, excerpt[1]]) == [], block.where
        elif diff := DIFF.match(block.caption):
            old, new = (replayed.files[step, path] for path in diff.groups())
            assert shows(_side(block.text, "-"), old) == [], f"{block.where}: not in {diff[1]}"
            assert shows(_side(block.text, "+"), new) == [], f"{block.where}: not in {diff[2]}"


def _side(diff: str, sign: str) -> str:
    """One side of a diff: its context lines and those marked `sign`, unmarked."""
    return "".join(
        line[1:] + "\n" for line in diff.splitlines() if line[:1] in (" ", sign) and line[1:]
    )


def test_the_finished_context_is_shippings_alone(replayed):
    """The replay built a fifth context in its copy; the shop itself still has four."""
    settings_text = (replayed.copy / "src/shop/site/settings/core.py").read_text()

    assert '"billing", "shipping"]' in settings_text
    assert (replayed.copy / "src/shop/shipping/migrations/0002_shipment_lifecycle.py").is_file()
    assert not (ROOT / "src" / "shop" / "shipping").exists()
