"""The ratchet: violations a package still has, tolerated one by one until they are fixed.

Each owner (a context, a shared package, the composition root) may keep an
``architecture_todo.toml`` next to its code, listing violations by check and importer ->
imported, never by line, each with the reason it is tolerated. The gate passes a listed
violation, fails an unlisted one, and fails an entry that no longer occurs, so the list
can only shrink. ``--baseline`` rewrites the files from the current violations and
keeps the reasons already written.
"""

from __future__ import annotations

import json
import tomllib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from contextgate.project import Project
from contextgate.violations import PROJECT, Violation

FILENAME = "architecture_todo.toml"
NEW_REASON = "TODO: why this is tolerated"
CHECK = "ratchet"

Key = tuple[str, str, str]


@dataclass(frozen=True)
class Entry:
    """One tolerated violation, as listed in an owner's ratchet file."""

    owner: str
    check: str
    importer: str
    imported: str
    reason: str
    file: str
    line: int

    @property
    def key(self) -> Key:
        return (self.check, self.importer, self.imported)


@dataclass(frozen=True)
class Verdict:
    """The violations found, split by what the ratchet makes of them."""

    new: list[Violation]
    tolerated: list[Violation]
    stale: list[Violation]

    @property
    def passed(self) -> bool:
        return not self.new and not self.stale


def owners(project: Project) -> list[str]:
    d = project.declaration
    return [*d.owner_packages, *(r for r in d.roots if r not in d.owner_packages)]


def path_of(project: Project, owner: str) -> Path:
    """An owner's ratchet file: in its package, or beside it where the owner is a module
    (``site.py`` keeps ``site.architecture_todo.toml``)."""
    where = project.package_dir(project.declaration.owner_package(owner))
    if not where.is_dir() and where.with_suffix(".py").is_file():
        return where.with_name(f"{where.name}.{FILENAME}")
    return where / FILENAME


def read(project: Project) -> tuple[list[Entry], list[Violation]]:
    """Every entry of every ratchet file, and a violation for each file that cannot be read."""
    entries, unreadable = [], []
    for owner in owners(project):
        path = path_of(project, owner)
        if not path.exists():
            continue
        text = path.read_text()
        try:
            todo = tomllib.loads(text).get("todo", [])
            lines = [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == "[[todo]]"]
            if len(lines) != len(todo):  # entries written some other way: no line to point at
                lines = [1] * len(todo)
            entries += [
                Entry(
                    owner=owner,
                    check=item["check"],
                    importer=item["importer"],
                    imported=item["imported"],
                    reason=item.get("reason", ""),
                    file=project.relpath(path),
                    line=line,
                )
                for item, line in zip(todo, lines, strict=True)
            ]
        except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as error:
            unreadable.append(
                _ratchet_violation(
                    owner, project.relpath(path), 1, ("", "", ""), f"cannot be read: {error}"
                )
            )
    return entries, unreadable


def judge(violations: Iterable[Violation], entries: Iterable[Entry], checks: set[str]) -> Verdict:
    """Split `violations` into new and tolerated, and report entries of the `checks` that ran
    which match no violation any more."""
    listed: dict[tuple[str, Key], Entry] = {(e.owner, e.key): e for e in entries}
    new, tolerated, seen = [], [], set()
    for violation in violations:
        slot = (violation.context, violation.key)
        if violation.context != PROJECT and slot in listed:
            tolerated.append(violation)
            seen.add(slot)
        else:
            new.append(violation)
    stale = [
        _ratchet_violation(
            entry.owner,
            entry.file,
            entry.line,
            entry.key,
            f"stale: remove it. {entry.check} {entry.importer} -> {entry.imported} "
            "no longer occurs.",
        )
        for slot, entry in listed.items()
        if slot not in seen and entry.check in checks
    ]
    return Verdict(new=new, tolerated=tolerated, stale=stale)


def _ratchet_violation(owner: str, file: str, line: int, key: Key, message: str) -> Violation:
    check, importer, imported = key
    return Violation(
        check=CHECK,
        context=owner,
        file=file,
        line=line,
        importer=importer,
        imported=imported,
        message=message,
        hint="Delete the entry (or run `contextgate check --baseline`): "
        "a fixed violation must not come back unnoticed.",
    )


def write(
    project: Project, violations: Iterable[Violation], entries: Iterable[Entry]
) -> list[Path]:
    """Rewrite the ratchet files to list exactly `violations`, keeping known reasons.

    Every context gets a file, empty or not; other owners get one only when they have
    entries or already had a file. Returns the files written.
    """
    reasons = {(e.owner, e.key): e.reason for e in entries}
    listed: dict[str, dict[Key, str]] = defaultdict(dict)
    for violation in sorted(violations):
        if violation.context != PROJECT:
            slot = (violation.context, violation.key)
            listed[violation.context][violation.key] = reasons.get(slot) or NEW_REASON
    written = []
    contexts = set(project.declaration.labels)
    for owner in owners(project):
        path = path_of(project, owner)
        if not path.parent.is_dir():  # a declared package that does not exist: reported
            continue  # by the imports check as a contract that cannot be checked
        if owner in contexts or listed[owner] or path.exists():
            path.write_text(render(owner, listed[owner]))
            written.append(path)
    return written


def render(owner: str, listed: dict[Key, str]) -> str:
    lines = [
        f"# Architecture violations {owner} still has, tolerated until they are fixed.",
        "# `contextgate check` fails on any violation not listed here and on any entry",
        "# that no longer occurs, so this list only shrinks. `contextgate check --baseline`",
        "# rewrites it and keeps each reason: replace every TODO with why it is tolerated.",
    ]
    if not listed:
        lines.append("# Nothing is tolerated here: keep it that way.")
    for (check, importer, imported), reason in sorted(listed.items()):
        lines += [
            "",
            "[[todo]]",
            f"check = {_string(check)}",
            f"importer = {_string(importer)}",
            f"imported = {_string(imported)}",
            f"reason = {_string(reason)}",
        ]
    return "\n".join(lines) + "\n"


def _string(value: str) -> str:
    # A JSON string is a valid TOML basic string: same quotes, same escapes.
    return json.dumps(value, ensure_ascii=False)
