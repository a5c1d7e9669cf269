"""The topology change a move makes: `[stores] CONTEXT = "URL"`, printed or written into files.

Written by editing the file's text (the `[stores]` table's line for the context, added or
replaced), so its comments and layout stay; the result is read back as TOML before it
replaces the file.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path

from shop.platform.db.moving.checks import Refused

_HEADER = re.compile(r"^\s*\[\s*stores\s*\]\s*(#.*)?$")
_TABLE = re.compile(r"^\s*\[")


def line(context: str, url: str) -> str:
    return f"{context} = {json.dumps(url)}"


def entry(context: str, url: str) -> str:
    return f"[stores]\n{line(context, url)}\n"


def edited(path: Path, context: str, url: str) -> str:
    """The file's text with the entry in it; Refused if the file cannot take it."""
    try:
        text = path.read_text()
        before = tomllib.loads(text)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise Refused(f"--write {path}: {exc}") from exc
    if not os.access(path, os.W_OK):
        raise Refused(f"--write {path}: the file is not writable")
    lines = text.splitlines(keepends=True)
    header = next((i for i, text_line in enumerate(lines) if _HEADER.match(text_line)), None)
    if header is None and "stores" in before:
        raise Refused(f"--write {path}: its stores are not a [stores] table; edit it by hand")
    if header is None:
        gap = "" if not text or text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
        new = f"{text}{gap}{entry(context, url)}"
    else:
        end = next((i for i in range(header + 1, len(lines)) if _TABLE.match(lines[i])), len(lines))
        key = re.compile(rf"^\s*(\"{re.escape(context)}\"|{re.escape(context)})\s*=")
        found = next((i for i in range(header + 1, end) if key.match(lines[i])), None)
        if found is not None:
            lines[found] = f"{line(context, url)}\n"
        else:
            last = max(
                (
                    i
                    for i in range(header, end)
                    if lines[i].strip() and not lines[i].lstrip().startswith("#")
                ),
                default=header,
            )
            if not lines[last].endswith("\n"):
                lines[last] += "\n"
            lines.insert(last + 1, f"{line(context, url)}\n")
        new = "".join(lines)
    after = tomllib.loads(new)
    if after.get("stores", {}).get(context) != url:
        raise Refused(f"--write {path}: could not place the entry; edit it by hand")
    return new


def write(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text)
    partial.replace(path)
