"""Shadow recording: each side notes what it answered to a shadowed GET, by request id."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.test import override_settings
from rest_framework.test import APIClient

from .test_api_invoices import _order_with_invoice

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def shadow_dir(tmp_path):
    with override_settings(SHOP_SHADOW={"contexts": ["billing"], "dir": tmp_path}):
        yield tmp_path


@pytest.fixture
def alices(alice_client, alice, products):
    return _order_with_invoice(alice_client, alice)


def records(directory) -> list[dict]:
    return [
        json.loads(line)
        for path in sorted(directory.glob("*.jsonl"))
        for line in path.read_text().splitlines()
    ]


def client_of(client: APIClient) -> APIClient:
    """The same credentials on a new client, whose handler loads the middleware again."""
    fresh = APIClient()
    fresh._credentials = dict(client._credentials)
    return fresh


def test_a_get_of_a_shadowed_context_is_recorded_with_its_request_id_role_and_digest(
    shadow_dir, alice_client, alices
):
    order, invoice_id = alices
    client = client_of(alice_client)
    primary = client.get(f"/api/v1/invoices?order={order['id']}", HTTP_X_REQUEST_ID="req-1")
    mirrored = client.get(
        f"/api/v1/invoices?order={order['id']}",
        HTTP_X_REQUEST_ID="req-1",
        HTTP_X_SHOP_SHADOW="1",
    )
    assert primary.status_code == mirrored.status_code == 200

    first, second = records(shadow_dir)
    assert (first["request_id"], first["role"], first["service"]) == ("req-1", "primary", "shop")
    assert (second["request_id"], second["role"]) == ("req-1", "shadow")
    assert first["path"] == f"/api/v1/invoices?order={order['id']}"
    assert first["status"] == 200 and first["digest"] == second["digest"]
    invoice = first["body"]["results"][0]
    # Ids and times are placeholders; everything else is kept as answered.
    assert invoice["id"] == invoice["order_id"] == "<uuid>"
    assert invoice["issued_at"] == "<timestamp>"
    assert invoice["amount"] == order["total"] and invoice["status"] == "open"


def test_other_contexts_writes_and_unshadowed_processes_record_nothing(
    tmp_path, shadow_dir, alice_client, alices
):
    order, _ = alices
    client = client_of(alice_client)
    assert client.get(f"/api/v1/orders/{order['id']}").status_code == 200  # ordering's
    assert client.post(f"/api/v1/orders/{order['id']}/cancel").status_code == 200  # a write
    assert client.get("/api/v1/nothing-here").status_code == 404  # no view, no context
    assert records(shadow_dir) == []

    with override_settings(SHOP_SHADOW={"contexts": [], "dir": tmp_path / "off"}):
        assert client_of(alice_client).get("/api/v1/invoices").status_code == 200
    assert not (tmp_path / "off").exists()


def test_a_recorded_answer_pairs_with_its_shadow_in_the_report(
    shadow_dir, alice_client, alices, capsys
):
    order, _ = alices
    client = client_of(alice_client)
    for n in range(3):
        for role in ("primary", "mirror"):
            headers = {"HTTP_X_REQUEST_ID": f"req-{n}"}
            if role == "mirror":
                headers["HTTP_X_SHOP_SHADOW"] = "1"
            assert client.get(f"/api/v1/invoices?order={order['id']}", **headers).status_code == 200

    call_command("shadow_report", str(shadow_dir))
    out = capsys.readouterr().out
    assert "compared 3: matched 3 (100.0%), mismatched 0, without a shadow answer 0" in out
    assert out.rstrip().endswith("go: all 3 shadowed requests matched")
