"""Process trees on this machine: what the runners (run.py, extract.py) and the tests that
start services use to stop everything they started.

supervisord starts each program in a process group of its own, and gunicorn and Celery
fork pools below those: stopping a service means finding every process under its
entrypoint first, then signalling each group.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path


def descendants(root: int) -> list[int]:
    """`root` and every process under it, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def group_of(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def alive(pid: int) -> bool:
    """Running, and not a zombie waiting to be reaped."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def kill_groups(groups: set[int | None]) -> None:
    for group in groups - {None}:
        try:
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            pass


def stop_tree(pid: int, timeout: float = 60) -> None:
    """SIGTERM `pid`'s group (an entrypoint stops its supervisord gracefully), wait, then
    SIGKILL every group that was under it."""
    groups = {group_of(p) for p in descendants(pid)} | {pid}
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + timeout
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    kill_groups(groups)


def kill_tree(pid: int) -> None:
    """SIGKILL every process under `pid` at once: no graceful anything."""
    kill_groups({group_of(p) for p in descendants(pid)})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def shop_contexts(root: Path) -> list[str]:
    """The contexts the shop installs (`SHOP_CONTEXTS`), read from its settings file
    without importing Django: the scripts here write topologies that must host them all."""
    import ast

    tree = ast.parse((root / "src" / "shop" / "site" / "settings" / "core.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "SHOP_CONTEXTS" for t in node.targets
        ):
            return [ast.literal_eval(element) for element in node.value.elts]
    raise LookupError("SHOP_CONTEXTS is not a list in src/shop/site/settings/core.py")
