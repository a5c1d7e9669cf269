"""The OpenAPI 3 document at /api/schema/ describes all of API v1, and is valid."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(databases="__all__")

OPERATIONS = {
    "/api/v1/auth/token": {"post"},
    "/api/v1/products": {"get", "post"},
    "/api/v1/products/{sku}": {"get", "patch"},
    "/api/v1/stock/{sku}": {"get", "put"},
    "/api/v1/orders": {"get", "post"},
    "/api/v1/orders/{order_id}": {"get"},
    "/api/v1/orders/{order_id}/cancel": {"post"},
    "/api/v1/invoices": {"get"},
    "/api/v1/invoices/{invoice_id}": {"get"},
}


@pytest.fixture
def schema(anon) -> dict:
    response = anon.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_openapi_3_with_every_v1_operation(schema):
    assert schema["openapi"].startswith("3.")
    documented = {
        path: set(operations) & {"get", "post", "put", "patch", "delete"}
        for path, operations in schema["paths"].items()
    }
    assert documented == OPERATIONS


def test_the_schema_documents_the_idempotency_key_and_the_invoice_filter(schema):
    place_order = schema["paths"]["/api/v1/orders"]["post"]
    assert {"Idempotency-Key"} <= {p["name"] for p in place_order["parameters"]}
    invoices = schema["paths"]["/api/v1/invoices"]["get"]
    assert "order" in {p["name"] for p in invoices["parameters"]}


def test_the_schema_describes_money_as_decimal_strings(schema):
    product = schema["components"]["schemas"]["ProductOut"]["properties"]
    assert product["price"]["type"] == "string"


def test_the_schema_is_served_as_yaml_by_default(anon):
    response = anon.get("/api/schema/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    assert b"/api/v1/orders/{order_id}/cancel" in response.content


def test_the_docs_page_is_html(anon):
    response = anon.get("/api/docs/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"swagger" in response.content.lower()


def test_schema_generation_is_valid_and_warning_free(tmp_path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", validate=True, fail_on_warn=True, file=str(target))

    assert "/api/v1/orders:" in target.read_text()
