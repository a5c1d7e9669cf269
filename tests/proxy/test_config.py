"""manage.py proxy_config without nginx: the prefixes it routes, the states, wrong inputs."""

from __future__ import annotations

import subprocess
import sys
from io import StringIO
from pathlib import Path
from types import ModuleType

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import URLPattern, include, path, re_path
from rest_framework.views import APIView
from tests.contexts import all_but, contexts_but, hosts, sample_paths

from shop.platform.proxy.routes import Location, RoutesUnknown, context_locations, locations

ROOT = Path(__file__).resolve().parents[2]
SPLIT = ROOT / "topology" / "split.toml"
CONTEXTS = tuple(settings.SHOP_CONTEXTS)


def generate(state: str) -> str:
    out = StringIO()
    call_command("proxy_config", state=state, topology=str(SPLIT), context="billing", stdout=out)
    return out.getvalue()


def routed(path: str, where: tuple[Location, ...]) -> bool:
    """Whether nginx would pick one of `where` for `path` (exact, or `^~` prefix)."""
    return any(path == loc.path if loc.exact else path.startswith(loc.path) for loc in where)


def test_billings_locations_cover_every_billing_route_and_no_other_contexts():
    billing = context_locations("billing")

    assert billing == (
        Location("/api/v1/invoices", exact=True, methods=frozenset({"GET"})),
        Location("/api/v1/invoices/", exact=False, methods=frozenset({"GET"})),
    )
    assert sample_paths("billing")  # the oracle: Django's own reverse() and resolve()
    for url in sample_paths("billing"):
        assert routed(url, billing), url
    for other in contexts_but("billing"):
        assert sample_paths(other), other
        for url in sample_paths(other):
            assert not routed(url, billing), url


def test_every_context_gets_locations_from_its_own_urls():
    for context in CONTEXTS:
        mine = context_locations(context)
        for url in sample_paths(context):
            assert routed(url, mine), (context, url)
        for other in set(CONTEXTS) - {context}:
            for url in sample_paths(other):
                assert not routed(url, mine), (context, url)


class Reads(APIView):
    def get(self, request): ...


class Writes(APIView):
    def post(self, request): ...


def test_a_route_added_to_a_context_is_routed_with_nothing_else_to_change():
    patterns: list[URLPattern] = [
        path("parcels", Reads.as_view()),
        path("parcels/<uuid:id>", Reads.as_view()),
        path("parcels/<uuid:id>/return", Writes.as_view()),  # under parcels/: no location
        path("parcels/by-carrier/<slug:code>", Reads.as_view()),  # nor this
        path("parcels/export", Reads.as_view()),  # nor this
        path("labels/<int:n>/print", Writes.as_view()),
        re_path(r"^carriers/(?P<code>[a-z]+)$", Reads.as_view()),
        re_path(r"^rates$", Reads.as_view()),
        path("depots/", include([path("<slug:name>", Reads.as_view())])),
    ]

    assert locations(patterns, mount="/api/v1/") == (
        Location("/api/v1/carriers/", exact=False, methods=frozenset({"GET"})),
        Location("/api/v1/depots/", exact=False, methods=frozenset({"GET"})),
        Location("/api/v1/labels/", exact=False, methods=frozenset({"POST"})),
        Location("/api/v1/parcels", exact=True, methods=frozenset({"GET"})),
        Location("/api/v1/parcels/", exact=False, methods=frozenset({"GET", "POST"})),
        Location("/api/v1/rates", exact=True, methods=frozenset({"GET"})),
    )
    assert not Location("/api/v1/labels/", exact=False, methods=frozenset({"POST"})).reads


def urlconf(*mounted: str) -> ModuleType:
    """A root URL conf mounting these contexts' routes as shop.site.urls does."""
    module = ModuleType("urls_of_a_service")
    module.urlpatterns = [
        path("api/v1/", include([path("", include(f"shop.{c}.rest.urls")) for c in mounted]))
    ]
    return module


def test_the_prefixes_are_the_same_in_a_process_that_does_not_host_the_context():
    # The monolith's operator runs the command in cutover too, when the monolith's own URL
    # conf no longer mounts billing's routes.
    everything = context_locations("billing")

    with override_settings(ROOT_URLCONF=urlconf(*contexts_but("billing"))):
        assert context_locations("billing") == everything
    with override_settings(ROOT_URLCONF=urlconf("billing")):
        assert context_locations("billing") == everything


def test_a_url_conf_that_mounts_no_context_is_refused():
    with override_settings(ROOT_URLCONF=urlconf()), pytest.raises(RoutesUnknown) as refused:
        context_locations("billing")

    assert (
        str(refused.value)
        == "the URL conf must mount the contexts' rest.urls at one prefix; found none"
    )


@pytest.mark.parametrize("state", ["monolith", "shadow", "cutover"])
def test_rollback_renders_byte_for_byte_the_monolith_config(state):
    assert generate("rollback") == generate("monolith")
    assert generate(state).startswith("# GENERATED by `manage.py proxy_config`")


def test_each_state_names_only_the_upstreams_it_sends_to():
    monolith, shadow, cutover = (generate(s) for s in ("monolith", "shadow", "cutover"))

    assert "upstream billing" not in monolith and "mirror" not in monolith
    assert "server 127.0.0.1:8000;" in monolith
    assert "upstream billing {\n        server 127.0.0.1:8001;" in shadow
    assert shadow.count("mirror /_shadow;") == 2 and "mirror_request_body off;" in shadow
    assert "mirror" not in cutover
    assert cutover.count("proxy_pass http://billing;") == 2
    # Retries: only of a failed connection, never of a request that is not idempotent.
    for text, expected in [
        (monolith, ["error;"]),
        (shadow, ["error;", "off;"]),  # the mirror's copy is never tried twice
        (cutover, ["error;"]),
    ]:
        assert _directives(text, "proxy_next_upstream") == expected


def _directives(text: str, name: str) -> list[str]:
    lines = (line.split("#")[0].split() for line in text.splitlines())
    return [" ".join(words[1:]) for words in lines if words and words[0] == name]


SHOP = f"""
[services.shop]
{hosts(all_but("billing"))}
url = "http://127.0.0.1:8000"
"""
BILLING = """
[services.billing]
hosts = ["billing"]
url = "{url}"
"""
SPLIT_IN_THREE = f"""
[services.shop]
{hosts(all_but("inventory", "billing"))}
url = "http://127.0.0.1:8000"

[services.stock]
hosts = ["inventory"]
url = "http://127.0.0.1:8002"
""" + BILLING.format(url="http://127.0.0.1:8001")


@pytest.mark.parametrize(
    ("topology", "options", "message"),
    [
        (
            SPLIT,
            {"state": "shdow"},
            "unknown state 'shdow': choose monolith, shadow, cutover, rollback",
        ),
        (
            SPLIT,
            {"context": "shiping"},
            f"'shiping' is not a context ({', '.join(CONTEXTS)})",
        ),
        (SPLIT, {"context": "identity"}, "'identity' is not a context"),
        (
            SPLIT,
            {"context": "ordering"},
            "split.toml: service 'shop' hosts ordering with identity: nothing to move",
        ),
        (
            SPLIT,
            {"listen": "127.0.0.1:80; include /etc/passwd"},
            "--listen '127.0.0.1:80; include /etc/passwd': give HOST:PORT",
        ),
        (SPLIT, {"listen": "127.0.0.1:0"}, "give HOST:PORT (127.0.0.1:8080) or PORT"),
        (SPLIT, {"workers": "two"}, "--workers 'two': a number or auto"),
        (SPLIT, {"reload": True, "prefix": None}, "--reload needs --prefix"),
        (None, {}, "--topology is required"),
        (Path("no/such/topology.toml"), {}, "the topology is wrong: "),
        (
            Path("no/such/topology.toml"),
            {},
            "topology.toml: (file): cannot be read: No such file or directory",
        ),
        ("[services\n", {}, "(file): is not valid TOML"),
        (SHOP, {}, "services: no service hosts 'billing'"),
        (
            SHOP + BILLING.format(url="https://billing:8443"),
            {},
            "services.billing.url: the proxy reaches a service at http://HOST:PORT, not 'https://billing:8443'",
        ),
        (
            SHOP + BILLING.format(url="http://127.0.0.1:8001/billing"),
            {},
            "not 'http://127.0.0.1:8001/billing'",
        ),
        (
            SPLIT_IN_THREE,
            {},
            "the proxy moves one context at a time; every other context stays with 'shop', but stock host some",
        ),
    ],
)
def test_wrong_input_is_one_line_and_writes_nothing(tmp_path, topology, options, message):
    if isinstance(topology, str):
        (tmp_path / "topology.toml").write_text(topology)
        topology = tmp_path / "topology.toml"
    prefix = tmp_path / "proxy"
    given = {"state": "shadow", "context": "billing", "topology": topology, "prefix": prefix}
    given = {k: None if v is None else str(v) for k, v in {**given, **options}.items()}

    with pytest.raises(CommandError) as refused:
        call_command("proxy_config", **{k: v for k, v in given.items() if v is not None})

    assert message in str(refused.value)
    assert "\n" not in str(refused.value)
    assert not prefix.exists()


def test_a_wrong_state_from_the_command_line_exits_non_zero_with_one_line(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "proxy_config",
            "--topology",
            str(SPLIT),
            "--context",
            "billing",
            "--state",
            "cutvoer",
            "--prefix",
            str(tmp_path / "p"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "SHOP_DEBUG": "1"},
    )

    assert done.returncode != 0
    assert done.stderr.splitlines() == [
        "CommandError: unknown state 'cutvoer': choose monolith, shadow, cutover, rollback"
    ]
    assert done.stdout == ""
    assert not (tmp_path / "p").exists()
