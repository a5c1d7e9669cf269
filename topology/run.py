"""Run every service of a topology file on this machine, each as its container would run it.

    python topology/run.py FILE [--seed] [--collectstatic]

`make run-split` runs it on topology/split.toml. Each service is one `docker/entrypoint.sh`
(provision and migrate what it hosts, then its web, worker and beat under a supervisord of
its own) with SHOP_TOPOLOGY=FILE, SHOP_SERVICE=<service> and SHOP_BIND taken from the
service's `url`; everything else (SHOP_DATABASE_URL, SHOP_REDIS_URL, SHOP_SECRET_KEY, ...)
comes from the environment, the same for every service. The entrypoint keeps each
service's state in SHOP_DATA_DIR/<service> and its metrics in
PROMETHEUS_MULTIPROC_DIR/<service>.

--seed: once the service hosting identity, catalog and inventory answers /readyz, seed the
demo data through it (`seed_demo`). Ctrl-C or SIGTERM stops every service; one that exits
stops the others, and this exits with its status.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
SEEDS = {"identity", "catalog", "inventory"}  # what seed_demo writes to


def say(line: str) -> None:
    print(f"run: {line}", file=sys.stderr, flush=True)  # noqa: T201 - a command-line tool


def services(path: Path) -> dict[str, dict]:
    """Each service's name, bind address and hosts; exits with one line on a wrong file."""
    try:
        table = tomllib.loads(path.read_text()).get("services")
    except (OSError, tomllib.TOMLDecodeError) as error:
        sys.exit(f"run: {path}: {error}")
    if not isinstance(table, dict) or not table:
        sys.exit(f"run: {path}: no [services.NAME] tables")
    found = {}
    for name, body in table.items():
        url = urlsplit(str(body.get("url", "")))
        if url.scheme != "http" or not url.hostname or not url.port:
            sys.exit(f"run: {path}: services.{name}.url must be http://HOST:PORT on this machine")
        found[name] = {"bind": f"{url.hostname}:{url.port}", "hosts": set(body.get("hosts", []))}
    return found


def environment(path: Path, name: str, bind: str) -> dict[str, str]:
    return {**os.environ, "SHOP_TOPOLOGY": str(path), "SHOP_SERVICE": name, "SHOP_BIND": bind}


def ready(bind: str) -> bool:
    try:
        with urllib.request.urlopen(f"http://{bind}/readyz", timeout=2) as response:  # noqa: S310
            return response.status == 200
    except (OSError, urllib.error.HTTPError):
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("topology", type=Path)
    parser.add_argument("--seed", action="store_true", help="seed the demo data")
    parser.add_argument("--collectstatic", action="store_true", help="collect each's static files")
    args = parser.parse_args()
    path = args.topology.resolve()
    layout = services(path)

    if args.collectstatic:
        for name, service in layout.items():
            subprocess.run(  # noqa: S603 - our own entrypoint
                [ENTRYPOINT, "manage", "collectstatic", "--noinput", "--verbosity", "0"],
                env=environment(path, name, service["bind"]),
                check=True,
            )

    stopping = []
    signal.signal(signal.SIGINT, lambda *_: stopping.append(True))
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    running = {
        name: subprocess.Popen(  # noqa: S603 - our own entrypoint
            [ENTRYPOINT], env=environment(path, name, service["bind"])
        )
        for name, service in layout.items()
    }
    say(", ".join(f"{name} (pid {p.pid})" for name, p in running.items()) + " starting")

    seeder = (
        next((n for n, s in layout.items() if SEEDS <= s["hosts"]), None) if args.seed else None
    )
    announced = set()
    status = 0
    while not stopping:
        exited = [(name, p.returncode) for name, p in running.items() if p.poll() is not None]
        if exited:
            name, status = exited[0]
            say(f"service {name} exited ({status}): stopping the others")
            status = status or 1
            break
        for name, service in layout.items():
            if name not in announced and ready(service["bind"]):
                announced.add(name)
                hosts = ", ".join(sorted(service["hosts"]))
                say(f"service {name} ({hosts}) is serving on http://{service['bind']}/")
                if name == seeder:
                    seeded = subprocess.run(  # noqa: S603 - our own entrypoint
                        [ENTRYPOINT, "manage", "seed_demo", "--allow-production"],
                        env=environment(path, name, service["bind"]),
                    )
                    if seeded.returncode:
                        say("seed_demo failed: stopping")
                        status = seeded.returncode
                        stopping.append(True)
                if announced == set(layout):
                    say(json.dumps({n: f"http://{s['bind']}/" for n, s in layout.items()}))
                    say("all services are up; Ctrl-C stops them all")
        time.sleep(0.5)

    for process in running.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # the entrypoint stops its supervisord gracefully
    for name, process in running.items():
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            say(f"service {name} did not stop within 60 s: killing it")
            process.kill()
    return status


if __name__ == "__main__":
    sys.exit(main())
