"""One nginx of our own, under a prefix directory: install a config, test it, reload, start, stop.

    PREFIX/nginx.conf        the config in force (written only after `nginx -t` passed)
    PREFIX/proxy.json        the inputs and state it was generated from
    PREFIX/logs/             nginx.pid, error.log, access.log, shadow.log
    PREFIX/temp/             nginx's temporary directories

Every command passes `-p PREFIX -c PREFIX/nginx.conf -e PREFIX/logs/error.log`, so nothing
of a system nginx (its config, pid file or logs) is ever read or written.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

CANDIDATES = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")
INSTALL_HINT = "scripts/install-nginx installs it from Debian's packages"


class NginxError(RuntimeError):
    """nginx refused or failed; the message is one line."""


def find_binary() -> str | None:
    """nginx on PATH or where Debian puts it (/usr/sbin is not on every user's PATH)."""
    found = shutil.which("nginx")
    if found:
        return found
    return next((c for c in CANDIDATES if os.access(c, os.X_OK)), None)


class Nginx:
    def __init__(self, prefix: Path | str, binary: str | None = None) -> None:
        self.prefix = Path(prefix).resolve()
        self.binary = binary or find_binary()
        self.process: subprocess.Popen | None = None

    conf = property(lambda self: self.prefix / "nginx.conf")
    state_file = property(lambda self: self.prefix / "proxy.json")
    logs = property(lambda self: self.prefix / "logs")
    pid_file = property(lambda self: self.logs / "nginx.pid")
    error_log = property(lambda self: self.logs / "error.log")
    access_log = property(lambda self: self.logs / "access.log")
    shadow_log = property(lambda self: self.logs / "shadow.log")

    def command(self, *args: str, conf: Path | None = None) -> list[str]:
        if not self.binary:
            raise NginxError(f"nginx is not installed: {INSTALL_HINT}")
        return [
            self.binary,
            *("-p", f"{self.prefix}/", "-c", str(conf or self.conf), "-e", str(self.error_log)),
            *args,
        ]

    # -- the config --------------------------------------------------------------------

    def install(self, text: str, state: Mapping[str, object]) -> None:
        """Make `text` the config in force, if `nginx -t` accepts it; else keep the old one."""
        for directory in (self.prefix, self.logs, self.prefix / "temp"):
            directory.mkdir(mode=0o755, parents=True, exist_ok=True)
        candidate = _write_beside(self.conf, text)
        try:
            self.test(candidate)
            os.replace(candidate, self.conf)
        finally:
            candidate.unlink(missing_ok=True)
        os.replace(
            _write_beside(self.state_file, json.dumps(dict(state), indent=2)), self.state_file
        )

    def test(self, conf: Path | None = None) -> None:
        done = subprocess.run(  # noqa: S603 - our own arguments, no shell
            self.command("-t", "-q", conf=conf), capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            lines = [line for line in done.stderr.splitlines() if line.strip()]
            reason = next((line for line in lines if "[emerg]" in line), lines[0] if lines else "")
            raise NginxError(f"nginx -t refused the new config, the old one stays: {reason}")

    def saved_state(self) -> dict[str, object]:
        try:
            return json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return {}

    # -- the running nginx -------------------------------------------------------------

    def master(self) -> int | None:
        """The running master's pid, or None."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return pid

    def reload(self, timeout: float = 10.0) -> int:
        """`nginx -s reload`, then wait until only workers of the new config take connections.

        Old workers finish the requests they hold and exit on their own; nothing in flight is
        dropped, and the listening sockets never close. Returns the master's pid.
        """
        master = self.master()
        if master is None:
            raise NginxError(
                f"no nginx is running under {self.prefix} (no live {self.pid_file}); "
                f"start it: {' '.join(self.start_command())}"
            )
        old = set(_workers(master))
        done = subprocess.run(  # noqa: S603 - our own arguments, no shell
            self.command("-s", "reload"), capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            said = done.stderr.strip().splitlines()
            raise NginxError(f"nginx -s reload failed: {said[-1] if said else done.returncode}")
        deadline = time.monotonic() + timeout
        while True:
            live = {pid for pid, title in _workers(master).items() if "shutting down" not in title}
            if live and not live & old:
                return master
            if time.monotonic() > deadline:
                raise NginxError(
                    f"nginx did not take the new config within {timeout:g} s: see {self.error_log}"
                )
            time.sleep(0.02)

    def start_command(self) -> list[str]:
        return self.command("-g", "daemon off;")

    def start(self, timeout: float = 10.0) -> subprocess.Popen:
        """nginx in the foreground, in a session of its own; returns once it listens."""
        if self.master() is not None:
            raise NginxError(f"an nginx is already running under {self.prefix}")
        self.pid_file.unlink(missing_ok=True)
        with self.error_log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own arguments, no shell
                self.start_command(), stdout=log, stderr=log, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        # The master writes its pid file once its sockets are bound.
        while self.master() != self.process.pid or not _workers(self.process.pid):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise NginxError(f"nginx did not start: see {self.error_log}")
            time.sleep(0.02)
        return self.process

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the nginx this object started (fast shutdown), then its whole process group."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()


def _workers(master: int) -> dict[int, str]:
    """The master's children and their titles ("nginx: worker process"...), from /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses.
        ppid = int(stat.rpartition(")")[2].split()[1])
        if ppid == master and "worker process" in title:
            found[int(entry.name)] = title
    return found


def _write_beside(path: Path, text: str) -> Path:
    """`text` in a new file next to `path` (same file system, so a rename is atomic)."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".new")
    with os.fdopen(fd, "w") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())
    os.chmod(name, 0o644)
    return Path(name)
