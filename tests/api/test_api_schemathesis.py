"""Schemathesis over the served OpenAPI document: every response conforms, none is a 5xx.

Every operation of /api/schema/ is called in-process (the WSGI app, no server) with
examples generated from the document, valid ones and invalid ones, as staff, and every
built-in check runs: status code, content type, headers and body must be what the
document says (and a response object carries no field it leaves out), invalid data must be
refused and valid data accepted. Any failure fails
the test. The seed is fixed, so a run is repeatable; Hypothesis keeps no database.

SHOP_SCHEMATHESIS_EXAMPLES (default 25) sets the examples per operation and phase: CI runs
100 on the SQLite stores and the default on PostgreSQL; the default keeps `make test` quick.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from decimal import Decimal

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation
from werkzeug import Client

from shop.billing.application.issue_invoice import IssueInvoice, issue_invoice
from shop.kernel import Money

pytestmark = pytest.mark.django_db(databases="__all__")

EXAMPLES = int(os.environ.get("SHOP_SCHEMATHESIS_EXAMPLES", "25"))

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20261201,
        "generation": {"mode": "all", "max-examples": EXAMPLES, "database": "none"},
        "checks": {
            "enabled": True,  # every built-in check, as they are by default: none is left out
            # Valid by the schema yet refused by a business rule is a 422 by design (an order
            # naming a sku the catalog does not have); the schema cannot list the catalog.
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]
            },
        },
    }
)


SCHEMA_PATH = "/api/schema/?format=json"


def _closed(document: dict) -> dict:
    """Close every response object: here a field the server sends that the document does not
    declare is a failure. The served document leaves them open, as a client should ignore
    fields added later; request bodies keep what the server enforces, and Problem stays open
    for the members some types add."""
    for name, component in document["components"]["schemas"].items():
        if name.endswith("Request") or name == "Problem":
            continue
        if component.get("type") == "object" and "properties" in component:
            component.setdefault("additionalProperties", False)
    return document


# Loaded at collection, as a client would, from the document the app serves (no database
# is needed to serve it); every case then calls the same in-process app.
APP = WSGIHandler()
_served = Client(APP).get(SCHEMA_PATH, headers={"Host": "localhost"})
assert _served.status_code == 200, _served.get_data(as_text=True)
schema = schemathesis.openapi.from_dict(_closed(_served.get_json()), config=CONFIG)
schema.app = APP
schema.location = SCHEMA_PATH


@schema.hook
def map_query(ctx, query):
    """No made-up `cursor`: it is opaque, minted by the server, so any generated one is
    rightly a 400 (test_api_path_input covers those; the list tests follow real ones)."""
    if query:
        query.pop("cursor", None)
    return query


# What exists in the running test's data, set by `known`: path parameters by name, and the
# skus and credentials that valid bodies borrow.
KNOWN: dict[str, str] = {}
SIGN_IN = {"username": "fuzz-customer", "password": "fuzz-customer-password"}
SKUS = ("KETTLE-STEEL", "MUG-CLASSIC", "TEA-SENCHA")  # the `products` fixture's


@schema.hook
def map_case(ctx, case):
    """Valid generated cases name a product, order, invoice or user that exists.

    Made-up ids only ever reach the 404 (an order of made-up skus the 422, a sign-in of
    made-up credentials the 401); these reach the success responses too, and the 409s and
    422s behind them. A part made invalid on purpose is left as it is, and the made-up
    values still go out from the examples and coverage phases, which this hook does not see.
    """
    meta = case.meta
    if meta is None or not KNOWN:
        return case
    if case.path_parameters and not meta.is_negative_at(ParameterLocation.PATH):
        for name in list(case.path_parameters):
            if name in KNOWN:
                case.path_parameters[name] = KNOWN[name]
    body = case.body
    if isinstance(body, dict) and not meta.is_negative_at(ParameterLocation.BODY):
        where = (case.method.upper(), case.path)
        if where == ("POST", "/api/v1/orders"):
            for index, line in enumerate(body.get("lines") or []):
                if isinstance(line, dict):
                    line["sku"] = SKUS[index % len(SKUS)]  # one line per sku, up to three
        elif where == ("POST", "/api/v1/auth/token"):
            body.update(SIGN_IN)
    return case


@pytest.fixture
def known(products, staff, staff_client, django_user_model) -> Iterator[dict[str, str]]:
    """A product (with stock), an order of staff's with its invoice, and a customer."""
    assert set(SKUS) == set(products)
    django_user_model.objects.create_user(**SIGN_IN)
    order = staff_client.post(
        "/api/v1/orders",
        {"lines": [{"sku": "MUG-CLASSIC", "quantity": 1}], "payment_token": "tok_visa"},
        format="json",
    )
    assert order.status_code == 201, order.content
    order = order.json()
    amount = Money(Decimal(order["total"]["amount"]), order["total"]["currency"])
    invoice = issue_invoice(IssueInvoice(order_id=order["id"], customer_id=staff.id, amount=amount))
    KNOWN.update(sku="MUG-CLASSIC", order_id=order["id"], invoice_id=str(invoice.id))
    yield KNOWN
    KNOWN.clear()


@pytest.fixture
def staff_token(known, staff_client) -> Iterator[str]:
    """Staff's token header; the calls that follow keep the test's database connections.

    The end of a request closes "old" connections, as it should in production; here that
    would close the test's own, and with it the transaction holding its data. Django's test
    client skips that for its own requests (and puts it back after each, so this comes last).
    """
    token = staff_client._credentials["HTTP_AUTHORIZATION"]
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield token
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
# The fixtures set up data once per operation, deliberately shared by its examples.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], database=None)
def test_every_operation_conforms_to_the_served_schema(case, staff_token):
    case.call_and_validate(headers={"Authorization": staff_token})
