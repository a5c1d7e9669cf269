"""The architecture gate's speed: `contextgate check` on the shop and on a large real tree.

Run (no database needed):

    .venv/bin/python bench/gate.py                  # the shop and a tree of 4,000+ files
    .venv/bin/python bench/gate.py --runs 5 --files 5000 --tree large
    .venv/bin/python bench/gate.py --tree shop --no-django

What it measures. For each tree, `--runs` times in turn:

- subprocess: ``contextgate check PATH --format json`` started with an empty environment
  (as ``make test`` runs it): wall time from start to exit, CPU time of the child (user +
  system, from ``getrusage``), so interpreter start-up and imports are included;
- in-process: ``Project.load`` then ``gate.run`` in this process, with the gate's modules
  already imported: wall time and this process's CPU time.

Each run reads the tree from scratch (a new `Project`; nothing is cached between runs).
Files are the modules the gate reads (``Project.files``), files/s is files over wall time.
It also prints each step of the median run as the JSON report's ``timings_ms`` gives it,
and for the shop ``SHOP_DEBUG=1 manage.py contextgate --format json`` (Django mode: the
same checks over Django's app registry, Django's start-up included in the wall time).

The trees. ``shop`` is this repository with its own importlinter.ini. ``large`` is built
once in bench/var/gate/large (rebuilt with ``--rebuild`` or another ``--files``): the
Python files of django-oscar (the release pinned in
packages/contextgate/tests/oscar/requirements.txt, fetched by pip into var/cache/oscar
with its hash checked), of Django, and of the largest other regular packages installed
in this virtualenv until ``--files`` is reached, each a root package. Its importlinter.ini
declares Oscar's apps as contexts (the same declaration as
packages/contextgate/tests/oscar/importlinter.ini) and django.contrib's apps that own
models; the other packages are simply read, parsed and put in the import graph, as a
large project's code is. The goals (not asserted): the shop under 1 s, 4,000 files under 5 s.
"""

from __future__ import annotations

import argparse
import ast
import configparser
import hashlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import sysconfig
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from _stores import machine, say

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OSCAR = ROOT / "packages" / "contextgate" / "tests" / "oscar"
WHEELS = ROOT / "var" / "cache" / "oscar"
TREES = ROOT / "bench" / "var" / "gate"
DJANGO_CONTEXTS = ("admin", "auth", "contenttypes", "flatpages", "redirects", "sessions", "sites")
GOALS = {"shop": 1.0, "large": 5.0}  # seconds of wall time, subprocess


@dataclass
class Run:
    wall: float
    cpu: float
    exit: int
    steps: dict[str, float]  # milliseconds, as timings_ms gives them


def main() -> None:
    args = parse_args()
    say(f"machine: {machine()}; load average {os.getloadavg()[0]:.2f} before the runs")
    for name in args.tree:
        path = ROOT if name == "shop" else large_tree(args.files, args.rebuild)
        bench_tree(name, path, args.runs)
        if name == "shop" and args.django:
            bench_django_mode(args.runs)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each mode (default: 3)")
    parser.add_argument(
        "--tree",
        action="append",
        choices=["shop", "large"],
        help="the trees to time; repeatable (default: both)",
    )
    parser.add_argument(
        "--files", type=int, default=4000, help="files of the large tree, at least (default: 4000)"
    )
    parser.add_argument("--rebuild", action="store_true", help="build the large tree again")
    parser.add_argument(
        "--no-django", dest="django", action="store_false", help="skip manage.py contextgate"
    )
    args = parser.parse_args()
    args.tree = args.tree or ["shop", "large"]
    return args


def bench_tree(name: str, path: Path, runs: int) -> None:
    from contextgate.project import Project

    project = Project.load(path)
    d = project.declaration
    size = sum(source.path.stat().st_size for source in project.files.values())
    say()
    say(
        f"tree {name}: {path}, {len(project.files)} files ({size / 1e6:.1f} MB) in "
        f"{len(d.roots)} root packages, {len(d.contexts)} contexts"
    )
    parsed = project.relevant
    say(
        f"  files a check can find something in, and so parsed: {len(parsed)} "
        f"({sum(len(s.text) for s in parsed) / 1e6:.1f} MB); the others are only read as text"
    )
    header = f"  {'mode':<12}{'run':>4}{'wall s':>9}{'cpu s':>8}{'files/s':>9}{'exit':>6}"
    say(header)
    say("  " + "-" * (len(header) - 2))
    measured = {"subprocess": [], "in-process": []}
    for run in range(1, runs + 1):
        for mode, measure in (("subprocess", in_subprocess), ("in-process", in_process)):
            result = measure(path)
            measured[mode].append(result)
            files = len(project.files) / result.wall
            say(
                f"  {mode:<12}{run:>4}{result.wall:>9.2f}{result.cpu:>8.2f}{files:>9,.0f}"
                f"{result.exit:>6}"
            )
    medians = {mode: _median_run(results) for mode, results in measured.items()}
    say(f"  steps of the median run, ms{'subprocess':>18}{'in-process':>12}")
    for step in medians["subprocess"].steps:
        sub, inp = medians["subprocess"].steps[step], medians["in-process"].steps.get(step, 0)
        say(f"    {step:<36}{sub:>10.1f}{inp:>12.1f}")
    wall = medians["subprocess"].wall
    goal = GOALS[name]
    verdict = "met" if wall < goal else "MISSED"
    say(
        f"  goal under {goal:.0f} s: {verdict} (median wall {wall:.2f} s in a subprocess, "
        f"{medians['in-process'].wall:.2f} s in process; "
        f"{len(project.files) / wall:,.0f} files/s)"
    )


def in_subprocess(path: Path) -> Run:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    child = subprocess.run(  # noqa: S603 - our own console script
        [str(BIN / "contextgate"), "check", str(path), "--format", "json"],
        capture_output=True,
        text=True,
        env={},
        check=False,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if child.returncode not in (0, 1):
        raise SystemExit(f"contextgate check {path} exited {child.returncode}:\n{child.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(wall, cpu, child.returncode, _steps(json.loads(child.stdout)["timings_ms"]))


def in_process(path: Path) -> Run:
    from contextgate import gate, reports
    from contextgate.project import Project

    started, cpu_started = time.perf_counter(), time.process_time()
    outcome = gate.run(Project.load(path))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    steps = _steps(json.loads(reports.as_json(outcome))["timings_ms"])
    return Run(wall, cpu, 0 if outcome.passed else 1, steps)


def bench_django_mode(runs: int) -> None:
    say()
    say("Django mode on the shop: SHOP_DEBUG=1 manage.py contextgate --format json")
    say(f"  {'run':>4}{'wall s':>9}{'cpu s':>8}{'gate ms':>9}{'exit':>6}")
    env = {**os.environ, "SHOP_DEBUG": "1"}
    for run in range(1, runs + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        child = subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", "contextgate", "--format", "json"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if child.returncode not in (0, 1):
            say(f"  manage.py contextgate exited {child.returncode}: {child.stderr.strip()[-500:]}")
            return
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        total = json.loads(child.stdout)["timings_ms"]["total"]
        say(f"  {run:>4}{wall:>9.2f}{cpu:>8.2f}{total:>9.1f}{child.returncode:>6}")


def _steps(timings: dict) -> dict[str, float]:
    return {**timings["setup"], **timings["checks"], "total (gate.run)": timings["total"]}


def _median_run(runs: list[Run]) -> Run:
    return sorted(runs, key=lambda run: run.wall)[len(runs) // 2]


# The large tree.


def large_tree(files: int, rebuild: bool) -> Path:
    """The tree, built if missing, rebuilt on request or for another number of files."""
    tree = TREES / "large"
    stamp = tree / "built.json"
    if not rebuild and stamp.exists() and json.loads(stamp.read_text())["files"] == files:
        return tree
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    say(f"building {tree} ({files}+ files): oscar, django, then the largest installed packages")
    with zipfile.ZipFile(oscar_wheel()) as wheel:
        wheel.extractall(tree, [n for n in wheel.namelist() if n.startswith("oscar/")])
    roots, count = ["oscar"], _python_files(tree / "oscar")
    for package in _installed_packages():
        if count >= files:
            break
        if not _parses(package):
            continue
        shutil.copytree(package, tree / package.name, ignore=_not_python)
        roots.append(package.name)
        count += _python_files(package)
    (tree / "importlinter.ini").write_text(_declaration(roots))
    stamp.write_text(json.dumps({"files": files, "roots": roots}))
    return tree


def oscar_wheel() -> Path:
    """The pinned django-oscar wheel: cached when its hash matches, else fetched by pip."""
    requirements = OSCAR / "requirements.txt"
    text = requirements.read_text()
    version = re.search(r"^django-oscar==(\S+)", text, re.MULTILINE)[1]
    digest = re.search(r"--hash=sha256:([0-9a-f]{64})", text)[1]

    def cached() -> list[Path]:
        return [
            path
            for path in WHEELS.glob(f"django_oscar-{version}-*.whl")
            if hashlib.sha256(path.read_bytes()).hexdigest() == digest
        ]

    if not cached():
        WHEELS.mkdir(parents=True, exist_ok=True)
        subprocess.run(  # noqa: S603 - our own interpreter's pip
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
            + ["--require-hashes", "-r", str(requirements), "-d", str(WHEELS)],
            check=True,
        )
    return cached()[0]


def _installed_packages() -> list[Path]:
    """Regular packages of this virtualenv, Django first then the largest, except those the
    gate itself runs on (grimp, import-linter and theirs): a root package is taken out of
    sys.modules while its graph is built."""
    import grimp  # noqa: F401

    import contextgate.checks  # noqa: F401 - what the gate imports, to leave out
    import contextgate.cli  # noqa: F401

    loaded = {name.partition(".")[0] for name in sys.modules}
    site = Path(sysconfig.get_paths()["purelib"])
    packages = [
        path
        for path in site.iterdir()
        if path.is_dir()
        and path.name.isidentifier()
        and (path / "__init__.py").exists()
        and path.name not in loaded | {"oscar"}
    ]
    return sorted(packages, key=lambda p: (p.name != "django", -_python_files(p), p.name))


def _python_files(package: Path) -> int:
    """The modules the gate reads in a package: files whose every folder is a package."""
    return sum(
        1
        for path in package.rglob("*.py")
        if all((folder / "__init__.py").exists() for folder in _folders(package, path))
    )


def _folders(package: Path, path: Path) -> list[Path]:
    parts = path.relative_to(package).parts[:-1]
    return [package.joinpath(*parts[:i]) for i in range(len(parts) + 1)]


def _parses(package: Path) -> bool:
    """Whether every file parses on this Python: one that does not stops the gate (exit 2)."""
    try:
        for path in package.rglob("*.py"):
            ast.parse(path.read_bytes(), filename=str(path))
    except (SyntaxError, ValueError):
        return False
    return True


def _not_python(folder: str, names: list[str]) -> list[str]:
    return [n for n in names if not n.endswith(".py") and not (Path(folder) / n).is_dir()]


def _declaration(roots: list[str]) -> str:
    """Oscar's declaration (tests/oscar/importlinter.ini) with django.contrib's apps added."""
    oscar = configparser.ConfigParser()
    oscar.read(OSCAR / "importlinter.ini")
    contract = oscar["importlinter:contract:contexts"]
    contexts = [*contract["contexts"].split(), *(f"django.contrib.{a}" for a in DJANGO_CONTEXTS)]
    lines = [
        "# Generated by bench/gate.py: Oscar's apps and django.contrib's as contexts.",
        "[importlinter]",
        "root_packages =",
        *(f"    {root}" for root in roots),
        "include_external_packages = True",
        "contract_types =",
        "    bounded_contexts: contextgate.contract.BoundedContextsContract",
        "",
        "[importlinter:contract:contexts]",
        "name = Oscar's and Django's apps as bounded contexts",
        "type = bounded_contexts",
        "contexts =",
        *(f"    {context}" for context in contexts),
        "public_modules =",
        *(f"    {module}" for module in contract["public_modules"].split()),
        "shared =",
        *(f"    {package}" for package in contract["shared"].split()),
        f"composition_root = {contract['composition_root']}",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
