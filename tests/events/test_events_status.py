"""`manage.py events status`: exit code 3 when any inbox row is dead, and `--format json`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from shop.platform.events import bus
from shop.platform.events.models import InboxStatus

pytestmark = pytest.mark.django_db(databases="__all__")

ROOT = Path(__file__).resolve().parents[2]
CONTEXTS = list(settings.SHOP_CONTEXTS)


def status(*args: str) -> str:
    out = StringIO()
    call_command("events", "status", *args, stdout=out)
    return out.getvalue()


def dead_row(context: str = "billing", status: str = InboxStatus.DEAD) -> None:
    store = bus.store_of(context)
    store.inbox.objects.using(store.alias).create(
        event_id=uuid.uuid4(),
        handler=f"{context}.when_probe_fails",
        event_type="ordering.OrderPlaced",
        source="ordering",
        subject="order-1",
        sequence=1,
        envelope={},
        status=status,
        last_error="parked dead, the attempts budget ran out",
    )


def test_status_returns_normally_when_nothing_is_dead():
    dead_row(status=InboxStatus.PARKED)  # parked rows are counted, not alerted on

    output = status()

    assert [line.split()[0] for line in output.splitlines()[1:]] == CONTEXTS


def test_status_with_a_dead_row_prints_the_table_and_fails_with_exit_code_3():
    dead_row("billing")
    out = StringIO()

    with pytest.raises(CommandError, match="1 dead inbox rows") as failed:
        call_command("events", "status", stdout=out)

    assert failed.value.returncode == 3
    billing = next(
        line.split() for line in out.getvalue().splitlines() if line.startswith("billing")
    )
    assert billing[3] == "1"


def test_status_as_json_is_one_document_per_context_and_in_total():
    dead_row("billing")
    dead_row("billing")
    dead_row("inventory", status=InboxStatus.PARKED)
    out = StringIO()

    with pytest.raises(CommandError) as failed:
        call_command("events", "status", "--format", "json", stdout=out)

    assert failed.value.returncode == 3
    document = json.loads(out.getvalue())
    assert (document["healthy"], document["exit_code"]) == (False, 3)
    assert list(document["contexts"]) == CONTEXTS
    assert document["contexts"]["billing"] == {
        "outbox_pending": 0,
        "outbox_oldest_pending": None,
        "inbox_pending": 0,
        "inbox_oldest_pending": None,
        "inbox_dead": 2,
        "inbox_parked": 0,
        "lag_seconds": 0.0,
    }
    assert document["totals"] == {
        "outbox_pending": 0,
        "inbox_pending": 0,
        "inbox_dead": 2,
        "inbox_parked": 1,
        "lag_seconds": 0.0,
    }


def test_status_as_json_when_healthy():
    document = json.loads(status("--format", "json"))

    assert (document["healthy"], document["exit_code"]) == (True, 0)
    assert document["totals"]["inbox_dead"] == 0


def test_status_refuses_an_unknown_format():
    with pytest.raises(CommandError, match="invalid choice: 'xml'"):
        status("--format", "xml")


@pytest.mark.django_db(databases=[])
def test_the_exit_code_from_the_command_line_is_0_healthy_3_dead_2_misused(tmp_path):
    def manage(*args: str) -> subprocess.CompletedProcess[str]:
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("SHOP_")}
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**inherited, "SHOP_DEBUG": "1", "SHOP_DATA_DIR": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert manage("migrate_all", "-v", "0").returncode == 0
    healthy = manage("events", "status", "--format", "json")
    assert (healthy.returncode, healthy.stderr) == (0, "")
    assert json.loads(healthy.stdout)["healthy"] is True

    made = manage(
        "shell",
        "-c",
        "from shop.platform.events.bus import bus; import uuid; s = bus.store_of('billing');"
        " s.inbox.objects.using(s.alias).create(event_id=uuid.uuid4(), handler='billing.h',"
        " event_type='t', source='ordering', subject='o', sequence=1, envelope={},"
        " status='dead')",
    )
    assert made.returncode == 0, made.stderr
    dead = manage("events", "status")
    assert dead.returncode == 3
    assert dead.stderr.splitlines() == [
        "CommandError: 1 dead inbox rows: read their last_error, fix the cause, then "
        "`events retry --dead`"
    ]
    assert "billing          0       0     1" in dead.stdout
    assert manage("events", "status", "--format", "json").returncode == 3
    assert manage("events", "status", "--format", "xml").returncode == 2
