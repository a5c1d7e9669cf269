"""manage.py proxy_config: the strangler proxy's nginx.conf for a rollout state (docs/proxy.md).

manage.py proxy_config --topology topology/split.toml --context billing --state shadow
    prints the config
manage.py proxy_config ... --prefix var/proxy
    installs it as var/proxy/nginx.conf once `nginx -t` accepts it
manage.py proxy_config --prefix var/proxy --state rollback --reload
    the same from the inputs saved under the prefix, then reloads the running nginx
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shop.platform import topology
from shop.platform.proxy.nginx import Nginx, NginxError
from shop.platform.proxy.plan import STATES, PlanError, make_plan
from shop.platform.proxy.render import render
from shop.platform.proxy.routes import RoutesUnknown, context_locations

DEFAULT_LISTEN = "127.0.0.1:8080"
# Given once with --prefix, these are saved in PREFIX/proxy.json and need not be repeated.
SAVED = ("topology", "context", "listen", "workers")


class Command(BaseCommand):
    help = (
        "Generate the strangler proxy's nginx.conf from the split topology, the context being "
        "moved and a rollout state; with --prefix install it (after nginx -t), with --reload "
        "also reload the nginx running under that prefix."
    )

    def add_arguments(self, parser):
        parser.add_argument("--state", required=True, help=f"one of {', '.join(STATES)}")
        parser.add_argument(
            "--topology", help="the split topology file: which service serves the context"
        )
        parser.add_argument("--context", help="the context being moved (billing)")
        parser.add_argument("--listen", help=f"nginx's HOST:PORT (default {DEFAULT_LISTEN})")
        parser.add_argument("--workers", help="nginx's worker_processes (default auto)")
        parser.add_argument("--prefix", type=Path, help="nginx's prefix directory: install here")
        parser.add_argument(
            "--reload", action="store_true", help="reload the nginx running under --prefix"
        )
        parser.add_argument("--nginx", help="the nginx binary (default: found on PATH)")

    def handle(self, *args, state, prefix, reload, nginx, **options):
        if reload and prefix is None:
            raise CommandError("--reload needs --prefix: the nginx to reload runs under it")
        server = Nginx(prefix, nginx) if prefix is not None else None
        saved = server.saved_state() if server else {}
        given = {key: options[key] or saved.get(key) for key in SAVED}
        if not given["topology"]:
            raise CommandError("--topology is required: the split topology file")
        if not given["context"]:
            raise CommandError("--context is required: the context being moved")
        given["topology"] = str(Path(given["topology"]).resolve())
        given["listen"] = given["listen"] or DEFAULT_LISTEN
        given["workers"] = given["workers"] or "auto"
        if not (given["workers"] == "auto" or str(given["workers"]).isdigit()):
            raise CommandError(f"--workers {given['workers']!r}: a number or auto")

        contexts = settings.SHOP_CONTEXTS
        try:
            if state in STATES and given["context"] in contexts:
                locations = context_locations(given["context"])
            else:
                locations = ()  # make_plan names the wrong state or context
            plan = make_plan(
                topology=topology.layout(given["topology"], contexts),
                context=given["context"],
                contexts=contexts,
                state=state,
                listen=given["listen"],
                locations=locations,
            )
        except (PlanError, RoutesUnknown) as error:
            raise CommandError(str(error)) from error
        text = render(plan, workers=given["workers"])

        if server is None:
            self.stdout.write(text, ending="")
            return
        try:
            server.install(text, {**given, "state": plan.requested})
            asked = "" if plan.requested == plan.state else f"{plan.requested}: "
            self.stdout.write(f"{server.conf}: {asked}{plan.describe()} (nginx -t: ok)")
            if reload:
                master = server.reload()
                self.stdout.write(f"nginx reloaded (master {master}): new workers serve it")
        except NginxError as error:
            raise CommandError(str(error)) from error
        except OSError as error:  # the prefix cannot be written
            raise CommandError(f"{server.prefix}: {error.strerror}: {error.filename}") from error
