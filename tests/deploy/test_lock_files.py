"""The lock files (requirements/*.txt, written by `make lock`) agree with pyproject.toml.

The image and CI install from the lock files, so a dependency added to, removed from or
re-bounded in pyproject.toml without `make lock` would silently not be what runs.
Offline: it compares the files, it does not resolve anything.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "shop (pyproject.toml)"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def locked(text: str) -> dict[str, tuple[str, set[str]]]:
    """name -> (version, what it is there for), from pip-compile's output."""
    packages: dict[str, tuple[str, set[str]]] = {}
    current = None
    for line in text.splitlines():
        if match := PIN.match(line):
            current = canonicalize_name(match[1])
            packages[current] = (match[2], set())
        elif current and (via := re.match(r"^\s+#\s+(?:via\s+)?(\S.*)$", line)):
            if via[1] != "via":
                packages[current][1].add(via[1].strip())
    return packages


def lock_problems(requirements: list[str], lock_text: str, lock_name: str) -> list[str]:
    """What makes `lock_text` stale against `requirements` (pyproject's), one line each."""
    lock = locked(lock_text)
    problems = []
    wanted = {}
    for spec in requirements:
        requirement = Requirement(spec)
        name = canonicalize_name(requirement.name)
        wanted[name] = requirement
        if name not in lock:
            problems.append(f"{lock_name}: {requirement.name} is not locked")
        elif not requirement.specifier.contains(lock[name][0], prereleases=True):
            problems.append(
                f"{lock_name}: {requirement.name}=={lock[name][0]} is outside {requirement.specifier}"
            )
    for name, (_version, via) in sorted(lock.items()):
        if PROJECT in via and name not in wanted:
            problems.append(
                f"{lock_name}: {name} is locked for the project, which no longer asks for it"
            )
    return problems


def unhashed(text: str) -> list[str]:
    """The pins of a lock file that carry no hash (pip's --require-hashes refuses them)."""
    entries = re.split(r"\n(?=[A-Za-z0-9])", text)
    return [e.split()[0] for e in entries if PIN.match(e) and "--hash=sha256:" not in e]


def project_requirements() -> tuple[list[str], list[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project["dependencies"], project["optional-dependencies"]["dev"]


@pytest.mark.parametrize("lock_name", ["base.txt", "dev.txt"])
def test_the_lock_files_match_pyproject(lock_name):
    runtime, dev = project_requirements()
    wanted = runtime if lock_name == "base.txt" else runtime + dev
    text = (ROOT / "requirements" / lock_name).read_text()
    assert lock_problems(wanted, text, lock_name) == [], "run `make lock`"
    assert unhashed(text) == [], "every pin carries its hashes (`make lock`)"


def test_dev_installs_the_same_versions_as_the_image():
    base = locked((ROOT / "requirements" / "base.txt").read_text())
    dev = locked((ROOT / "requirements" / "dev.txt").read_text())
    differ = {n: (v, dev[n][0]) for n, (v, _) in base.items() if n in dev and dev[n][0] != v}
    assert differ == {}
    assert set(base) <= set(dev)


LOCK = """\
celery==5.7.0 \\
    --hash=sha256:aa
    # via shop (pyproject.toml)
kombu==5.7.0 \\
    --hash=sha256:bb
    # via
    #   celery
    #   shop (pyproject.toml)
"""


def test_a_pin_without_its_hashes_is_named():
    assert unhashed(LOCK) == []
    assert unhashed(LOCK + "gunicorn==27.0.1\n    # via shop (pyproject.toml)\n") == [
        "gunicorn==27.0.1"
    ]


def test_a_stale_lock_is_named_line_by_line():
    assert lock_problems(["celery>=5.4,<6", "kombu>=5"], LOCK, "x.txt") == []
    assert lock_problems(["celery>=5.4,<6", "kombu>=5", "gunicorn>=23"], LOCK, "x.txt") == [
        "x.txt: gunicorn is not locked"
    ]
    assert lock_problems(["celery>=5.8", "kombu>=5"], LOCK, "x.txt") == [
        "x.txt: celery==5.7.0 is outside >=5.8"
    ]
    assert lock_problems(["celery>=5.4"], LOCK, "x.txt") == [
        "x.txt: kombu is locked for the project, which no longer asks for it"
    ]
