"""The topology file: which service hosts which contexts, and what a process may touch."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from django.test import override_settings
from tests.contexts import all_but, hosts

from shop.platform.db import hosted_aliases
from shop.platform.db.config import unhosted
from shop.platform.db.routers import ContextRouter
from shop.platform.db.unhosted.base import DatabaseWrapper
from shop.platform.topology import NotHosted, layout, load
from shop.platform.topology.checks import topology_problems

CONTEXTS = list(settings.SHOP_CONTEXTS)
KNOWN = ", ".join(["identity", *CONTEXTS])
ROOT = Path(__file__).resolve().parents[2]

SPLIT = f"""
[services.shop]
{hosts(all_but("billing"))}
url = "http://127.0.0.1:8000"

[services.billing]
hosts = ["billing"]
url = "http://127.0.0.1:8001"

[stores]
billing = "postgresql://127.0.0.1:5432/shop_billing"
"""


def topology_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "topology.toml"
    path.write_text(text)
    return str(path)


def problems(tmp_path, text, service="shop", transport="celery"):
    path = topology_file(tmp_path, text)
    return [
        line.removeprefix(f"{path}: ")
        for line in topology_problems(load(path, service, CONTEXTS), transport)
    ]


def test_without_a_file_one_service_hosts_every_context_and_identity():
    topology = load(None, None, CONTEXTS)
    assert [s.name for s in topology.services] == ["shop"]
    assert all(topology.hosts(c) for c in ["identity", *CONTEXTS])
    assert not topology.is_split
    assert topology_problems(topology, "inline") == []


def test_a_split_file_says_who_hosts_what_and_where_stores_live(tmp_path):
    topology = load(topology_file(tmp_path, SPLIT), "billing", CONTEXTS)
    assert topology.problems == ()
    assert topology.is_split
    assert topology.service.hosts == ("billing",)
    assert topology.host_of("ordering").name == "shop"
    assert topology.host_of("billing").url == "http://127.0.0.1:8001"
    assert topology.stores == {"billing": "postgresql://127.0.0.1:5432/shop_billing"}
    assert topology.describe() == {"service": "billing", "hosts": ["billing"]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SPLIT + "\n[extra]\n", ["extra: is not a known key (services, stores)"]),
        (
            SPLIT.replace('url = "http://127.0.0.1:8001"', "port = 8001"),
            [
                "services.billing.port: is not a known key (hosts, url)",
                "services.billing.url: is required when there are several services",
            ],
        ),
        (
            SPLIT.replace('hosts = ["billing"]', 'hosts = ["biling"]'),
            [
                f"services.billing.hosts: 'biling' is not a context ({KNOWN})",
                "services: no service hosts 'billing'",
            ],
        ),
        (
            SPLIT.replace('hosts = ["billing"]', 'hosts = ["billing", "ordering"]'),
            ["services: 'ordering' is hosted by shop and billing: host it once"],
        ),
        (
            SPLIT.replace('hosts = ["billing"]', "hosts = []"),
            ["services.billing.hosts: hosts no context", "services: no service hosts 'billing'"],
        ),
        (
            SPLIT.replace("http://127.0.0.1:8001", "127.0.0.1:8001"),
            [
                "services.billing.url: must be an http:// or https:// base URL",
                "services.billing.url: is required when there are several services",
            ],
        ),
        (
            SPLIT.replace("postgresql://", "mysql://"),
            ["stores.billing: must be a postgresql:// URL"],
        ),
        ("[stores]\n", ["services: must name at least one service ([services.NAME])"]),
        ("[services.shop\n", None),  # not TOML: one line naming the parse error
    ],
)
def test_every_problem_is_named_by_its_key(tmp_path, text, expected):
    found = problems(tmp_path, text)
    if expected is None:
        assert len(found) == 1 and found[0].startswith("(file): is not valid TOML")
    else:
        assert found == expected


def test_the_service_of_this_process_must_be_one_of_the_file(tmp_path):
    assert problems(tmp_path, SPLIT, service="biling") == [
        "services: SHOP_SERVICE='biling' is not one of shop, billing"
    ]
    assert problems(tmp_path, SPLIT, service=None) == [
        "services: several services: set SHOP_SERVICE to this process's"
    ]


def test_a_tool_reads_the_layout_without_being_one_of_its_services(tmp_path):
    # The proxy's planner (shop.platform.proxy) reads the split as a whole: no SHOP_SERVICE.
    path = topology_file(tmp_path, SPLIT)
    assert layout(path, CONTEXTS).problems == ()
    assert layout(path, CONTEXTS).host_of("billing").url == "http://127.0.0.1:8001"
    broken = layout(topology_file(tmp_path, SPLIT.replace('"billing"]', '"biling"]')), CONTEXTS)
    assert [(p.key, p.message) for p in broken.problems] == [
        (
            "services.billing.hosts",
            f"'biling' is not a context ({KNOWN})",
        ),
        ("services", "no service hosts 'billing'"),
    ]


def test_a_split_topology_needs_the_celery_transport(tmp_path):
    assert problems(tmp_path, SPLIT, transport="inline") == [
        "services: a split topology needs the celery transport (SHOP_EVENT_TRANSPORT=celery), not 'inline'"
    ]


def test_a_missing_file_is_one_problem(tmp_path):
    topology = load(str(tmp_path / "nope.toml"), None, CONTEXTS)
    assert [p.message for p in topology.problems] == ["cannot be read: No such file or directory"]


class TestOnlyHostedContextsAreTouched:
    def split(self, tmp_path):
        return override_settings(
            SHOP_TOPOLOGY=load(topology_file(tmp_path, SPLIT), "billing", CONTEXTS)
        )

    def test_the_router_names_the_service_that_hosts_a_context(self, tmp_path):
        from shop.ordering.models import OrderRecord

        with self.split(tmp_path), pytest.raises(NotHosted) as refused:
            ContextRouter().db_for_read(OrderRecord)
        assert str(refused.value) == (
            "context 'ordering' is not hosted by this process (service 'billing'); "
            "service 'shop' hosts it"
        )

    def test_only_hosted_contexts_are_migrated_and_checked(self, tmp_path):
        router = ContextRouter()
        assert hosted_aliases() == ["default", *CONTEXTS]
        with self.split(tmp_path):
            assert hosted_aliases() == ["billing"]
            assert router.allow_migrate("billing", "billing")
            assert not router.allow_migrate("ordering", "ordering")
            assert not router.allow_migrate("default", "auth")

    def test_a_store_hosted_elsewhere_refuses_every_query_naming_its_host(self):
        connection = DatabaseWrapper(
            {**connections["ordering"].settings_dict, **unhosted("ordering", "billing", "shop")}
        )
        with pytest.raises(NotHosted, match="service 'shop' hosts it"):
            connection.cursor()
        with pytest.raises(NotHosted):
            connection.ops.quote_name("ordering_order")
        connection.close()  # housekeeping never fails


def test_a_process_checks_its_topology_at_start(tmp_path):
    env = {
        **os.environ,
        "SHOP_DEBUG": "1",
        "SHOP_DATA_DIR": str(tmp_path / "var"),
        "SHOP_TOPOLOGY": topology_file(
            tmp_path, SPLIT.replace('hosts = ["billing"]', 'hosts = ["biling"]')
        ),
        "SHOP_SERVICE": "billing",
        "SHOP_EVENT_TRANSPORT": "inline",
    }
    env.pop("SHOP_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert (
        f"{env['SHOP_TOPOLOGY']}: services.billing.hosts: 'biling' is not a context" in done.stderr
    )
    assert "needs the celery transport" in done.stderr
