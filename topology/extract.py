"""Extract billing from the monolith behind the strangler proxy, one step at a time, on this machine.

    python topology/extract.py STEP [--workdir DIR]
    python topology/extract.py demo            # every step unattended, with its evidence

docs/extracting-a-context.md walks through it. The steps, in order:

    up          the monolith (service `shop`, hosting every context, identity included) under
                its own supervisord, demo data seeded, and nginx in front in state `monolith`
    move-store  billing's consumers stopped, billing's schema copied into its own database
                (`manage.py move_store`), the monolith switched to it, consumers started again
    shadow      service `billing` started with its web alone (it consumes nothing), and the
                proxy in state `shadow`: billing's GETs are mirrored to it, answers compared
    report      `manage.py shadow_report`: exit 0 when every mirrored request matched
    cutover     billing's worker and beat started, the proxy in state `cutover` (billing's
                routes to service billing), then the monolith reloaded without billing
    rollback    the monolith reloaded hosting billing again, the proxy back to `monolith`,
                service billing stopped: one command
    status      what runs, in which state
    down        stop everything this directory started

Each service is one `docker/entrypoint.sh`, as its container would run it. The monolith's
topology file (`monolith.toml` in the work directory) is rewritten by `cutover` and
`rollback`, and gunicorn is reloaded gracefully (SIGHUP: new workers read the new file, old
ones finish their requests), its worker and beat restarted; nginx is reloaded, never
restarted. Nothing a client sends is dropped on the way.

Environment (the Makefile's `extract` and `extract-demo` targets set the defaults, as for
`make run-split`): SHOP_DATABASE_URL (the monolith's database), SHOP_DATABASE_ADMIN_URL,
SHOP_REDIS_URL, SHOP_SECRET_KEY, and PORT (8000), BILLING_PORT (8001), PROXY_PORT (8080),
SHOP_BILLING_STORE_URL (default: the monolith's database name + `_billing`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from processes import (  # noqa: E402 - beside this file
    alive,
    free_port,
    kill_tree,
    shop_contexts,
    stop_tree,
)

ROOT = Path(__file__).resolve().parents[1]
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
MANAGE = [sys.executable, str(ROOT / "manage.py")]
# What the monolith hosts once billing has left it: identity and every other context.
CONTEXTS = ["identity", *(c for c in shop_contexts(ROOT) if c != "billing")]
ALL = [*CONTEXTS, "billing"]
DEFAULT_WORKDIR = ROOT / "var" / "extract"
# The client loops' orders: a product the demo stocks well beyond what they buy.
LOOP_SKU = "CHOC-DARK"
ORDER = {"lines": [{"sku": LOOP_SKU, "quantity": 1}], "payment_token": "tok_visa"}
# The saga's checks: a product nothing else orders, so its stock is the saga's alone.
SAGA_SKU = "MUG-TRAVEL"


class Missing(RuntimeError):
    """A step's evidence is not there: the step did not work."""


def say(line: str) -> None:
    print(f"extract: {line}", flush=True)  # noqa: T201 - a command-line tool


def evidence(ok: bool, line: str) -> None:
    """Print one piece of evidence; a missing one stops the run."""
    print(f"  {'ok  ' if ok else 'MISSING'} {line}", flush=True)  # noqa: T201
    if not ok:
        raise Missing(line)


def wait_for(check, timeout: float, what: str, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
        except (OSError, AssertionError, ValueError, KeyError):
            pass
        if time.monotonic() > deadline:
            raise Missing(f"{what} (waited {timeout:g} s)")
        time.sleep(interval)


@dataclass
class Answer:
    status: int
    headers: dict
    text: str

    def json(self):
        return json.loads(self.text)


def call(base: str, method: str, path: str, body=None, token=None, headers=None) -> Answer:
    sent = {"Accept": "application/json", **(headers or {})}
    data = None
    if body is not None:
        sent["Content-Type"] = "application/json"
        data = json.dumps(body).encode()
    if token:
        sent["Authorization"] = f"Token {token}"
    request = urllib.request.Request(base + path, data, sent, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            return Answer(response.status, dict(response.headers), response.read().decode())
    except urllib.error.HTTPError as error:
        return Answer(error.code, dict(error.headers), error.read().decode())


# -- the pieces ------------------------------------------------------------------------


@dataclass
class Layout:
    """Where everything lives: ports, URLs, files of the work directory."""

    workdir: Path
    env: dict[str, str]
    pids: dict[str, int] = field(default_factory=dict)

    @property
    def shop_port(self) -> int:
        return int(self.env.get("PORT", "8000"))

    @property
    def billing_port(self) -> int:
        return int(self.env.get("BILLING_PORT", "8001"))

    @property
    def proxy_port(self) -> int:
        return int(self.env.get("PROXY_PORT", "8080"))

    shop_url = property(lambda self: f"http://127.0.0.1:{self.shop_port}")
    billing_url = property(lambda self: f"http://127.0.0.1:{self.billing_port}")
    proxy_url = property(lambda self: f"http://127.0.0.1:{self.proxy_port}")
    monolith_file = property(lambda self: self.workdir / "monolith.toml")
    split_file = property(lambda self: self.workdir / "split.toml")
    nginx_prefix = property(lambda self: self.workdir / "nginx")
    shadow_dir = property(lambda self: self.workdir / "shadow")
    state_file = property(lambda self: self.workdir / "extract.json")

    @property
    def billing_store(self) -> str:
        given = self.env.get("SHOP_BILLING_STORE_URL")
        if given:
            return given
        url = urlsplit(self.env["SHOP_DATABASE_URL"])
        return urlunsplit(url._replace(path=f"{url.path}_billing"))

    def monolith_toml(self, *, hosting_billing: bool, moved: bool) -> str:
        hosts = ALL if hosting_billing else CONTEXTS
        stores = f'[stores]\nbilling = "{self.billing_store}"\n' if moved else ""
        return f'[services.shop]\nhosts = {json.dumps(hosts)}\nurl = "{self.shop_url}"\n{stores}'

    def split_toml(self) -> str:
        return (
            f'[services.shop]\nhosts = {json.dumps(CONTEXTS)}\nurl = "{self.shop_url}"\n'
            f'[services.billing]\nhosts = ["billing"]\nurl = "{self.billing_url}"\n'
            f'[stores]\nbilling = "{self.billing_store}"\n'
        )


class Service:
    """One service, run by docker/entrypoint.sh in a session of its own."""

    def __init__(self, layout: Layout, name: str, topology: Path, port: int) -> None:
        self.layout = layout
        self.name = name
        self.log = layout.workdir / "logs" / f"{name}.log"
        self.url = f"http://127.0.0.1:{port}"
        self.env = {
            **layout.env,
            "SHOP_SERVICE": name,
            "SHOP_TOPOLOGY": str(topology),
            "SHOP_BIND": f"127.0.0.1:{port}",
            "SHOP_DATA_DIR": str(layout.workdir / "var"),
            "PROMETHEUS_MULTIPROC_DIR": str(layout.workdir / "metrics"),
            "SHOP_SHADOW_CONTEXTS": "billing",
            "SHOP_SHADOW_DIR": str(layout.shadow_dir),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{layout.env.get('PATH', '')}",
        }

    def start(self, processes: str = "web worker beat") -> int:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            process = subprocess.Popen(  # noqa: S603 - our own entrypoint
                [str(ENTRYPOINT)],
                env={**self.env, "SHOP_PROCESSES": processes},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                cwd=ROOT,
            )
        return process.pid

    def run(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 - our own entrypoint
            [str(ENTRYPOINT), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
        )

    def ctl(self, *args: str) -> str:
        done = self.run("ctl", *args, timeout=120)
        if done.returncode not in (0, 3):  # 3: `status` with a program not running
            raise Missing(f"{self.name}: ctl {' '.join(args)}: {done.stdout}{done.stderr}".strip())
        return done.stdout

    def manage(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return self.run("manage", *args, timeout=timeout)

    def ready(self, hosts: list[str]) -> dict:
        """Wait until /readyz says ready, hosting exactly `hosts` (a reload has taken)."""

        pid = self.layout.pids.get(self.name)

        def check():
            if pid and not alive(pid):  # the entrypoint exited: waiting longer shows nothing
                raise Missing(f"{self.name} exited while starting: see {self.log}")
            found = call(self.url, "GET", "/readyz")
            body = found.json()
            return found.status == 200 and sorted(body["hosts"]) == sorted(hosts) and body

        return wait_for(check, 180, f"{self.name} ready at {self.url}, hosting {', '.join(hosts)}")

    def reload_web(self) -> None:
        """gunicorn's graceful reload: new workers (reading the topology file again) start,
        old ones finish what they hold."""
        self.ctl("signal", "HUP", "web")

    def states(self) -> dict[str, str]:
        lines = self.ctl("status").splitlines()
        return {line.split()[0]: line.split()[1] for line in lines if len(line.split()) > 1}


@dataclass
class Traffic:
    """A client loop through the proxy: reads and orders, every answer's status counted."""

    base: str
    token: str
    counts: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> Traffic:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        requests = [
            ("GET", "/api/v1/invoices", None),
            ("GET", "/api/v1/products?limit=5", None),
            ("GET", "/api/v1/orders", None),
            ("POST", "/api/v1/orders", ORDER),
        ]
        n = 0
        while not self._stop.is_set():
            method, path, body = requests[n % len(requests)]
            n += 1
            try:
                answer = call(self.base, method, path, body, self.token)
                status = answer.status
            except OSError as error:
                status, answer = 0, None
                self.failures.append(f"{method} {path}: {error}")
            self.counts[status] += 1
            if status >= 500 or status == 0:
                detail = answer.text[:200] if answer else ""
                self.failures.append(f"{method} {path}: {status} {detail}")
            time.sleep(0.02)

    def stop(self) -> Traffic:
        self._stop.set()
        if self._thread:
            self._thread.join(30)
        return self

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# -- the extraction --------------------------------------------------------------------


class Extraction:
    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.layout = Layout(workdir.resolve(), env)
        self.shop = Service(self.layout, "shop", self.layout.monolith_file, self.layout.shop_port)
        self.billing = Service(
            self.layout, "billing", self.layout.split_file, self.layout.billing_port
        )
        self.state = self._load()
        self.layout.pids = self.state["pids"]  # the services look up their own entrypoint

    # state kept between commands
    def _load(self) -> dict:
        try:
            return json.loads(self.layout.state_file.read_text())
        except (OSError, ValueError):
            return {"state": None, "moved": False, "pids": {}}

    def _save(self) -> None:
        self.layout.state_file.write_text(json.dumps(self.state, indent=2))

    def _pid(self, name: str) -> int | None:
        pid = self.state["pids"].get(name)
        return pid if pid and alive(pid) else None

    def _proxy(self, state: str) -> str:
        done = subprocess.run(  # noqa: S603 - our own manage.py
            [
                *MANAGE,
                "proxy_config",
                "--topology",
                str(self.layout.split_file),
                "--context",
                "billing",
                "--state",
                state,
                "--listen",
                f"127.0.0.1:{self.layout.proxy_port}",
                "--prefix",
                str(self.layout.nginx_prefix),
                *(["--reload"] if self._nginx_master() else []),
            ],
            env={**self.shop.env, "SHOP_DEBUG": "1"},
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        if done.returncode:
            raise Missing(f"proxy_config --state {state}: {done.stderr.strip()}")
        return done.stdout.strip()

    def _nginx_master(self) -> int | None:
        sys.path.insert(0, str(ROOT / "src"))
        from shop.platform.proxy.nginx import Nginx

        return Nginx(self.layout.nginx_prefix).master()

    def _start_nginx(self) -> None:
        from shop.platform.proxy.nginx import Nginx

        server = Nginx(self.layout.nginx_prefix)
        process = server.start()
        self.state["pids"]["nginx"] = process.pid

    def token(self, username: str) -> str:
        answer = call(
            self.layout.proxy_url,
            "POST",
            "/api/v1/auth/token",
            {"username": username, "password": username},
        )
        if answer.status != 200:
            raise Missing(f"no API token for {username}: {answer.status} {answer.text[:200]}")
        return answer.json()["token"]

    def access_log(self) -> list[dict]:
        path = self.layout.nginx_prefix / "logs" / "access.log"
        if not path.exists():
            return []
        lines = []
        for line in path.read_text().splitlines():
            try:
                lines.append(json.loads(line))
            except ValueError:
                pass
        return lines

    def service_lines(self, service: Service) -> list[dict]:
        lines = []
        if service.log.exists():
            for line in service.log.read_text(errors="replace").splitlines():
                if line.startswith("{"):
                    try:
                        lines.append(json.loads(line))
                    except ValueError:
                        pass
        return lines

    # -- steps ---------------------------------------------------------------------------

    def up(self) -> None:
        say("up: the monolith hosts everything; nginx in front, state monolith")
        layout = self.layout
        for directory in (layout.workdir, layout.shadow_dir, layout.workdir / "logs"):
            directory.mkdir(parents=True, exist_ok=True)
        # Once moved, billing's store stays moved: the old copy is closed to every role.
        moved = self.state.get("moved", False)
        layout.monolith_file.write_text(layout.monolith_toml(hosting_billing=True, moved=moved))
        layout.split_file.write_text(layout.split_toml())
        if self._pid("shop") is None:
            self.state["pids"]["shop"] = self.shop.start()
        self._save()
        ready = self.shop.ready(ALL)
        evidence(True, f"shop answers /readyz, hosting {', '.join(ready['hosts'])}")
        seeded = self.shop.manage("seed_demo", "--allow-production")
        evidence(seeded.returncode == 0, "demo data seeded through shop (seed_demo)")
        evidence(True, self._proxy("monolith"))
        if self._nginx_master() is None:
            self._start_nginx()
        self.state["state"] = "monolith"
        self._save()
        token = self.token("alice")
        answer = call(layout.proxy_url, "GET", "/api/v1/invoices", token=token)
        upstream = self._upstream_of(answer)
        evidence(
            answer.status == 200 and upstream == "shop",
            f"GET /api/v1/invoices through the proxy: {answer.status}, from upstream {upstream}",
        )

    def move_store(self, quiet_for: float = 5) -> None:
        say("move-store: billing's schema into its own database")
        if self.state.get("moved"):
            evidence(True, "billing's store was moved already")
            return
        self.shop.ctl("stop", "worker", "beat")
        evidence(True, "shop's worker and beat stopped: nothing consumes or publishes for billing")
        time.sleep(quiet_for)
        moved = self.shop.manage(
            "move_store",
            "billing",
            "--to",
            self.layout.billing_store,
            "--quiet-for",
            str(quiet_for),
            "--write",
            str(self.layout.split_file),
        )
        print(moved.stdout.rstrip())  # noqa: T201 - the command's own table of counts and sums
        if moved.returncode:
            self.shop.ctl("start", "worker", "beat")
            raise Missing(f"move_store failed: {moved.stderr.strip()}")
        self.layout.monolith_file.write_text(
            self.layout.monolith_toml(hosting_billing=True, moved=True)
        )
        self.state["moved"] = True
        self._save()
        self.shop.reload_web()
        self.shop.ctl("start", "worker", "beat")
        self._wait_store_in_use()
        evidence(True, f"shop reloaded onto billing's own store {self.layout.billing_store}")

    def _wait_store_in_use(self) -> None:
        """After a reload, every new gunicorn worker reads billing from the moved store."""
        token = self.token("alice")

        def serves():
            answers = [
                call(self.layout.proxy_url, "GET", "/api/v1/invoices", token=token)
                for _ in range(6)
            ]
            return all(a.status == 200 for a in answers)

        wait_for(serves, 60, "billing's reads answer 200 from the moved store")

    def shadow(self) -> None:
        say("shadow: service billing answers mirrored GETs; the monolith still serves all")
        if not self.state.get("moved"):
            raise Missing("move billing's store first (step move-store)")
        self._archive_records()
        if self._pid("billing") is None:
            self.state["pids"]["billing"] = self.billing.start("web")
            self._save()
        ready = self.billing.ready(["billing"])
        states = wait_for(
            lambda: (found := self.billing.states()).get("web") == "RUNNING" and found,
            60,
            "billing's web RUNNING",
        )
        evidence(
            states.get("web") == "RUNNING" and states.get("worker") == "STOPPED",
            f"billing answers /readyz ({', '.join(ready['hosts'])}); web {states.get('web')}, "
            f"worker {states.get('worker')}, beat {states.get('beat')}: it consumes nothing",
        )
        evidence(True, self._proxy("shadow"))
        self.state["state"] = "shadow"
        self._save()

    def _archive_records(self) -> None:
        """Answers recorded before the mirror ran were never mirrored: set them aside, so the
        report compares this shadow's requests only."""
        records = sorted(self.layout.shadow_dir.glob("*.jsonl"))
        if records:
            aside = self.layout.shadow_dir / f"before-{time.strftime('%Y%m%dT%H%M%S')}"
            aside.mkdir(parents=True, exist_ok=True)
            for path in records:
                path.rename(aside / path.name)

    def shadow_traffic(self, rounds: int = 10) -> list[str]:
        """Billing's reads through the proxy, as two customers; returns the request ids."""
        ids = []
        for username in ("alice", "bob"):
            token = self.token(username)
            invoices = call(self.layout.proxy_url, "GET", "/api/v1/invoices", token=token)
            found = invoices.json().get("results", []) if invoices.status == 200 else []
            paths = ["/api/v1/invoices", "/api/v1/invoices?limit=2"]
            paths += [f"/api/v1/invoices/{i['id']}" for i in found[:3]]
            paths += [f"/api/v1/invoices?order={i['order_id']}" for i in found[:3]]
            paths += ["/api/v1/invoices/00000000-0000-4000-8000-000000000000"]  # a 404
            for n in range(rounds):
                path = paths[n % len(paths)]
                answer = call(self.layout.proxy_url, "GET", path, token=token)
                ids.append(answer.headers.get("X-Request-ID", ""))
        return ids

    def report(self) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 - our own manage.py
            [*MANAGE, "shadow_report", str(self.layout.shadow_dir)],
            env={**self.shop.env, "SHOP_DEBUG": "1"},
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )

    def cutover(self) -> None:
        say("cutover: service billing serves billing's routes and consumes its queue")
        if self.state.get("state") not in ("shadow", "cutover"):
            raise Missing("start the shadow first (step shadow)")
        if self._pid("billing") is None:
            self.state["pids"]["billing"] = self.billing.start("web")
            self._save()
            self.billing.ready(["billing"])
        self.billing.ctl("start", "worker", "beat")
        states = wait_for(
            lambda: (
                (found := self.billing.states()).get("worker") == found.get("beat") == "RUNNING"
                and found
            ),
            60,
            "billing's worker and beat RUNNING",
        )
        evidence(
            states.get("worker") == states.get("beat") == "RUNNING",
            "billing's worker and beat RUNNING: both services consume billing's queue for now "
            "(one store, the inbox takes each event once)",
        )
        evidence(True, self._proxy("cutover"))
        self.layout.monolith_file.write_text(self.layout.split_toml())
        self.shop.reload_web()
        self.shop.ctl("restart", "worker", "beat")
        ready = self.shop.ready(CONTEXTS)
        evidence(
            True, f"shop reloaded hosting {', '.join(ready['hosts'])}: billing is gone from it"
        )
        self.state["state"] = "cutover"
        self._save()

    def rollback(self) -> None:
        say("rollback: the monolith hosts and serves billing again")
        self.layout.monolith_file.write_text(
            self.layout.monolith_toml(hosting_billing=True, moved=self.state.get("moved", False))
        )
        self.shop.reload_web()
        self.shop.ctl("restart", "worker", "beat")
        ready = self.shop.ready(ALL)
        evidence(True, f"shop reloaded hosting {', '.join(ready['hosts'])}")
        evidence(True, self._proxy("rollback"))
        pid = self._pid("billing")
        if pid:
            stop_tree(pid)
        self.state["pids"].pop("billing", None)
        evidence(not alive(pid) if pid else True, "service billing stopped")
        self.state["state"] = "monolith"
        self._save()

    def status(self) -> dict:
        running = {name: bool(self._pid(name)) for name in ("shop", "billing", "nginx")}
        return {"state": self.state.get("state"), "moved": self.state.get("moved"), **running}

    def down(self) -> None:
        say("down: stopping everything this directory started")
        from shop.platform.proxy.nginx import Nginx

        server = Nginx(self.layout.nginx_prefix)
        master = server.master()
        if master:
            try:
                os.killpg(os.getpgid(master), signal.SIGTERM)
            except ProcessLookupError:
                pass
        for name in ("billing", "shop"):
            pid = self.state["pids"].get(name)
            if pid and alive(pid):
                stop_tree(pid)
        deadline = time.monotonic() + 10
        while server.master() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.state["pids"].clear()
        self.state["state"] = None
        self._save()

    def _upstream_of(self, answer: Answer) -> str | None:
        request_id = answer.headers.get("X-Request-ID")
        for _ in range(20):
            for line in reversed(self.access_log()):
                if line.get("request_id") == request_id:
                    return line.get("upstream")
            time.sleep(0.1)
        return None


# -- the unattended demo -----------------------------------------------------------------


def demo(run: Extraction) -> None:
    layout = run.layout
    run.up()
    say("orders before the extraction: invoices for the shadow to read")
    for username, count in (("alice", 3), ("bob", 2)):
        token = run.token(username)
        for order_id in [place(layout.proxy_url, token) for _ in range(count)]:
            settled(layout.proxy_url, token, order_id, "confirmed", "paid")
    evidence(True, "5 orders confirmed and paid in the monolith (alice 3, bob 2)")
    restocked = call(
        layout.proxy_url,
        "PUT",
        f"/api/v1/stock/{LOOP_SKU}",
        {"on_hand": 100000},
        run.token("staff"),
    )
    evidence(restocked.status == 200, f"{LOOP_SKU} restocked for the client loops (as staff)")

    run.move_store()

    run.shadow()
    ids = run.shadow_traffic()
    time.sleep(1.5)  # mirrors answer within the proxy's 1 s read timeout
    shadowed = {r.get("request_id") for r in _records(layout.shadow_dir, "shadow")}
    evidence(
        set(ids) <= shadowed,
        f"billing recorded the same request ids as the monolith: {len(set(ids) & shadowed)} "
        f"of {len(set(ids))}",
    )
    report = run.report()
    print(report.stdout.rstrip())  # noqa: T201
    evidence(report.returncode == 0, "shadow_report: go (every mirrored request matched)")
    planted = _planted_copy(layout.shadow_dir, layout.workdir / "shadow-planted")
    tampered = subprocess.run(  # noqa: S603
        [*MANAGE, "shadow_report", str(planted)],
        env={**run.shop.env, "SHOP_DEBUG": "1"},
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    evidence(
        tampered.returncode == 1 and "MISMATCH" in tampered.stdout,
        "a planted difference (one shadow answer altered in a copy) is reported: no-go",
    )

    alice = run.token("alice")
    traffic = Traffic(layout.proxy_url, alice).start()
    time.sleep(1)
    run.cutover()
    time.sleep(1)
    traffic.stop()
    evidence(
        not traffic.failures,
        f"a client loop through shadow -> cutover: {traffic.total} requests, "
        f"statuses {dict(traffic.counts)}, failed {len(traffic.failures)} {traffic.failures[:3]}",
    )
    saga_through_the_proxy(run, alice)
    billing_killed(run, alice)

    traffic = Traffic(layout.proxy_url, alice).start()
    time.sleep(1)
    during_cutover = place(layout.proxy_url, alice)
    wait_for(
        lambda: status_of(layout.proxy_url, alice, during_cutover) == "confirmed", 90, "confirmed"
    )
    run.rollback()
    time.sleep(1)
    traffic.stop()
    evidence(
        not traffic.failures,
        f"a client loop through cutover -> rollback: {traffic.total} requests, "
        f"statuses {dict(traffic.counts)}, failed {len(traffic.failures)} {traffic.failures[:3]}",
    )
    after_rollback(run, alice, during_cutover)


def place(
    base: str,
    token: str,
    quantity: int = 1,
    payment: str = "tok_visa",
    sku: str = LOOP_SKU,
    headers: dict | None = None,
) -> str:
    body = {"lines": [{"sku": sku, "quantity": quantity}], "payment_token": payment}
    answer = call(base, "POST", "/api/v1/orders", body, token, headers)
    if answer.status != 201:
        raise Missing(f"POST /api/v1/orders: {answer.status} {answer.text[:200]}")
    return answer.json()["id"]


def status_of(base: str, token: str, order_id: str) -> str:
    return call(base, "GET", f"/api/v1/orders/{order_id}", token=token).json()["status"]


def invoice_of(base: str, token: str, order_id: str) -> dict | None:
    answer = call(base, "GET", f"/api/v1/invoices?order={order_id}", token=token)
    results = answer.json()["results"] if answer.status == 200 else []
    return results[0] if results else None


def stock_of(base: str, token: str, sku: str) -> int:
    return call(base, "GET", f"/api/v1/stock/{sku}", token=token).json()["on_hand"]


def settled(base, token, order_id, status, invoice_status, timeout=90):
    def check():
        order = call(base, "GET", f"/api/v1/orders/{order_id}", token=token).json()
        invoice = invoice_of(base, token, order_id)
        return (
            order["status"] == status
            and (invoice or {}).get("status") == invoice_status
            and (order, invoice)
        )

    return wait_for(check, timeout, f"order {order_id} {status}, invoice {invoice_status}")


def saga_through_the_proxy(run: Extraction, token: str) -> None:
    say("the saga through the proxy, billing on its own service")
    base = run.layout.proxy_url
    sku = SAGA_SKU
    before = stock_of(base, token, sku)
    paid = place(base, token, 2, sku=sku)
    declined = place(base, token, 1, "tok_declined", sku=sku)
    too_many = place(base, token, before + 1, sku=sku)
    refunded = place(base, token, 1, sku=sku)
    order, invoice = settled(base, token, paid, "confirmed", "paid")
    evidence(True, f"tok_visa: order {paid} confirmed, invoice paid {invoice['amount']}")
    order, _ = settled(base, token, declined, "cancelled", "void")
    evidence(
        order["cancellation_reason"] == "payment_declined", "tok_declined: cancelled, invoice void"
    )
    order, _ = settled(base, token, too_many, "cancelled", "void")
    evidence(
        order["cancellation_reason"] == "out_of_stock",
        f"{before + 1} units: cancelled out_of_stock",
    )
    settled(base, token, refunded, "confirmed", "paid")
    cancel = call(base, "POST", f"/api/v1/orders/{refunded}/cancel", token=token)
    evidence(cancel.status == 200, "a confirmed order cancelled")
    settled(base, token, refunded, "cancelled", "refunded")
    evidence(True, "cancel after payment: invoice refunded")
    after = wait_for(lambda: (s := stock_of(base, token, sku)) == before - 2 and s, 60, "stock")
    evidence(after == before - 2, f"stock conserved: {before} -> {after} (2 sold, the rest back)")

    # Routes: billing's prefixes only to billing, everything else to the monolith.
    log = run.access_log()
    invoices = [
        line
        for line in log
        if line["uri"].startswith("/api/v1/invoices") and line["state"] == "cutover"
    ]
    others = [
        line
        for line in log
        if not line["uri"].startswith("/api/v1/invoices") and line["state"] == "cutover"
    ]
    evidence(
        invoices and all(line["upstream"] == "billing" for line in invoices),
        f"nginx: {len(invoices)} /api/v1/invoices requests in cutover, all to upstream billing",
    )
    evidence(
        others and all(line["upstream"] == "shop" for line in others),
        f"nginx: {len(others)} other requests in cutover, all to upstream shop",
    )
    ids = {line["request_id"] for line in invoices}

    def served(service: Service) -> set[str]:
        """Request ids of the invoice requests this service's web answered itself."""
        return {
            line.get("request_id")
            for line in run.service_lines(service)
            if line.get("event") == "request_finished"
            and str(line.get("request", "")).split(" ")[-1].startswith("/api/v1/invoices")
        }

    in_billing, in_shop = served(run.billing), served(run.shop)
    evidence(
        ids <= in_billing and not (ids & in_shop),
        f"billing's web answered all {len(ids)} of those invoice requests "
        f"({len(ids & in_billing)} in its log), shop's none ({len(ids & in_shop)})",
    )
    internal = call(base, "POST", "/_internal/ordering/order_summary", {"order_id": paid})
    evidence(internal.status == 404, f"/_internal/ from outside: {internal.status}")
    # One correlation id in both services' logs: the order's request id, carried by its events.
    placed_id = next(
        (
            line["request_id"]
            for line in reversed(log)
            if line["uri"] == "/api/v1/orders" and line["method"] == "POST"
        ),
        None,
    )
    in_billing = any(
        line.get("correlation_id") == placed_id for line in run.service_lines(run.billing)
    )
    in_shop = any(line.get("correlation_id") == placed_id for line in run.service_lines(run.shop))
    evidence(
        bool(placed_id) and in_billing and in_shop,
        f"correlation id {placed_id} in shop's log and in billing's",
    )
    traces = getattr(run, "traces", None)
    if traces is not None:
        # A client that starts the trace: every span the order causes, in either service,
        # joins it (the request's, its handlers', billing's call back to ordering).
        import secrets

        trace_id = secrets.token_hex(16)
        traced = place(
            base,
            token,
            headers={"traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01"},
        )
        settled(base, token, traced, "confirmed", "paid")
        wanted = {"shop-web", "shop-worker", "billing-worker"}
        found = wait_for(
            lambda: wanted <= (services := traces.services_of(trace_id)) and services,
            30,
            f"spans of trace {trace_id} from {', '.join(sorted(wanted))}",
        )
        evidence(True, f"one trace {trace_id} across {', '.join(sorted(found))}")


def billing_killed(run: Extraction, token: str, seconds: float = 30) -> None:
    say(f"service billing SIGKILLed for {seconds:g} s")
    import redis

    base = run.layout.proxy_url
    broker = redis.Redis.from_url(run.layout.env.get("SHOP_REDIS_URL", "redis://127.0.0.1:6379/0"))
    pid = run._pid("billing")
    kill_tree(pid)
    wait_for(lambda: not alive(pid), 30, "billing's processes gone")
    queued_before = broker.llen("billing")
    orders = [place(base, token) for _ in range(5)]
    time.sleep(seconds)
    statuses = Counter(status_of(base, token, o) for o in orders)
    queued = broker.llen("billing")
    evidence(
        set(statuses) <= {"pending", "awaiting_payment"},
        f"{len(orders)} orders during the outage: {dict(statuses)}",
    )
    evidence(queued > queued_before, f"billing's queue grew: {queued_before} -> {queued} messages")
    run.state["pids"]["billing"] = run.billing.start()
    run._save()
    run.billing.ready(["billing"])
    for order_id in orders:
        settled(base, token, order_id, "confirmed", "paid", timeout=120)
    charges = _charges(run, orders)
    evidence(
        charges == dict.fromkeys(orders, (1, 1)),
        f"after the restart all {len(orders)} confirmed, each with one invoice and one charge",
    )


def _charges(run: Extraction, orders: list[str]) -> dict[str, tuple[int, int]]:
    """Invoices and payments per order, read from billing's own database."""
    import psycopg

    url = urlsplit(run.layout.billing_store)
    admin = run.layout.env["SHOP_DATABASE_ADMIN_URL"]
    with psycopg.connect(admin, dbname=url.path.lstrip("/")) as conn:
        rows = conn.execute(
            "SELECT i.order_id, count(DISTINCT i.id), count(p.id) FROM billing.billing_invoice i"
            " LEFT JOIN billing.billing_payment p ON p.invoice_id = i.id"
            " WHERE i.order_id = ANY(%s) GROUP BY i.order_id",
            [orders],
        ).fetchall()
    return {order_id: (invoices, payments) for order_id, invoices, payments in rows}


def after_rollback(run: Extraction, token: str, during_cutover: str) -> None:
    base = run.layout.proxy_url
    answer = call(base, "GET", "/api/v1/invoices", token=token)
    upstream = run._upstream_of(answer)
    evidence(
        answer.status == 200 and upstream == "shop",
        f"after rollback the monolith serves: upstream {upstream}",
    )
    invoice = invoice_of(base, token, during_cutover)
    evidence(
        bool(invoice) and invoice["status"] == "paid",
        f"the invoice written during cutover is visible after rollback: {invoice and invoice['status']}",
    )
    order = place(base, token)
    settled(base, token, order, "confirmed", "paid")
    evidence(True, f"a new order after rollback: confirmed, paid (order {order})")

    def quiet():
        done = run.shop.manage("events", "status", "--format", "json")
        found = json.loads(done.stdout)
        return (
            all(
                c["outbox_pending"] == 0 and c["inbox_dead"] == 0
                for c in found["contexts"].values()
            )
            and found
        )

    found = wait_for(quiet, 60, "no undispatched outbox rows and no dead inbox rows")
    evidence(
        True,
        f"events status: every context's outbox dispatched, no dead rows ({', '.join(found['contexts'])})",
    )


def _records(directory: Path, role: str) -> list[dict]:
    found = []
    for path in directory.glob("*.jsonl"):
        for line in path.read_text().splitlines():
            record = json.loads(line)
            if record["role"] == role:
                found.append(record)
    return found


def _planted_copy(source: Path, target: Path) -> Path:
    """The shadow records with one shadow answer's body altered, as a wrong answer would be."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)
    for path in sorted(target.glob("billing-*.jsonl")):
        lines = path.read_text().splitlines()
        for n, line in enumerate(lines):
            record = json.loads(line)
            if record["status"] == 200 and isinstance(record["body"], dict):
                record["body"]["planted"] = True
                record["digest"] = "planted"
                lines[n] = json.dumps(record)
                path.write_text("\n".join(lines) + "\n")
                return target
    raise Missing("no shadow answer to plant a difference in")


# -- the demo's own resources -------------------------------------------------------------


class TraceCollector:
    """An OTLP/HTTP receiver for the demo's services: which service sent spans of which trace."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, str, str]] = []  # (service.name, trace id, span name)
        self.port = free_port()
        self._server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        import gzip
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
            ExportTraceServiceRequest,
            ExportTraceServiceResponse,
        )

        spans = self.spans

        class Receive(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                request = ExportTraceServiceRequest.FromString(body)
                for resource in request.resource_spans:
                    service = next(
                        (
                            a.value.string_value
                            for a in resource.resource.attributes
                            if a.key == "service.name"
                        ),
                        "",
                    )
                    for scope in resource.scope_spans:
                        spans.extend(
                            (service, span.trace_id.hex(), span.name) for span in scope.spans
                        )
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Receive)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def services_of(self, trace_id: str) -> set[str]:
        return {service for service, trace, _ in list(self.spans) if trace == trace_id}


class DemoResources:
    """What `demo` runs on and leaves nothing of: databases and roles of its own (a unique
    prefix), a private redis-server, free ports, a scratch work directory."""

    def __init__(self, env: dict[str, str], workdir: Path | None) -> None:
        import secrets
        import tempfile

        tag = secrets.token_hex(3)
        self.admin_url = (
            env.get("SHOP_DATABASE_ADMIN_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
        )
        self.prefix = f"shop_extract{tag}"
        self.databases = [self.prefix, f"{self.prefix}_billing"]
        self.scratch = workdir is None  # a directory of the demo's own, removed on success
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="shop-extract-"))
        self.redis_port = free_port()
        self.redis: subprocess.Popen | None = None
        self.env = {
            **env,
            "SHOP_DATABASE_URL": f"postgresql://127.0.0.1:5432/{self.prefix}",
            "SHOP_DATABASE_ADMIN_URL": self.admin_url,
            "SHOP_DB_ROLE_PREFIX": self.prefix,
            "SHOP_BILLING_STORE_URL": f"postgresql://127.0.0.1:5432/{self.prefix}_billing",
            "SHOP_REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "PORT": str(free_port()),
            "BILLING_PORT": str(free_port()),
            "PROXY_PORT": str(free_port()),
            "WEB_CONCURRENCY": env.get("WEB_CONCURRENCY", "2"),
            "WORKER_CONCURRENCY": env.get("WORKER_CONCURRENCY", "1"),
        }
        # A message Redis hands to a worker killed at that instant is lost from the broker
        # (BRPOP serves a client whose connection the server has not yet seen close); the
        # outbox's redelivery sends it again. Production waits 600 s for it; the demo,
        # which kills billing mid-traffic, waits 15 s so the recovery shows within the run.
        self.env.setdefault("SHOP_EVENTS_REDELIVER_AFTER_SECONDS", "15")
        # Tracing on, into this run's own collector: one trace must cross both services.
        self.traces = TraceCollector()
        self.env.update(
            OTEL_TRACES_EXPORTER="otlp",
            OTEL_EXPORTER_OTLP_ENDPOINT=self.traces.url,
            OTEL_BSP_SCHEDULE_DELAY="500",
        )
        self.env.setdefault("SHOP_SECRET_KEY", f"extract-demo-{tag}-this-run-only")
        self.env["SHOP_INTERNAL_SECRET"] = self.env["SHOP_SECRET_KEY"]

    def start(self) -> None:
        self.traces.start()
        binary = shutil.which("redis-server")
        if not binary:
            raise Missing("redis-server is not installed")
        self.redis = subprocess.Popen(  # noqa: S603 - a fixed binary and our arguments
            [
                binary,
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        say(
            f"demo: work directory {self.workdir}, databases {', '.join(self.databases)}, "
            f"redis on port {self.redis_port}"
        )

    def stop(self) -> None:
        import psycopg
        from psycopg import sql

        self.traces.stop()
        if self.redis and self.redis.poll() is None:
            self.redis.terminate()
            self.redis.wait(10)
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            for name in self.databases:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
            for schema in ALL:
                role = sql.Identifier(f"{self.prefix}_{schema}")
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(role))
        say("demo: databases, roles and redis of this run removed")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "step",
        choices=[
            "up",
            "move-store",
            "shadow",
            "report",
            "cutover",
            "rollback",
            "status",
            "down",
            "demo",
        ],
    )
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    args = parser.parse_args()
    env = {
        **os.environ,
        "SHOP_EVENT_TRANSPORT": "celery",
        "SHOP_DEBUG": "0",
        "SHOP_LOG_FORMAT": "json",
    }
    # Plain HTTP between processes of this machine, as `make run-split` (never a deployment).
    env.setdefault("SHOP_HTTPS", "0")
    sys.path.insert(0, str(ROOT / "src"))
    if args.step == "demo":
        return run_demo(env, args.workdir if args.workdir != DEFAULT_WORKDIR else None)
    for name in ("SHOP_DATABASE_URL", "SHOP_DATABASE_ADMIN_URL", "SHOP_SECRET_KEY"):
        if not env.get(name):
            sys.exit(
                f"extract: {name} is not set (`make extract` sets it): the extraction needs PostgreSQL"
            )
    # The monolith serves the internal endpoints (identity for billing) before any split.
    env.setdefault("SHOP_INTERNAL_SECRET", env["SHOP_SECRET_KEY"])
    run = Extraction(args.workdir, env)
    try:
        if args.step == "report":
            done = run.report()
            print(done.stdout.rstrip())  # noqa: T201
            return done.returncode
        elif args.step == "status":
            print(json.dumps(run.status(), indent=2))  # noqa: T201
        else:
            {
                "up": run.up,
                "move-store": run.move_store,
                "shadow": run.shadow,
                "cutover": run.cutover,
                "rollback": run.rollback,
                "down": run.down,
            }[args.step]()
    except Missing as missing:
        say(f"FAILED: {missing}")
        return 1
    return 0


def run_demo(env: dict[str, str], workdir: Path | None) -> int:
    """Every step, unattended, on resources of its own; exit 1 if any evidence is missing."""
    resources = DemoResources(env, workdir)
    started = time.monotonic()
    try:
        resources.start()
        run = Extraction(resources.workdir, resources.env)
        run.traces = resources.traces
        try:
            demo(run)
        finally:
            run.down()
    except Exception as failed:  # noqa: BLE001 - any failure is a missing piece, said once
        named = failed if isinstance(failed, Missing) else f"{type(failed).__name__}: {failed}"
        say(f"FAILED: {named}")
        say(
            f"the services' logs: {resources.workdir / 'logs'}; nginx's: {resources.workdir / 'nginx' / 'logs'}"
        )
        return 1
    finally:
        resources.stop()
    if resources.scratch:  # kept on failure, for its logs
        shutil.rmtree(resources.workdir, ignore_errors=True)
    say(f"demo: every step's evidence is there ({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
