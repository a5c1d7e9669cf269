"""The OpenAPI 3 document at /api/schema/ describes all of API v1, and is valid."""

import re
from importlib import import_module

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import URLPattern, URLResolver

from shop.platform.topology import IDENTITY

pytestmark = pytest.mark.django_db(databases="__all__")

# Each context's operations, spelled out. A context added since (`manage.py startcontext`)
# is expected with what its URL conf routes (`routed_operations`), checked against these.
OPERATIONS = {
    IDENTITY: {"/api/v1/auth/token": {"post"}},
    "catalog": {
        "/api/v1/products": {"get", "post"},
        "/api/v1/products/{sku}": {"get", "patch"},
    },
    "inventory": {"/api/v1/stock/{sku}": {"get", "put"}},
    "ordering": {
        "/api/v1/orders": {"get", "post"},
        "/api/v1/orders/{order_id}": {"get"},
        "/api/v1/orders/{order_id}/cancel": {"post"},
    },
    "billing": {
        "/api/v1/invoices": {"get"},
        "/api/v1/invoices/{invoice_id}": {"get"},
    },
}
METHODS = ("get", "post", "put", "patch", "delete")


def routed_operations(context: str) -> dict[str, set[str]]:
    """Each route of the context's `rest.urls` as an OpenAPI path, with the methods its view
    answers (shop.site.urls mounts them under /api/v1/)."""
    found: dict[str, set[str]] = {}

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                view = pattern.callback.view_class
                found[route] = {m for m in METHODS if hasattr(view, m)}

    walk(import_module(f"shop.{context}.rest.urls").urlpatterns, "/api/v1/")
    return found


def expected_operations() -> dict[str, set[str]]:
    """Every v1 operation: identity's sign-in and each context's (this process hosts all)."""
    expected = dict(OPERATIONS[IDENTITY])
    for context in settings.SHOP_CONTEXTS:
        expected |= OPERATIONS.get(context) or routed_operations(context)
    return expected


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
    assert documented == expected_operations()


@pytest.mark.parametrize("context", [c for c in OPERATIONS if c != IDENTITY])
def test_a_context_s_url_conf_gives_its_operations_as_spelled_out(context):
    # What a context added later is expected with, read as it is for these.
    assert routed_operations(context) == OPERATIONS[context]


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


# What each operation can answer besides success: derived from the view by
# shop.platform.http.schema.AutoSchema, plus what the handler declares with @raises.
PROBLEMS = {
    ("/api/v1/auth/token", "post"): {"400", "401", "415", "429"},
    ("/api/v1/products", "get"): {"400", "401"},
    ("/api/v1/products", "post"): {"400", "401", "403", "409", "415", "422"},
    ("/api/v1/products/{sku}", "get"): {"401", "404"},
    ("/api/v1/products/{sku}", "patch"): {"400", "401", "403", "404", "415", "422"},
    ("/api/v1/stock/{sku}", "get"): {"401", "404"},
    ("/api/v1/stock/{sku}", "put"): {"400", "401", "403", "404", "409", "415"},
    ("/api/v1/orders", "get"): {"400", "401"},
    ("/api/v1/orders", "post"): {"400", "401", "403", "415", "422"},
    ("/api/v1/orders/{order_id}", "get"): {"401", "404"},
    ("/api/v1/orders/{order_id}/cancel", "post"): {"401", "403", "404", "409"},
    ("/api/v1/invoices", "get"): {"400", "401"},
    ("/api/v1/invoices/{invoice_id}", "get"): {"401", "404"},
}


def test_every_operation_documents_its_problem_responses_as_problem_json(schema):
    problem_ref = "#/components/schemas/Problem"
    assert {"type", "title", "status", "detail"} <= set(
        schema["components"]["schemas"]["Problem"]["required"]
    )
    for (path, method), statuses in PROBLEMS.items():
        responses = schema["paths"][path][method]["responses"]
        errors = {code for code in responses if not code.startswith("2")}
        assert errors == statuses, (path, method)
        for code in errors:
            content = responses[code]["content"]
            assert content == {"application/problem+json": {"schema": {"$ref": problem_ref}}}
            assert responses[code]["description"], (path, method, code)


def test_the_throttled_and_unauthenticated_responses_document_their_headers(schema):
    token = schema["paths"]["/api/v1/auth/token"]["post"]["responses"]
    assert "Retry-After" in token["429"]["headers"]
    assert "invalid-credentials" in token["401"]["description"]
    orders = schema["paths"]["/api/v1/orders"]["get"]["responses"]
    assert "WWW-Authenticate" in orders["401"]["headers"]


def test_the_schema_states_the_body_constraints_the_server_enforces(schema):
    components = schema["components"]["schemas"]
    lines = components["PlaceOrderInRequest"]["properties"]["lines"]
    assert (lines["minItems"], lines["maxItems"]) == (1, 50)
    quantity = components["LineInRequest"]["properties"]["quantity"]
    assert (quantity["minimum"], quantity["maximum"]) == (1, 1000)
    sku = components["AddProductInRequest"]["properties"]["sku"]
    assert sku["pattern"] == "^[A-Z0-9][A-Z0-9-]{1,31}$"
    on_hand = components["CountStockInRequest"]["properties"]["on_hand"]
    assert (on_hand["minimum"], on_hand["maximum"]) == (0, 1_000_000_000)
    for body in ("AddProductInRequest", "PatchedReviseProductInRequest"):
        price = components[body]["properties"]["price"]
        # above zero and below 1000000; finer than the currency is the 422 below
        assert price["pattern"] == "^\\d{1,6}(\\.\\d{1,6})?$", body
        assert price["not"] == {"pattern": "^0+(\\.0+)?$"}, body


@pytest.mark.parametrize(
    ("path", "method"), [("/api/v1/products", "post"), ("/api/v1/products/{sku}", "patch")]
)
def test_a_price_finer_than_its_currency_is_a_documented_422(schema, path, method):
    assert "`price-too-precise`" in schema["paths"][path][method]["responses"]["422"]["description"]


@pytest.mark.parametrize("path", ["/api/v1/products", "/api/v1/orders", "/api/v1/invoices"])
def test_the_schema_documents_the_page_parameters_and_their_bounds(schema, path):
    parameters = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
    assert parameters["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert parameters["cursor"]["schema"]["type"] == "string"
